package auth

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// maxNext bounds what SafeNext takes and returns, in bytes, as Django does
// since CVE-2025-27556.
const maxNext = 2048

// SafeNext returns next as a path on this site, or fallback when next is
// anything else, so a login form's "next" parameter cannot send users to
// another site (an open redirect) or run script (javascript:, data:).
//
// An accepted next comes back in the form http.Redirect (and c.Redirect)
// sends unchanged: dot segments removed as by path.Clean, a trailing slash
// kept, bytes from 0x80 up percent-encoded. It starts with one "/" followed
// by anything but "/" or "\", holds only printable ASCII without "\", and is
// at most 2048 bytes, so a browser resolves it against this site. Its path,
// percent-decoded once, obeys the same rule ("/%2F%2Fx" is refused), so a
// proxy that decodes it stays on the site too. Unlike Django, SafeNext
// accepts no absolute URL, even of this host. fallback is returned as given.
func SafeNext(next, fallback string) string {
	if p, ok := localPath(next); ok {
		return p
	}
	return fallback
}

// localPath returns next in the form http.Redirect sends unchanged, and
// whether that is a path on this site. It is stricter than Django's
// url_has_allowed_host_and_scheme after its fixes: "\" (CVE-2014-3730,
// CVE-2016-2512), control characters (CVE-2015-0220, CVE-2015-2317) and
// schemes (CVE-2013-6044, CVE-2017-7233) are refused outright, and it checks
// what goes out after path.Clean ("/./\evil.example" became "/\evil.example").
func localPath(next string) (string, bool) {
	if len(next) > maxNext || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || hasUnsafeByte(next) {
		return "", false
	}
	// http.Redirect splits at the first "?" (a "#" before it stays in
	// the cleaned part) and cleans the rest, keeping a trailing slash.
	p, query, hasQuery := strings.Cut(next, "?")
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	decoded, err := url.PathUnescape(clean)
	if err != nil || strings.HasPrefix(decoded, "//") || hasUnsafeByte(decoded) {
		return "", false
	}
	if hasQuery {
		clean += "?" + query
	}
	out := escapeNonASCII(clean)
	if len(out) > maxNext {
		return "", false
	}
	return out, true
}

// hasUnsafeByte reports a control character or a backslash: browsers drop
// tabs and newlines inside URLs ("/\t/evil" is "//evil") and read "\" as
// "/".
func hasUnsafeByte(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' })
}

// escapeNonASCII percent-encodes every byte from 0x80 up, as http.Redirect
// does, in the upper case a browser uses.
func escapeNonASCII(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
