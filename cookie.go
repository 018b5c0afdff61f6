package ginsession

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// cookie is the Set-Cookie value carrying the session's record reference
// (a key, or the sealed record for a cookie store); age 0 makes a
// browser-session cookie.
func (s *Session) cookie(now time.Time, age time.Duration) string {
	return s.m.format.line(s.m.backend.cookieValue(s), now, age)
}

// cookieEpoch is 1601-01-01 in Unix seconds: http.Cookie.String drops an
// Expires before it.
const cookieEpoch = -11644473600

// cookieFormat writes the session cookie's Set-Cookie line byte for byte
// as http.Cookie.String does, from parts http.Cookie.String produced once
// in New: only the value, Expires and Max-Age change per response. It
// spares every saved session http.Cookie.String's validation and
// formatting of attributes fixed by the options, over 10% of a new
// session on the memory store (the "new" rows of BENCHMARKS.md).
type cookieFormat struct {
	opts  *options
	name  string // "sessionid="
	attrs string // "; Path=/" and "; Domain=...": what precedes Expires
	flags string // "; HttpOnly", "; Secure", "; SameSite=...", "; Partitioned"
}

func newCookieFormat(o *options) cookieFormat {
	f := cookieFormat{opts: o, name: o.CookieName + "="}
	f.attrs = strings.TrimPrefix((&http.Cookie{Name: o.CookieName, Path: o.CookiePath, Domain: o.CookieDomain}).String(), f.name)
	f.flags = strings.TrimPrefix((&http.Cookie{
		Name:        o.CookieName,
		Secure:      o.CookieSecure,
		HttpOnly:    o.CookieHTTPOnly,
		SameSite:    o.CookieSameSite,
		Partitioned: o.CookiePartitioned,
	}).String(), f.name)
	return f
}

// line returns the Set-Cookie value carrying v, expiring age after now (at
// the end of the browser session for age 0).
func (f *cookieFormat) line(v string, now time.Time, age time.Duration) string {
	var exp time.Time
	maxAge := 0
	if age > 0 {
		exp, maxAge = now.Add(age), int(age/time.Second)
	}
	if !plainCookieValue(v) || (!exp.IsZero() && exp.Unix() < cookieEpoch) {
		// What http.Cookie.String would change (quote, drop bytes, drop
		// Expires) it does itself.
		return f.slow(v, exp, maxAge)
	}
	var b strings.Builder
	b.Grow(len(f.name) + len(v) + len(f.attrs) + len(f.flags) + len("; Expires=; Max-Age=") + len(http.TimeFormat) + 20)
	b.WriteString(f.name)
	b.WriteString(v)
	b.WriteString(f.attrs)
	var buf [len(http.TimeFormat)]byte
	if !exp.IsZero() {
		b.WriteString("; Expires=")
		b.Write(appendHTTPDate(buf[:0], exp))
	}
	if maxAge > 0 {
		b.WriteString("; Max-Age=")
		b.Write(strconv.AppendInt(buf[:0], int64(maxAge), 10))
	}
	b.WriteString(f.flags)
	return b.String()
}

// appendHTTPDate appends t as t.UTC().AppendFormat(b, http.TimeFormat)
// does, from its Unix seconds with integer arithmetic only, in a fraction
// of AppendFormat's time (which was a tenth of saving a new session on the
// memory store, the "new" rows of BENCHMARKS.md), for years 1000 to 9999;
// others take AppendFormat.
func appendHTTPDate(b []byte, t time.Time) []byte {
	secs := t.Unix()
	days, sod := secs/86400, secs%86400
	if sod < 0 {
		days, sod = days-1, sod+86400
	}
	// Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil,
	// inverted), in 400-year eras starting on March 1st.
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day, month, year := doy-(153*mp+2)/5+1, mp+3, yoe+era*400
	if month > 12 {
		month -= 12
		year++
	}
	if year < 1000 || year > 9999 {
		return t.UTC().AppendFormat(b, http.TimeFormat)
	}
	wd := ((days+4)%7 + 7) % 7 // 1970-01-01 was a Thursday
	const dayNames, monthNames = "SunMonTueWedThuFriSat", "JanFebMarAprMayJunJulAugSepOctNovDec"
	two := func(b []byte, n int64) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }
	b = append(b, dayNames[wd*3:wd*3+3]...)
	b = append(b, ", "...)
	b = two(b, day)
	b = append(b, ' ')
	b = append(b, monthNames[(month-1)*3:(month-1)*3+3]...)
	b = append(b, ' ')
	b = two(two(b, year/100), year%100)
	b = append(b, ' ')
	b = two(b, sod/3600)
	b = append(b, ':')
	b = two(b, sod/60%60)
	b = append(b, ':')
	b = two(b, sod%60)
	return append(b, " GMT"...)
}

// slow is line through http.Cookie.String.
func (f *cookieFormat) slow(v string, exp time.Time, maxAge int) string {
	o := f.opts
	return (&http.Cookie{
		Name:        o.CookieName,
		Value:       v,
		Path:        o.CookiePath,
		Domain:      o.CookieDomain,
		Expires:     exp,
		MaxAge:      maxAge,
		Secure:      o.CookieSecure,
		HttpOnly:    o.CookieHTTPOnly,
		SameSite:    o.CookieSameSite,
		Partitioned: o.CookiePartitioned,
	}).String()
}

// plainCookieValue reports whether http.Cookie.String writes v as it is:
// no byte it would drop, nothing that makes it quote the value. Keys and
// sealed cookies (base64url, ':' and '.') always are.
func plainCookieValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f || c == '"' || c == ';' || c == '\\' || c == ',' {
			return false
		}
	}
	return true
}

// sendCookie adds a Set-Cookie line and, unless varied says the response
// varies on Cookie already, Vary: Cookie: a response that carries the
// session cookie must never be served from a shared cache to someone else.
func (s *Session) sendCookie(h http.Header, v string, varied bool) {
	s.addSetCookie(h, v)
	if !varied {
		addVaryCookie(h)
	}
}

// addSetCookie adds a Set-Cookie line to h. When it is the first, the
// session's own array backs the header's slice, which saves the allocation
// of Header.Add; its capacity is 1, so a later append, by anyone, copies it
// rather than writing into it.
func (s *Session) addSetCookie(h http.Header, v string) {
	if len(h["Set-Cookie"]) == 0 && s.sessionData != nil {
		s.setCookie[0] = v
		h["Set-Cookie"] = s.setCookie[:1:1]
		return
	}
	h.Add("Set-Cookie", v)
}

// deletionCookie is the Set-Cookie value that removes the session cookie,
// with Django's attributes (no HttpOnly; Secure only where required).
func (m *middleware) deletionCookie() string {
	o := &m.opts
	ck := &http.Cookie{
		Name:        o.CookieName,
		Value:       "",
		Path:        o.CookiePath,
		Domain:      o.CookieDomain,
		MaxAge:      -1,
		Expires:     time.Unix(0, 0),
		SameSite:    o.CookieSameSite,
		Partitioned: o.CookiePartitioned,
		Secure: o.CookieSameSite == http.SameSiteNoneMode || o.CookiePartitioned ||
			strings.HasPrefix(o.CookieName, "__Secure-") || strings.HasPrefix(o.CookieName, "__Host-"),
	}
	return ck.String()
}

// varyCookie is shared by every response, as gin shares its Content-Type
// values: header values are replaced, never written in place.
var varyCookie = []string{"Cookie"}

// addVaryCookie adds Cookie to the Vary header unless it is there already
// (any case) or Vary is "*", keeping one comma-separated line as Django does.
func addVaryCookie(h http.Header) {
	vals := h["Vary"] // Values("Vary") without canonicalizing a canonical key
	if len(vals) == 0 {
		h["Vary"] = varyCookie
		return
	}
	var parts []string
	for _, v := range vals {
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

// readCookie finds the first cookie called name in the request headers
// without allocating. Browsers send the most specific path first, so the
// first is the one meant for this path. Surrounding quotes are removed.
func readCookie(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			if len(part) > 0 && (part[0] <= ' ' || part[0] >= 0x80 || part[len(part)-1] <= ' ' || part[len(part)-1] >= 0x80) {
				// Only then can there be white space to trim; the check
				// spares TrimSpace on nearly every request.
				part = strings.TrimSpace(part)
			}
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
