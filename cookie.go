package ginsession

import (
	"net/http"
	"strings"
	"time"
)

// cookie is the Set-Cookie value carrying the session's record reference
// (a key, or the sealed record for a cookie store); age 0 makes a
// browser-session cookie.
func (s *Session) cookie(now time.Time, age time.Duration) string {
	c := s.m.opts.sessionCookie(s.m.backend.cookieValue(s))
	c.Secure, c.HttpOnly = s.m.opts.CookieSecure, s.m.opts.CookieHTTPOnly
	if age > 0 {
		c.Expires, c.MaxAge = now.Add(age), int(age/time.Second)
	}
	return c.String()
}

// sessionCookie is the session cookie holding value, with the attributes
// its every Set-Cookie line carries.
func (o *options) sessionCookie(value string) *http.Cookie {
	return &http.Cookie{Name: o.CookieName, Value: value, Path: o.CookiePath, Domain: o.CookieDomain,
		SameSite: o.CookieSameSite, Partitioned: o.CookiePartitioned}
}

// sendCookie adds a Set-Cookie line and, unless varied says the response
// varies on Cookie already, Vary: Cookie: a response that carries the
// session cookie must never be served from a shared cache to someone else.
func (s *Session) sendCookie(h http.Header, v string, varied bool) {
	h.Add("Set-Cookie", v)
	if !varied {
		addVaryCookie(h)
	}
}

// deletionCookie is the Set-Cookie value that removes the session cookie,
// with Django's attributes (no HttpOnly; Secure only where required).
func (m *middleware) deletionCookie() string {
	o := &m.opts
	c := o.sessionCookie("")
	c.MaxAge, c.Expires = -1, time.Unix(0, 0)
	c.Secure = o.CookieSameSite == http.SameSiteNoneMode || o.CookiePartitioned ||
		strings.HasPrefix(o.CookieName, "__Secure-") || strings.HasPrefix(o.CookieName, "__Host-")
	return c.String()
}

// addVaryCookie adds Cookie to the Vary header unless it is there already
// (any case) or Vary is "*", keeping one comma-separated line as Django does.
func addVaryCookie(h http.Header) {
	var parts []string
	for _, v := range h.Values("Vary") {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			switch {
			case p == "":
				continue
			case p == "*":
				h.Set("Vary", "*")
				return
			case strings.EqualFold(p, "Cookie"):
				return
			}
			parts = append(parts, p)
		}
	}
	h.Set("Vary", strings.Join(append(parts, "Cookie"), ", "))
}

// readCookie returns the value of the first cookie called name in the
// request's Cookie headers, without surrounding quotes; a bare name reads
// as empty. Browsers send the most specific path first, so the first is
// the one meant for this path.
func readCookie(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for part := range strings.SplitSeq(line, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if k != name {
				continue
			}
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}
