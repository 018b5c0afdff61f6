package csrf

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Django's reasons for the Origin and Referer checks (4.0 and later).
const (
	reasonBadOrigin        = "Origin checking failed - %s does not match any trusted origins."
	reasonNoReferer        = "Referer checking failed - no Referer."
	reasonBadReferer       = "Referer checking failed - %s does not match any trusted origins."
	reasonMalformedReferer = "Referer checking failed - Referer is malformed."
	reasonInsecureReferer  = "Referer checking failed - Referer is insecure while host is secure."
	// reasonCrossSite is this package's own: the Fetch Metadata check that
	// Django does not have.
	reasonCrossSite = "Fetch Metadata checking failed - Sec-Fetch-Site is cross-site."
)

// trustedOrigins is Django's CSRF_TRUSTED_ORIGINS, split as Django splits it.
type trustedOrigins struct {
	exact map[string]bool     // origins without "*", compared as strings
	sub   map[string][]string // scheme -> ".example.com" for "scheme://*.example.com"
	hosts []string            // every entry's host, "*" dropped: for the Referer check
	err   error               // the first entry without a scheme
}

// add parses origins. An entry without "://" is kept as an error for New to
// panic with: Django 4.0 made the scheme required (3.2 took bare hosts).
func (t *trustedOrigins) add(origins ...string) {
	for _, o := range origins {
		scheme, rest, ok := strings.Cut(o, "://")
		if !ok || scheme == "" {
			if t.err == nil {
				t.err = fmt.Errorf("csrf: trusted origin %q has no scheme: write it as Django 4.0 and later do, \"https://example.com\" or \"https://*.example.com\"", o)
			}
			continue
		}
		host := rest
		if i := strings.IndexAny(host, "/?#"); i >= 0 {
			host = host[:i]
		}
		host = strings.TrimLeft(host, "*")
		t.hosts = append(t.hosts, host)
		if !strings.Contains(o, "*") {
			if t.exact == nil {
				t.exact = map[string]bool{}
			}
			t.exact[o] = true
			continue
		}
		if t.sub == nil {
			t.sub = map[string][]string{}
		}
		scheme = strings.ToLower(scheme)
		t.sub[scheme] = append(t.sub[scheme], host)
	}
}

// allows reports whether origin is one of the trusted origins: listed
// exactly, or on a "*." entry's domain with the same scheme.
func (t *trustedOrigins) allows(origin string) bool {
	if t.exact[origin] {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	nl := netloc(u)
	for _, pattern := range t.sub[u.Scheme] {
		if isSameDomain(nl, pattern) {
			return true
		}
	}
	return false
}

// netloc is Python's urlparse(...).netloc: the user info, if any, and the
// host with its port.
func netloc(u *url.URL) string {
	if u.User != nil {
		return u.User.String() + "@" + u.Host
	}
	return u.Host
}

// isSameDomain is Django's is_same_domain: host equals pattern, or pattern
// starts with a dot and host is that domain or a subdomain of it. The
// pattern is compared in lower case, the host as given.
func isSameDomain(host, pattern string) bool {
	if pattern == "" {
		return false
	}
	pattern = strings.ToLower(pattern)
	if pattern[0] == '.' {
		return strings.HasSuffix(host, pattern) || host == pattern[1:]
	}
	return host == pattern
}

// isSecure is Django's request.is_secure(): TLS to this server, or the
// header of WithSecureProxyHeader with its value.
func (cf *config) isSecure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return cf.proxyHeader != "" && r.Header.Get(cf.proxyHeader) == cf.proxyValue
}

// host returns the request's Host, and false where Django's get_host would
// raise DisallowedHost for its form (Django's host_validation_re; there is
// no ALLOWED_HOSTS here: Gin serves whatever reaches it).
func host(r *http.Request) (string, bool) {
	h := strings.ToLower(r.Host)
	name := h
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		port := h[i+1:]
		if port == "" || strings.Trim(port, "0123456789") != "" {
			return "", false
		}
		name = h[:i]
	}
	if strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]") {
		ip := name[1 : len(name)-1]
		return r.Host, strings.Contains(ip, ":") && strings.Trim(ip, "0123456789abcdef:.") == ""
	}
	return r.Host, name != "" && strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") == ""
}

// port is Django's request.get_port(): the port the client asked for in
// Host, else the port this server accepted the connection on, else the
// scheme's.
func (cf *config) port(r *http.Request) string {
	if _, p, err := net.SplitHostPort(r.Host); err == nil && p != "" {
		return p
	}
	if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if _, p, err := net.SplitHostPort(a.String()); err == nil {
			return p
		}
	}
	if cf.isSecure(r) {
		return "443"
	}
	return "80"
}

// checkOrigin returns why the request's Origin is refused, "" if it is the
// request's own or a trusted one: Django 4.0's _origin_verified.
func (cf *config) checkOrigin(r *http.Request, origin string) string {
	if h, ok := host(r); ok {
		scheme := "http"
		if cf.isSecure(r) {
			scheme = "https"
		}
		if origin == scheme+"://"+h {
			return ""
		}
	}
	if cf.trusted.allows(origin) {
		return ""
	}
	return fmt.Sprintf(reasonBadOrigin, origin)
}

// checkReferer returns why an HTTPS request without Origin is refused, ""
// if its Referer is an HTTPS page of a trusted origin's host, of the cookie
// domain, or of this host: Django's _check_referer.
func (cf *config) checkReferer(r *http.Request) string {
	vals, ok := r.Header["Referer"]
	if !ok || len(vals) == 0 {
		return reasonNoReferer
	}
	ref, err := url.Parse(vals[0])
	if err != nil || ref.Scheme == "" || netloc(ref) == "" {
		return reasonMalformedReferer
	}
	if ref.Scheme != "https" {
		return reasonInsecureReferer
	}
	nl := netloc(ref)
	for _, h := range cf.trusted.hosts {
		if isSameDomain(nl, h) {
			return ""
		}
	}
	good := cf.cookie.Domain
	if good == "" {
		h, ok := host(r)
		if !ok {
			return fmt.Sprintf(reasonBadReferer, logURL(ref))
		}
		good = h
	} else if p := cf.port(r); p != "443" && p != "80" {
		good += ":" + p
	}
	if !isSameDomain(nl, good) {
		return fmt.Sprintf(reasonBadReferer, logURL(ref))
	}
	return ""
}

// logURL is the Referer as a reason shows it: without its query and
// fragment, so that nothing a page put there (a token a GET form sent, say)
// reaches a log.
func logURL(u *url.URL) string {
	v := *u
	v.RawQuery, v.Fragment, v.RawFragment, v.ForceQuery = "", "", "", false
	return v.String()
}
