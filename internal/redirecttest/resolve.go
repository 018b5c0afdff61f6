// Package redirecttest follows a redirect the way a browser does, so tests
// can check where a Location header really sends the user, and holds the
// corpus of hostile and legitimate "next" values those tests use.
//
// Resolve implements the parts of the WHATWG URL Standard's basic URL
// parser (https://url.spec.whatwg.org/#concept-basic-url-parser) that
// decide where a reference resolved against an http or https base goes:
// the stripping of leading and trailing C0 controls and spaces, the removal
// of every tab, LF and CR, scheme detection with any letter case, the
// reading of "\" as "/" in special schemes, the ignoring of any run of
// slashes and backslashes before an authority, userinfo ("@"), UTS #46 host
// mapping (so fullwidth letters fold to ASCII), percent-decoding of hosts,
// dot segments including "%2e" forms, and the percent-encoding of paths,
// queries and fragments. It leaves out what cannot occur with such a base:
// file URLs, IPv6 and IPv4 number forms are kept as written.
package redirecttest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// URL is a resolved URL in its parts, serialised the WHATWG way.
type URL struct {
	Scheme   string // lower case, no ":"
	Opaque   bool   // a non-special scheme (javascript:, data:): no host
	Userinfo string // "user" or "user:password", percent-encoded
	Host     string // ASCII host, with ":port" unless it is the default
	Path     string // percent-encoded, starting with "/" for special schemes
	Query    string // without "?"; HasQuery tells an empty one from none
	HasQuery bool
	Fragment string // without "#"
	HasFrag  bool
}

// Origin returns scheme://host, or "null" for an opaque URL.
func (u URL) Origin() string {
	if u.Opaque {
		return "null"
	}
	return u.Scheme + "://" + u.Host
}

// String returns the URL's href.
func (u URL) String() string {
	var b strings.Builder
	b.WriteString(u.Scheme)
	b.WriteByte(':')
	if !u.Opaque {
		b.WriteString("//")
		if u.Userinfo != "" {
			b.WriteString(u.Userinfo)
			b.WriteByte('@')
		}
		b.WriteString(u.Host)
	}
	b.WriteString(u.Path)
	if u.HasQuery {
		b.WriteByte('?')
		b.WriteString(u.Query)
	}
	if u.HasFrag {
		b.WriteByte('#')
		b.WriteString(u.Fragment)
	}
	return b.String()
}

// ErrInvalid reports a reference a browser refuses to parse; it sends the
// user nowhere.
var ErrInvalid = errors.New("redirecttest: not a valid URL")

var specialPorts = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443", "ftp": "21"}

// Resolve returns where a browser that is at base goes for the reference
// ref (a Location header's value, an href). base must be an absolute http
// or https URL.
func Resolve(base, ref string) (URL, error) {
	b, err := parseBase(base)
	if err != nil {
		return URL{}, err
	}
	s := strings.TrimFunc(ref, func(r rune) bool { return r <= 0x20 })
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
	if scheme, rest, ok := cutScheme(s); ok {
		if _, special := specialPorts[scheme]; !special {
			if scheme == "file" {
				return URL{Scheme: "file", Host: "(file)"}, nil
			}
			return URL{Scheme: scheme, Opaque: true, Path: rest}, nil
		}
		if scheme != b.Scheme {
			// Special authority slashes state: any other special scheme
			// reads a host whatever the slashes.
			return authority(scheme, strings.TrimLeft(rest, `/\`))
		}
		// Special relative or authority state: only "//" starts an
		// authority; anything else is relative to base.
		if strings.HasPrefix(rest, "//") {
			return authority(scheme, strings.TrimLeft(rest, `/\`))
		}
		s = rest
	}
	return relative(b, s)
}

// parseBase reads the base URL, which the tests write themselves.
func parseBase(base string) (URL, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return URL{}, fmt.Errorf("redirecttest: base %q is not an absolute http(s) URL", base)
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && p != specialPorts[u.Scheme] {
		host += ":" + p
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return URL{Scheme: u.Scheme, Host: host, Path: path, Query: u.RawQuery, HasQuery: u.ForceQuery || u.RawQuery != ""}, nil
}

// cutScheme splits "scheme:rest" when s starts with a valid scheme.
func cutScheme(s string) (scheme, rest string, ok bool) {
	if s == "" || !isAlpha(s[0]) {
		return "", "", false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.':
		case c == ':':
			return strings.ToLower(s[:i]), s[i+1:], true
		default:
			return "", "", false
		}
	}
	return "", "", false
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// relative is the relative state: s resolved against base b.
func relative(b URL, s string) (URL, error) {
	u := URL{Scheme: b.Scheme, Host: b.Host}
	switch {
	case s == "":
		u.Path, u.Query, u.HasQuery = b.Path, b.Query, b.HasQuery
		return u, nil
	case s[0] == '/' || s[0] == '\\':
		if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
			return authority(b.Scheme, strings.TrimLeft(s, `/\`))
		}
		return withPath(u, nil, s[1:]), nil
	case s[0] == '?':
		u.Path = b.Path
		return queryAndFragment(u, s), nil
	case s[0] == '#':
		u.Path, u.Query, u.HasQuery = b.Path, b.Query, b.HasQuery
		u.Fragment, u.HasFrag = encode(s[1:], fragmentSet), true
		return u, nil
	}
	segs := splitPath(b.Path)
	if len(segs) > 0 {
		segs = segs[:len(segs)-1]
	}
	return withPath(u, segs, s), nil
}

// authority is the authority and host states: s is what follows the
// slashes.
func authority(scheme, s string) (URL, error) {
	end := strings.IndexAny(s, `/\?#`)
	if end < 0 {
		end = len(s)
	}
	auth, rest := s[:end], s[end:]
	userinfo := ""
	if at := strings.LastIndexByte(auth, '@'); at >= 0 {
		user, pass, _ := strings.Cut(auth[:at], ":")
		userinfo = encode(user, userinfoSet)
		if pass != "" {
			userinfo += ":" + encode(pass, userinfoSet)
		}
		auth = auth[at+1:]
	}
	hostport := auth
	port := ""
	if i := strings.LastIndexByte(auth, ':'); i >= 0 && !strings.Contains(auth[i:], "]") {
		hostport, port = auth[:i], auth[i+1:]
		for j := 0; j < len(port); j++ {
			if port[j] < '0' || port[j] > '9' {
				return URL{}, fmt.Errorf("%w: port %q", ErrInvalid, port)
			}
		}
		port = strings.TrimLeft(port, "0")
		if port == "" && auth[i+1:] != "" {
			port = "0"
		}
	}
	host, err := parseHost(hostport)
	if err != nil {
		return URL{}, err
	}
	if port != "" && port != specialPorts[scheme] {
		host += ":" + port
	}
	u := URL{Scheme: scheme, Host: host, Userinfo: userinfo}
	// Path start state: a "/" or "\" opens the path, anything else is
	// read as the path's first segment.
	if rest != "" && (rest[0] == '/' || rest[0] == '\\') {
		rest = rest[1:]
	}
	return withPath(u, nil, rest), nil
}

// hostProfile is UTS #46 as the URL Standard's domain to ASCII calls it:
// no STD3 rules, no hyphen checks, non-transitional.
var hostProfile = idna.New(idna.MapForLookup(), idna.StrictDomainName(false), idna.Transitional(false), idna.BidiRule(), idna.CheckJoiners(true))

func parseHost(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("%w: empty host", ErrInvalid)
	}
	if s[0] == '[' {
		return strings.ToLower(s), nil
	}
	dec, err := url.PathUnescape(s)
	if err != nil {
		dec = s // invalid escapes stay as written, and then fail below
	}
	if !utf8.ValidString(dec) {
		return "", fmt.Errorf("%w: host is not UTF-8", ErrInvalid)
	}
	ascii, err := hostProfile.ToASCII(dec)
	if err != nil {
		return "", fmt.Errorf("%w: host %q: %v", ErrInvalid, s, err)
	}
	if ascii == "" || strings.ContainsAny(ascii, "\x00\t\n\r #/:<>?@[\\]^|%\x7f") || strings.ContainsFunc(ascii, func(r rune) bool { return r < 0x20 }) {
		return "", fmt.Errorf("%w: host %q has a forbidden code point", ErrInvalid, ascii)
	}
	return strings.ToLower(ascii), nil
}

// withPath runs the path state from s on top of the segments segs, then
// the query and fragment states.
func withPath(u URL, segs []string, s string) URL {
	rest := ""
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s, rest = s[:i], s[i:]
	}
	parts := strings.Split(strings.ReplaceAll(s, `\`, "/"), "/")
	for i, seg := range parts {
		last := i == len(parts)-1
		switch {
		case isDoubleDot(seg):
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
			if last {
				segs = append(segs, "")
			}
		case isSingleDot(seg):
			if last {
				segs = append(segs, "")
			}
		default:
			segs = append(segs, encode(seg, pathSet))
		}
	}
	u.Path = "/" + strings.Join(segs, "/")
	return queryAndFragment(u, rest)
}

// queryAndFragment runs the query and fragment states on rest, which is
// empty or starts with "?" or "#".
func queryAndFragment(u URL, rest string) URL {
	if rest != "" && rest[0] == '?' {
		q := rest[1:]
		rest = ""
		if i := strings.IndexByte(q, '#'); i >= 0 {
			q, rest = q[:i], q[i:]
		}
		u.Query, u.HasQuery = encode(q, specialQuerySet), true
	}
	if rest != "" {
		u.Fragment, u.HasFrag = encode(rest[1:], fragmentSet), true
	}
	return u
}

func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	return strings.Split(p, "/")
}

func isSingleDot(s string) bool { return s == "." || strings.EqualFold(s, "%2e") }

func isDoubleDot(s string) bool {
	switch strings.ToLower(s) {
	case "..", ".%2e", "%2e.", "%2e%2e":
		return true
	}
	return false
}

// Percent-encode sets of the URL Standard, over the ASCII range; every
// byte from 0x7F up is always encoded.
const (
	fragmentSet     = " \"<>`"
	specialQuerySet = " \"#<>'"
	pathSet         = " \"#<>?^`{}"
	userinfoSet     = pathSet + "/:;=@[\\]|"
)

func encode(s, set string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || strings.IndexByte(set, c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
