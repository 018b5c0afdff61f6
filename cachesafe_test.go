package ginsession_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
)

// TestEveryResponseCarryingTheSessionCookieVariesOnCookie checks the rule
// of Django 5.2.14 / 6.0.5 (CVE-2026-35192) across every way the session
// cookie goes out (set, re-sent, deleted; by a write, Save, CycleKey,
// Flush, SaveEveryRequest on a session the view never touched, a stale key,
// an expiry already past), on a store with Touch (memstore), one without
// (the counting fault store) and the cookie store, with and without
// SaveEveryRequest and with a Vary the handler set itself: whenever a
// response has the session's Set-Cookie it has Vary: Cookie, or a shared
// cache could hand one user's session to the next visitor.
func TestEveryResponseCarryingTheSessionCookieVariesOnCookie(t *testing.T) {
	type route struct {
		path   string
		handle func(s *ginsession.Session)
	}
	routes := []route{
		{"/ignore", func(*ginsession.Session) {}},
		{"/set", func(s *ginsession.Session) { s.Set("foo", "bar") }},
		{"/read", func(s *ginsession.Session) { s.Get("foo") }},
		{"/save", func(s *ginsession.Session) { s.Set("foo", "saved"); _ = s.Save() }},
		{"/cycle", func(s *ginsession.Session) { _ = s.CycleKey() }},
		{"/flush", func(s *ginsession.Session) { _ = s.Flush() }},
		{"/delete", func(s *ginsession.Session) { s.Delete("foo") }},
		{"/clear", func(s *ginsession.Session) { s.Clear() }},
		{"/expire-now", func(s *ginsession.Session) { s.SetExpiry(-time.Second) }},
		{"/expire-1700", func(s *ginsession.Session) { s.SetExpiryAt(time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)) }},
		{"/browser", func(s *ginsession.Session) { s.SetExpiry(0) }},
	}
	kinds := []struct {
		name     string
		newStore func() stores.Store
	}{
		{"memstore (Touch)", func() stores.Store { return testenv.Must(memstore.New()) }},
		{"no Touch", func() stores.Store { return newFaultStore() }},
		{"cookie store", func() stores.Store { return testenv.Must(cookiestore.New()) }},
	}
	cookies := []struct {
		name string
		make func(a *app) string
	}{
		{"no cookie", func(*app) string { return "" }},
		{"a live session", liveSession},
		{"an unknown key", func(*app) string { return "sessionid=" + stores.NewKey() }},
		{"a too-short key", func(*app) string { return "sessionid=abc" }},
		{"a live session deleted before the request ends", liveSession},
	}
	sent := map[string]int{} // how often each kind of Set-Cookie went out
	for _, kind := range kinds {
		for _, every := range []bool{false, true} {
			for _, presetVary := range []bool{false, true} {
				store := kind.newStore()
				a := newApp(t, store, ginsession.WithSaveEveryRequest(every), ginsession.WithSecretKey(secretA)).standardRoutes()
				var doomed string // deleted by the handler behind the session's back
				for _, rt := range routes {
					a.r.GET("/v"+rt.path, func(c *gin.Context) {
						if presetVary {
							c.Header("Vary", "Accept-Encoding")
						}
						if doomed != "" {
							_ = store.Delete(c.Request.Context(), doomed) // a cookie store has no record to delete
						}
						rt.handle(ginsession.From(c))
						c.String(http.StatusOK, "ok")
					})
				}
				for _, ck := range cookies {
					for _, rt := range routes {
						cookie := ck.make(a)
						doomed = ""
						if strings.HasPrefix(ck.name, "a live session deleted") {
							doomed = strings.TrimPrefix(cookie, "sessionid=")
						}
						r := a.get("/v"+rt.path, cookie)
						line := r.cookie("sessionid")
						name := kind.name + ", " + ck.name + ", " + rt.path
						if every {
							name += ", SaveEveryRequest"
						}
						if r.StatusCode >= 500 {
							t.Fatalf("%s: status %d %q", name, r.StatusCode, r.body)
						}
						if line == "" {
							continue
						}
						switch {
						case strings.HasPrefix(line, "sessionid=;"):
							sent["deletion"]++
						default:
							sent["session"]++
						}
						vary := strings.Join(r.Header.Values("Vary"), ", ")
						if !hasToken(vary, "Cookie") {
							t.Errorf("%s: Set-Cookie %.60q without Vary: Cookie (Vary %q)", name, line, vary)
						}
						if presetVary && !hasToken(vary, "Accept-Encoding") {
							t.Errorf("%s: the handler's Vary was lost: %q", name, vary)
						}
					}
				}
			}
		}
	}
	if sent["deletion"] == 0 || sent["session"] == 0 {
		t.Fatalf("the matrix sent %v: it must cover both set and deleted cookies", sent)
	}
}

// liveSession makes a session holding foo=bar through /set, on any store,
// and returns the Cookie header that sends it back.
func liveSession(a *app) string {
	a.t.Helper()
	v := a.get("/set?k=foo&v=bar", "").cookieValue("sessionid")
	if len(v) < stores.MinKeyLength {
		a.t.Fatal("no session cookie from /set")
	}
	return "sessionid=" + v
}

// hasToken reports whether a comma-separated header value lists token.
func hasToken(v, token string) bool {
	for _, p := range strings.Split(v, ",") {
		if strings.EqualFold(strings.TrimSpace(p), token) {
			return true
		}
	}
	return false
}
