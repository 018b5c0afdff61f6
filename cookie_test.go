package ginsession

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCookieLinesAreWhatHTTPCookieStringWrites: the Set-Cookie line built
// from the parts precomputed in New is byte for byte http.Cookie.String's,
// for every combination of the cookie options, ages (none, under a second,
// whole and fractional seconds, years) and values (keys, sealed cookies,
// and values net/http quotes or cleans, which take its own path).
func TestCookieLinesAreWhatHTTPCookieStringWrites(t *testing.T) {
	now := time.Date(2026, 12, 1, 23, 59, 59, 999999999, time.FixedZone("X", 3600))
	values := []string{
		"abcdefghijklmnopqrstuvwxyz012345",
		"eyJhIjoxfQ:1r31eq:_aJ7yMmc1HwH5IUxenklKf9csAfBeVYWHojANb4Sp0U",
		".eJxVjMEOwiAQBf-FMyGyLIX26N0vMIbAArZqSlLoyfjvtkkPen0zb97M-bWNbq1pcVNkA0Ng_HcMnp5p3kl8:1r31eq:HHhH9H",
		"e1.AAAA-_~!#$%&'()*+/<=>?@[]^`{|}",
		"with space", "with,comma", `with"quote`, "semi;colon", `back\slash`, "tab\tand\x7fdel", "é", "",
	}
	ages := []time.Duration{0, 500 * time.Millisecond, time.Second, 1209600 * time.Second, 90*time.Minute + 300*time.Millisecond, 50 * 365 * 24 * time.Hour}
	for _, name := range []string{"sessionid", "__Host-s"} {
		for _, path := range []string{"/", "", "/app;x"} {
			for _, domain := range []string{"", "example.com", ".example.com"} {
				for _, same := range []http.SameSite{0, http.SameSiteDefaultMode, http.SameSiteLaxMode, http.SameSiteStrictMode, http.SameSiteNoneMode} {
					for flags := range 8 {
						o := defaultOptions()
						o.CookieName, o.CookiePath, o.CookieDomain, o.CookieSameSite = name, path, domain, same
						o.CookieSecure, o.CookieHTTPOnly, o.CookiePartitioned = flags&1 != 0, flags&2 != 0, flags&4 != 0
						f := newCookieFormat(&o)
						for _, v := range values {
							for _, age := range ages {
								want := &http.Cookie{
									Name: name, Value: v, Path: path, Domain: domain, SameSite: same,
									Secure: o.CookieSecure, HttpOnly: o.CookieHTTPOnly, Partitioned: o.CookiePartitioned,
								}
								if age > 0 {
									want.Expires, want.MaxAge = now.Add(age), int(age/time.Second)
								}
								if got := f.line(v, now, age); got != want.String() {
									t.Fatalf("options %+v, value %q, age %v:\n got %q\nwant %q", o, v, age, got, want.String())
								}
							}
						}
					}
				}
			}
		}
	}
}

// readCookieByTrimSpace is readCookie as it was before it skipped
// TrimSpace on parts with nothing to trim: the reference it must agree with.
func readCookieByTrimSpace(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			part = strings.TrimSpace(part)
			if len(part) <= len(name) || part[len(name)] != '=' || part[:len(name)] != name {
				if part == name {
					return "", true
				}
				continue
			}
			v := part[len(name)+1:]
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}

// TestReadCookieTrimsExactlyAsTrimSpace: every combination of ASCII and
// Unicode white space, quotes and neighbours around the session cookie
// reads the same as with strings.TrimSpace on every part.
func TestReadCookieTrimsExactlyAsTrimSpace(t *testing.T) {
	pads := []string{"", " ", "\t", "\u00a0", "\u0085", "\u2003", "\u00e9", "x", "\x7f", "\x00"}
	values := []string{"abcdefghijklmnopqrstuvwxyz012345", `"quoted0123"`, "", "a"}
	for _, before := range pads {
		for _, after := range pads {
			for _, v := range values {
				for _, line := range []string{
					before + "sessionid=" + v + after,
					"csrftoken=x;" + before + "sessionid=" + v + after + "; other=y",
					before + "sessionid" + after + ";sessionid=" + v,
					"sessionid2=z; " + before + "sessionid =" + v + after,
				} {
					h := http.Header{"Cookie": {line}}
					gotV, gotOK := readCookie(h, "sessionid")
					wantV, wantOK := readCookieByTrimSpace(h, "sessionid")
					if gotV != wantV || gotOK != wantOK {
						t.Fatalf("Cookie: %q: got %q, %v; want %q, %v", line, gotV, gotOK, wantV, wantOK)
					}
				}
			}
		}
	}
}

// FuzzReadCookie: readCookie, its shortcut for the common shape included,
// reads what the reference reads from any Cookie header, on one line or
// split over two.
func FuzzReadCookie(f *testing.F) {
	for _, seed := range []string{
		"sessionid=abcdefghijklmnopqrstuvwxyz012345", "sessionid=abc; csrftoken=x", "sessionid=", "sessionid=;x=y",
		`sessionid="quoted"`, `sessionid="`, "sessionid=abc ", "sessionid=abc\u00a0; x=y", "sessionid", "sessionid;sessionid=v",
		"csrftoken=x; sessionid=v", "sessionidx=1; sessionid=2", " sessionid=v", "sessionid=v\xff", "sessionid=\"; x",
	} {
		f.Add(seed, -1)
		f.Add(seed, 5)
	}
	f.Fuzz(func(t *testing.T, line string, split int) {
		h := http.Header{"Cookie": {line}}
		if split >= 0 && split <= len(line) {
			h["Cookie"] = []string{line[:split], line[split:]}
		}
		gotV, gotOK := readCookie(h, "sessionid")
		wantV, wantOK := readCookieByTrimSpace(h, "sessionid")
		if gotV != wantV || gotOK != wantOK {
			t.Fatalf("Cookie: %q: got %q, %v; want %q, %v", h["Cookie"], gotV, gotOK, wantV, wantOK)
		}
	})
}

// TestHTTPDatesAreWhatAppendFormatWrites: the hand-written Expires date is
// byte for byte AppendFormat's, for times all over the years it handles
// (every month, weekday and hour, leap days) and the years it hands back.
func TestHTTPDatesAreWhatAppendFormatWrites(t *testing.T) {
	check := func(tm time.Time) {
		t.Helper()
		if got, want := string(appendHTTPDate(nil, tm)), tm.UTC().Format(http.TimeFormat); got != want {
			t.Fatalf("appendHTTPDate(%v) = %q, want %q", tm, got, want)
		}
	}
	for tm := time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC); tm.Year() < 2031; tm = tm.Add(7*time.Hour + 13*time.Minute + 17*time.Second) {
		check(tm)
	}
	// Every day of whole eras, before and after 1970, and each hour.
	for tm := time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 2500; tm = tm.Add(24*time.Hour + 37*time.Minute + 11*time.Second) {
		check(tm)
	}
	for tm := time.Date(9000, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 10001; tm = tm.Add(97 * time.Hour) {
		check(tm)
	}
	for _, tm := range []time.Time{
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 1, 23, 59, 59, 999999999, time.FixedZone("X", -11*3600)),
		time.Date(1000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999, time.UTC),
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 0, time.UTC),
		time.Date(1900, 2, 28, 12, 0, 0, 0, time.UTC),
		time.Date(1600, 12, 31, 23, 59, 59, 0, time.UTC),
	} {
		check(tm)
	}
}
