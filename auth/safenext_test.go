package auth_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/redirecttest"
)

// redirectSite is a gin.Engine whose /go redirects to SafeNext of its next
// parameter, as a login handler does.
func redirectSite() *gin.Engine {
	r := gin.New()
	r.GET("/go", func(c *gin.Context) {
		c.Redirect(http.StatusSeeOther, auth.SafeNext(c.Query("next"), "/fallback"))
	})
	return r
}

// goURL is the request path that asks redirectSite for next.
func goURL(next string) string { return "/go?next=" + url.QueryEscape(next) }

// served runs redirectSite on a real listener and returns a function that
// answers the Location header sent for next, as a client reads it off the
// wire.
func served(t *testing.T) (origin string, location func(next string) string) {
	srv := httptest.NewServer(redirectSite())
	t.Cleanup(srv.Close)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return srv.URL, func(next string) string {
		t.Helper()
		resp, err := hc.Get(srv.URL + goURL(next))
		if err != nil {
			t.Fatalf("GET next=%q: %v", next, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("next=%q answered %d, want 303", next, resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
}

func TestSafeNextRedirectsNeverLeaveTheSite(t *testing.T) {
	origin, location := served(t)
	for _, next := range redirecttest.Hostile() {
		loc := location(next)
		u, err := redirecttest.Resolve(origin+"/login", loc)
		if err != nil || u.Origin() != origin {
			t.Errorf("next=%q: Location %q takes the browser to %s (%v), off %s", next, loc, u, err, origin)
			continue
		}
		// What SafeNext returned is what went out: http.Redirect's
		// path.Clean had nothing left to change.
		if safe := auth.SafeNext(next, "/fallback"); loc != safe {
			t.Errorf("next=%q: SafeNext gave %q but the redirect sent %q", next, safe, loc)
		}
	}
}

func TestSafeNextKeepsPathsOnTheSite(t *testing.T) {
	origin, location := served(t)
	for _, l := range redirecttest.Legitimate() {
		if got := auth.SafeNext(l.Next, "/fallback"); got != l.Location {
			t.Errorf("SafeNext(%q) = %q, want %q", l.Next, got, l.Location)
		}
		loc := location(l.Next)
		if loc != l.Location {
			t.Errorf("next=%q: Location %q, want %q", l.Next, loc, l.Location)
		}
		u, err := redirecttest.Resolve(origin+"/login", loc)
		if err != nil || u.String() != origin+l.Location {
			t.Errorf("next=%q: the browser goes to %s (%v), want %s", l.Next, u, err, origin+l.Location)
		}
	}
}

func TestSafeNextRefusesOpenRedirects(t *testing.T) {
	tests := []struct{ next, want string }{
		{"/profile", "/profile"},
		{"/", "/"},
		{"/search?q=a%20b&page=2#results", "/search?q=a%20b&page=2#results"},
		{"/a/b/../c", "/a/c"},
		{"/caf\u00e9", "/caf%C3%A9"},
		{"/" + strings.Repeat("a", 2047), "/" + strings.Repeat("a", 2047)},
		{"", "/fallback"},
		{"profile", "/fallback"},
		{"//evil.example", "/fallback"},
		{"///evil.example", "/fallback"},
		{"/\\evil.example", "/fallback"},
		{"/./\\evil.example", "/fallback"},
		{"/../\\evil.example", "/fallback"},
		{"/a/../\\evil.example", "/fallback"},
		{"/..//evil.example", "/evil.example"},
		{"/%2F%2Fevil.example", "/fallback"},
		{"/a/../%2F%2Fevil.example", "/fallback"},
		{"/%5Cevil.example", "/fallback"},
		{"/%09/evil.example", "/fallback"},
		{"/a%zz", "/fallback"},
		{"\\\\evil.example", "/fallback"},
		{"https://evil.example/", "/fallback"},
		{"http:/evil.example", "/fallback"},
		{"javascript:alert(1)", "/fallback"},
		{"data:text/html,hi", "/fallback"},
		{"/\t/evil.example", "/fallback"},
		{"/\n/evil.example", "/fallback"},
		{"/\r\nSet-Cookie: x=y", "/fallback"},
		{"/ok\x00", "/fallback"},
		{"/ok\x7f", "/fallback"},
		{" /profile", "/fallback"},
		{"\t//evil.example", "/fallback"},
		{"/" + strings.Repeat("a", 2048), "/fallback"},
		{"/" + strings.Repeat("\u00e9", 400), "/fallback"}, // 801 bytes, 2401 once encoded
	}
	for _, tc := range tests {
		if got := auth.SafeNext(tc.next, "/fallback"); got != tc.want {
			t.Errorf("SafeNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

// FuzzSafeNext checks, for any next, that the Location a gin.Engine sends
// for SafeNext(next) is exactly SafeNext's answer, that a browser resolves
// it to this site, and that SafeNext keeps its own answers.
func FuzzSafeNext(f *testing.F) {
	for _, next := range redirecttest.Hostile() {
		f.Add(next)
	}
	for _, l := range redirecttest.Legitimate() {
		f.Add(l.Next)
	}
	r := redirectSite()
	const origin = "https://site.example"
	f.Fuzz(func(t *testing.T, next string) {
		safe := auth.SafeNext(next, "/fallback")
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest("GET", origin+goURL(next), nil))
		loc := w.Header().Get("Location")
		if loc != safe {
			t.Fatalf("SafeNext(%q) = %q, but the redirect sent %q", next, safe, loc)
		}
		u, err := redirecttest.Resolve(origin+"/login", loc)
		if err != nil || u.Origin() != origin {
			t.Fatalf("next=%q: Location %q takes the browser to %s (%v)", next, loc, u, err)
		}
		if again := auth.SafeNext(safe, "/other"); again != safe {
			t.Fatalf("SafeNext(%q) = %q, but SafeNext of that is %q", next, safe, again)
		}
		if len(safe) > 2048 || !strings.HasPrefix(safe, "/") || strings.HasPrefix(safe, "//") ||
			strings.ContainsFunc(safe, func(r rune) bool { return r < 0x20 || r >= 0x7f || r == '\\' }) {
			t.Fatalf("SafeNext(%q) = %q, outside the documented form", next, safe)
		}
	})
}
