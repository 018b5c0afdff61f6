package ginsession

import (
	"net/http"
	"strings"
	"testing"
)

// readCookieByTrimSpace is readCookie as it was, splitting by hand before
// strings.SplitSeq and strings.Cut: the reference it must agree with.
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

// FuzzReadCookie: readCookie reads what the reference reads from any
// Cookie header, on one line or split over two.
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
