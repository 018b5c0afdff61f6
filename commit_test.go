package ginsession_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores"
)

// TestDjangoMiddlewareScenarios replays, row by row, the scenario table of
// Django's SessionMiddleware (reference §3.2).
func TestDjangoMiddlewareScenarios(t *testing.T) {
	type want struct {
		cookie  string // "", "new", "delete", "resent", "browser", "max60"
		vary    string
		status  int
		stored  bool // the session holds hello=world afterwards (for "new"/"resent")
		noStore bool // nothing at all was stored
	}
	tests := []struct {
		name   string
		opts   []ginsession.Option
		cookie func(a *app) string
		path   string
		want   want
	}{
		{"no cookie, the view writes: a new 32-char key with Max-Age and Expires", nil, nil, "/w", want{cookie: "new", vary: "Cookie", stored: true}},
		{"no cookie, the view only reads: no cookie, Vary", nil, nil, "/r", want{vary: "Cookie", noStore: true}},
		{"no cookie, the view ignores the session: no cookie, no Vary", nil, nil, "/i", want{noStore: true}},
		{"a too-short cookie, the view ignores the session: deletion cookie", nil, func(*app) string { return "sessionid=abc" }, "/i", want{cookie: "delete", vary: "Cookie"}},
		{"an unknown 32-char key, the view ignores the session: nothing", nil, func(*app) string { return "sessionid=" + stores.NewKey() }, "/i", want{}},
		// Django checks only the length until the session is used (verified
		// against 3.2): a value of 8 characters or more that is no key keeps
		// its cookie on a request that ignores the session, and a request
		// that uses it finds no session and deletes the cookie.
		{"8+ characters that are no key, the view ignores the session: nothing", nil, func(*app) string { return "sessionid=../../etc/passwd" }, "/i", want{noStore: true}},
		{"8+ characters that are no key, the view reads: deletion cookie", nil, func(*app) string { return "sessionid=../../etc/passwd" }, "/r", want{cookie: "delete", vary: "Cookie", noStore: true}},
		{"41 characters, the view ignores the session: nothing", nil, func(*app) string { return "sessionid=" + strings.Repeat("a", 41) }, "/i", want{noStore: true}},
		{"41 characters, the view reads: deletion cookie", nil, func(*app) string { return "sessionid=" + strings.Repeat("a", 41) }, "/r", want{cookie: "delete", vary: "Cookie", noStore: true}},
		{"8+ characters that are no key, SaveEveryRequest: deletion cookie, nothing stored", []ginsession.Option{ginsession.WithSaveEveryRequest(true)}, func(*app) string { return "sessionid=UPPERCASEKEY1234" }, "/i", want{cookie: "delete", vary: "Cookie", noStore: true}},
		{"an unknown 32-char key, the view reads: deletion cookie", nil, func(*app) string { return "sessionid=" + stores.NewKey() }, "/r", want{cookie: "delete", vary: "Cookie"}},
		{"a valid cookie, the view flushes: deletion cookie", nil, func(a *app) string { return "sessionid=" + a.newSessionKey() }, "/flush", want{cookie: "delete", vary: "Cookie"}},
		{"no cookie, the view flushes: no cookie, Vary", nil, nil, "/flush", want{vary: "Cookie", noStore: true}},
		{"the view writes and answers 500: no cookie, nothing stored", nil, nil, "/w500", want{vary: "Cookie", status: 500, noStore: true}},
		{"the view writes and answers 503: no cookie, nothing stored (Django 4.2+)", nil, nil, "/w503", want{vary: "Cookie", status: 503, noStore: true}},
		{"SetExpiry(0): a browser-session cookie", nil, nil, "/expiry0", want{cookie: "browser", vary: "Cookie", stored: true}},
		{"ExpireAtBrowserClose: a browser-session cookie", []ginsession.Option{ginsession.WithExpireAtBrowserClose(true)}, nil, "/w", want{cookie: "browser", vary: "Cookie", stored: true}},
		{"SetExpiry(60s): Max-Age=60", nil, nil, "/expiry60", want{cookie: "max60", vary: "Cookie", stored: true}},
		// Django 3.2 sent no Vary here; Django 5.2.14 / 6.0.5 fixed that as
		// CVE-2026-35192, and ginsession follows the fixed Django.
		{"a valid cookie, the view ignores the session, SaveEveryRequest: cookie re-sent, Vary (CVE-2026-35192)", []ginsession.Option{ginsession.WithSaveEveryRequest(true)}, func(a *app) string { return "sessionid=" + a.newSessionKey() }, "/i", want{cookie: "resent", vary: "Cookie"}},
		{"a valid cookie, the view reads: no cookie, Vary", nil, func(a *app) string { return "sessionid=" + a.newSessionKey() }, "/r", want{vary: "Cookie"}},
		{"no cookie, the view reads, SaveEveryRequest: no cookie (empty is never saved)", []ginsession.Option{ginsession.WithSaveEveryRequest(true)}, nil, "/r", want{vary: "Cookie", noStore: true}},
		{"the response has Vary: Accept-Encoding: Cookie is appended", nil, nil, "/vary", want{vary: "Accept-Encoding, Cookie", noStore: true}},
		{"an existing key whose data is emptied: record updated, cookie re-sent", nil, func(a *app) string { return "sessionid=" + a.newSessionKey() }, "/delete", want{cookie: "resent", vary: "Cookie"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, nil, tc.opts...).standardRoutes()
			s := func(c *gin.Context) *ginsession.Session { return ginsession.From(c) }
			a.r.GET("/w", func(c *gin.Context) { s(c).Set("hello", "world"); c.String(200, "ok") })
			a.r.GET("/r", func(c *gin.Context) { _, _ = s(c).Get("hello"); c.String(200, "ok") })
			a.r.GET("/i", func(c *gin.Context) { c.String(200, "ok") })
			a.r.GET("/w500", func(c *gin.Context) { s(c).Set("hello", "world"); c.String(500, "boom") })
			a.r.GET("/w503", func(c *gin.Context) { s(c).Set("hello", "world"); c.String(503, "busy") })
			a.r.GET("/expiry0", func(c *gin.Context) { s(c).SetExpiry(0); s(c).Set("hello", "world"); c.String(200, "ok") })
			a.r.GET("/expiry60", func(c *gin.Context) { s(c).SetExpiry(time.Minute); s(c).Set("hello", "world"); c.String(200, "ok") })
			a.r.GET("/vary", func(c *gin.Context) { c.Header("Vary", "Accept-Encoding"); _, _ = s(c).Get("x"); c.String(200, "ok") })
			var cookie, oldKey string
			if tc.cookie != nil {
				cookie = tc.cookie(a)
				oldKey = strings.TrimPrefix(cookie, "sessionid=")
			}
			before := len(a.store.records)
			a.store.resetCounts()
			r := a.get(tc.path, cookie)
			wantStatus := tc.want.status
			if wantStatus == 0 {
				wantStatus = 200
			}
			if r.StatusCode != wantStatus {
				t.Fatalf("status %d, want %d (body %q)", r.StatusCode, wantStatus, r.body)
			}
			line := r.cookie("sessionid")
			switch tc.want.cookie {
			case "":
				if line != "" {
					t.Fatalf("Set-Cookie %q, want none", line)
				}
			case "delete":
				if !strings.HasPrefix(line, "sessionid=;") || !strings.Contains(line, "Max-Age=0") || !strings.Contains(line, "Expires=Thu, 01 Jan 1970 00:00:00 GMT") || strings.Contains(line, "HttpOnly") || !strings.Contains(line, "SameSite=Lax") || !strings.Contains(line, "Path=/") {
					t.Fatalf("Set-Cookie %q, want Django's deletion cookie", line)
				}
			case "new", "resent", "browser", "max60":
				v := r.cookieValue("sessionid")
				if !keyPattern.MatchString(v) {
					t.Fatalf("Set-Cookie %q: value is not a 32-char key", line)
				}
				if tc.want.cookie == "resent" && v != oldKey {
					t.Fatalf("cookie re-sent with key %q, want the same key %q", v, oldKey)
				}
				if tc.want.cookie == "new" && v == oldKey {
					t.Fatal("the new cookie reuses the old key")
				}
				for _, attr := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
					if !strings.Contains(line, attr) {
						t.Fatalf("Set-Cookie %q lacks %s", line, attr)
					}
				}
				switch tc.want.cookie {
				case "browser":
					if strings.Contains(line, "Max-Age") || strings.Contains(line, "Expires") {
						t.Fatalf("Set-Cookie %q: a browser-session cookie has no Max-Age/Expires", line)
					}
				case "max60":
					if !strings.Contains(line, "Max-Age=60;") && !strings.HasSuffix(line, "Max-Age=60") {
						t.Fatalf("Set-Cookie %q, want Max-Age=60", line)
					}
				default:
					if !strings.Contains(line, "Max-Age=1209600") || !strings.Contains(line, "Expires=") {
						t.Fatalf("Set-Cookie %q, want Max-Age=1209600 and Expires", line)
					}
				}
				if tc.want.stored {
					rec, ok := a.store.get(v)
					if !ok || !strings.Contains(string(rec.data), `"hello":"world"`) {
						t.Fatalf("store holds %q, %v; want hello=world", rec.data, ok)
					}
				}
				if tc.want.cookie == "resent" && a.store.count("Update") != 1 {
					t.Fatalf("%d updates, want 1 (the record is re-saved)", a.store.count("Update"))
				}
			}
			if got := strings.Join(r.Header.Values("Vary"), ", "); got != tc.want.vary {
				t.Fatalf("Vary %q, want %q", got, tc.want.vary)
			}
			if tc.want.noStore && (a.store.count("Create") != 0 || a.store.count("Update") != 0 || len(a.store.records) != before) {
				t.Fatalf("something was stored: %v", a.store.calls)
			}
		})
	}
}

func TestAConcurrentlyDeletedSessionAnswers400WithDjangosMessage(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	k := a.newSessionKey()
	a.r.GET("/logout-elsewhere-then-write", func(c *gin.Context) {
		s := ginsession.From(c)
		_, _ = s.Get("foo") // loaded while the record exists
		_ = a.store.Delete(context.Background(), k)
		s.Set("foo", "resurrected?")
		c.String(http.StatusOK, "saved")
	})
	r := a.get("/logout-elsewhere-then-write", "sessionid="+k)
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", r.StatusCode)
	}
	want := "The request's session was deleted before the request completed. The user may have logged out in a concurrent request, for example."
	if r.body != want {
		t.Fatalf("body %q, want Django's message", r.body)
	}
	if _, ok := a.store.get(k); ok {
		t.Fatal("the deleted session was resurrected")
	}
	if r.cookie("sessionid") != "" {
		t.Fatalf("a cookie was set: %q", r.cookie("sessionid"))
	}
}

func TestUntouchedSessionsCostNothing(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	k := a.newSessionKey()
	a.store.resetCounts()
	for _, cookie := range []string{"", "sessionid=" + k, "sessionid=" + stores.NewKey()} {
		r := a.get("/ignore", cookie)
		if r.cookie("sessionid") != "" || r.Header.Get("Vary") != "" {
			t.Fatalf("cookie %q: Set-Cookie %q, Vary %q; want neither", cookie, r.cookie("sessionid"), r.Header.Get("Vary"))
		}
	}
	if n := a.store.total(); n != 0 {
		t.Fatalf("%d store calls for untouched sessions, want 0: %v", n, a.store.calls)
	}
}
