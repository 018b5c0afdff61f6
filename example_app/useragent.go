package main

import "strings"

// deviceName names a browser as people do, from its User-Agent header:
// "Chrome on Linux", "Safari on iPhone", "Firefox on Windows". A client
// that is no browser is named by its first product ("curl",
// "Go-http-client"); an empty header is "Unknown browser".
func deviceName(ua string) string {
	b := browserName(ua)
	if b == "" {
		return "Unknown browser"
	}
	if os := osName(ua); os != "" {
		return b + " on " + os
	}
	return b
}

// browserName returns the browser of ua. The order matters: Edge and
// Opera also say Chrome, Chrome also says Safari.
func browserName(ua string) string {
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"},
		{"OPR/", "Opera"}, {"Opera", "Opera"},
		{"SamsungBrowser/", "Samsung Internet"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
		{"Chromium/", "Chromium"},
		{"CriOS/", "Chrome"}, {"Chrome/", "Chrome"}, // HeadlessChrome/ too
		{"Version/", "Safari"}, // with "Safari/": Safari's own version token
	} {
		if strings.Contains(ua, b.token) {
			return b.name
		}
	}
	// Not a browser: the first product, "curl/8.5.0" -> "curl".
	product, _, _ := strings.Cut(strings.TrimSpace(ua), " ")
	product, _, _ = strings.Cut(product, "/")
	return product
}

// osName returns the operating system or device of ua, or "". iPhones
// and iPads also say "like Mac OS X", Android also says Linux.
func osName(ua string) string {
	for _, o := range []struct{ token, name string }{
		{"iPhone", "iPhone"}, {"iPad", "iPad"},
		{"Android", "Android"},
		{"CrOS", "ChromeOS"},
		{"Windows", "Windows"},
		{"Macintosh", "macOS"}, {"Mac OS X", "macOS"},
		{"Linux", "Linux"},
	} {
		if strings.Contains(ua, o.token) {
			return o.name
		}
	}
	return ""
}
