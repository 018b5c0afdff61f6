package ginsession

import (
	"net/http"
	"testing"

	"github.com/ginsession/ginsession/stores"
)

// BenchmarkReadSessionCookie is what every request with a session cookie
// pays before its handler runs, used or not: finding the cookie and
// checking the key (the "untouched" rows of BENCHMARKS.md).
func BenchmarkReadSessionCookie(b *testing.B) {
	key := "abcdefghijklmnopqrstuvwxyz012345"
	for _, c := range []struct {
		name string
		h    http.Header
	}{
		{"alone", http.Header{"Cookie": {"sessionid=" + key}}},
		{"after-csrf", http.Header{
			"Accept": {"text/html"}, "Accept-Encoding": {"gzip, deflate, br"}, "Accept-Language": {"en-GB,en;q=0.9"},
			"Connection": {"keep-alive"}, "User-Agent": {"Mozilla/5.0 (X11; Linux x86_64)"}, "Referer": {"https://example.com/"},
			"Cookie": {"csrftoken=0123456789abcdefghijABCDEFGHIJ0123456789abcdefghijABCDEFGHIJ; sessionid=" + key},
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				v, ok := readCookie(c.h, "sessionid")
				if !ok || !stores.ValidKey(v) {
					b.Fatal("no key")
				}
			}
		})
	}
}
