package ginsession_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores"
)

var keyPattern = regexp.MustCompile(`^[a-z0-9]{32}$`)

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

func TestFlushDeletesTheRecord(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	k := a.newSessionKey()
	a.get("/flush", "sessionid="+k)
	if _, ok := a.store.get(k); ok {
		t.Fatal("the record survived Flush")
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

func TestReadsLoadOnceAndWritesSaveOnce(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	a.r.GET("/rmw", func(c *gin.Context) {
		s := ginsession.From(c)
		for i := 0; i < 3; i++ {
			n, _ := ginsession.Get[int](s, "n")
			s.Set("n", n+1)
		}
		c.String(200, "ok")
	})
	k := a.newSessionKey()
	a.store.resetCounts()
	a.get("/rmw", "sessionid="+k)
	if a.store.count("Load") != 1 || a.store.count("Update") != 1 || a.store.total() != 2 {
		t.Fatalf("store calls %v, want one Load and one Update", a.store.calls)
	}
	a.store.resetCounts()
	r := a.get("/set?k=a&v=b", "")
	if a.store.count("Create") != 1 || a.store.total() != 1 || r.cookieValue("sessionid") == "" {
		t.Fatalf("store calls %v for a new session, want one Create", a.store.calls)
	}
}

func TestIntegersSurviveARoundTripAsIntegers(t *testing.T) {
	a := newApp(t, nil)
	type profile struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	a.r.GET("/put", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("n", 42)
		s.Set("f", 2.5)
		s.Set("p", profile{"Zoë", []string{"a", "b"}})
		s.Set("list", []string{"x", "y"})
		c.Status(http.StatusNoContent)
	})
	a.r.GET("/check", func(c *gin.Context) {
		s := ginsession.From(c)
		raw, _ := s.Get("n")
		n, ok := ginsession.Get[int](s, "n")
		n8, ok8 := ginsession.Get[int8](s, "n")
		f, okf := ginsession.Get[float64](s, "f")
		_, badInt := ginsession.Get[int](s, "f")
		p, okp := ginsession.Get[profile](s, "p")
		l, okl := ginsession.Get[[]string](s, "list")
		_, missing := ginsession.Get[string](s, "nope")
		c.String(200, "%T %d %v %d %v %v %v %v %+v %v %v %v %v", raw, n, ok, n8, ok8, f, okf, badInt, p, okp, l, okl, missing)
	})
	k := a.get("/put", "").cookieValue("sessionid")
	r := a.get("/check", "sessionid="+k)
	want := "int 42 true 42 true 2.5 true false {Name:Zoë Tags:[a b]} true [x y] true false"
	if r.body != want {
		t.Fatalf("got  %q\nwant %q", r.body, want)
	}
}

func TestAValueWithNoJSONFormFailsTheRequestNamingTheKey(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/bad", func(c *gin.Context) {
		ginsession.From(c).Set("callback", func() {})
		c.String(200, "looks fine")
	})
	r := a.get("/bad", "")
	if r.StatusCode != 500 || strings.Contains(r.body, "looks fine") {
		t.Fatalf("status %d body %q, want 500 without the handler's body", r.StatusCode, r.body)
	}
	if !strings.Contains(a.logs.String(), `callback`) {
		t.Fatalf("log does not name the key: %s", a.logs.String())
	}
	if len(a.store.records) != 0 {
		t.Fatal("something was stored")
	}
}

func TestCorruptStoredDataIsAnEmptySessionAndAWarning(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	k := stores.NewKey()
	a.store.put(k, []byte("{not json"))
	r := a.get("/read?k=foo", "sessionid="+k)
	if r.StatusCode != 200 || r.body != "<nil>" {
		t.Fatalf("status %d body %q, want 200 and an empty session", r.StatusCode, r.body)
	}
	if !strings.Contains(a.logs.String(), "level=WARN") || !strings.Contains(a.logs.String(), "corrupted") {
		t.Fatalf("no warning logged: %s", a.logs.String())
	}
	if strings.Contains(a.logs.String(), k) {
		t.Fatal("the log contains the full session key")
	}
	// As in Django, the key is kept and the next save overwrites the record.
	r = a.get("/set?k=foo&v=fixed", "sessionid="+k)
	if rec, _ := a.store.get(k); string(rec.data) != `{"foo":"fixed"}` || r.cookieValue("sessionid") != k {
		t.Fatalf("record %q, cookie %q", rec.data, r.cookie("sessionid"))
	}
}

func TestKeysFromClientsAreValidatedAndNeverAdopted(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	a.r.GET("/key", func(c *gin.Context) { c.String(200, ginsession.From(c).Key()) })
	for _, planted := range []string{
		"attackerchosenkey1234567890abcde", // valid shape, unknown to the store
		"../../etc/passwd",
		"UPPERCASEKEY1234",
		"short",
		strings.Repeat("a", 41),
	} {
		a.store.resetCounts()
		// Key does not load, as Django's session_key: a well-formed key is
		// returned as sent, anything else is no key and reaches no store.
		if r := a.get("/key", "sessionid="+planted); !keyPattern.MatchString(planted) && r.body != "" {
			t.Fatalf("planted %q: Key() = %q, want \"\"", planted, r.body)
		}
		if n := a.store.count("Load"); n != 0 {
			t.Fatalf("planted %q: Key() made %d store loads, want none", planted, n)
		}
		r := a.get("/set?k=x&v=y", "sessionid="+planted)
		got := r.cookieValue("sessionid")
		if got == planted || !keyPattern.MatchString(got) {
			t.Fatalf("planted %q: session saved under %q, want a fresh key", planted, got)
		}
		if _, ok := a.store.get(planted); ok {
			t.Fatalf("a record exists under the planted key %q", planted)
		}
	}
}

func TestAFailingStoreAnswers500AndIsLogged(t *testing.T) {
	boom := errors.New("connection refused")
	for _, method := range []string{"Load", "Update", "Create", "Delete"} {
		t.Run(method, func(t *testing.T) {
			a := newApp(t, nil).standardRoutes()
			a.r.GET("/rmw", func(c *gin.Context) {
				s := ginsession.From(c)
				n, _ := ginsession.Get[int](s, "n")
				s.Set("n", n+1)
				c.JSON(http.StatusOK, gin.H{"n": n + 1})
			})
			k := a.newSessionKey()
			a.store.fail(method, boom)
			path, cookie := "/rmw", "sessionid="+k
			switch method {
			case "Create":
				cookie = ""
			case "Delete":
				path = "/flush"
			}
			r := a.get(path, cookie)
			if r.StatusCode != http.StatusInternalServerError {
				t.Fatalf("status %d body %q, want 500", r.StatusCode, r.body)
			}
			if strings.Contains(r.body, `"n"`) || r.Header.Get("Content-Type") == "application/json; charset=utf-8" {
				t.Fatalf("the handler's answer leaked: %q %q", r.Header.Get("Content-Type"), r.body)
			}
			if !strings.Contains(a.logs.String(), "level=ERROR") || !strings.Contains(a.logs.String(), "connection refused") {
				t.Fatalf("no error log: %s", a.logs.String())
			}
			if method == "Load" {
				if rec, _ := a.store.get(k); string(rec.data) != `{"foo":"bar"}` {
					t.Fatalf("a failed load was followed by a save over the record: %q", rec.data)
				}
			}
		})
	}
}

func TestAStalledStoreFailsWithinTheTimeout(t *testing.T) {
	a := newApp(t, nil, ginsession.WithStoreTimeout(100*time.Millisecond)).standardRoutes()
	k := a.newSessionKey()
	a.store.stall("Load", 10*time.Second)
	start := time.Now()
	r := a.get("/read", "sessionid="+k)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v", took)
	}
	if r.StatusCode != 500 || !strings.Contains(a.logs.String(), "deadline exceeded") {
		t.Fatalf("status %d, log %s", r.StatusCode, a.logs.String())
	}
}

func TestACustomErrorHandlerAnswers(t *testing.T) {
	var got error
	a := newApp(t, nil, ginsession.WithErrorHandler(func(c *gin.Context, err error) {
		got = err
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "sessions are down"})
	})).standardRoutes()
	k := a.newSessionKey()
	a.store.fail("Load", errors.New("redis: connection pool timeout"))
	r := a.get("/read", "sessionid="+k)
	if r.StatusCode != 503 || r.body != `{"error":"sessions are down"}` {
		t.Fatalf("status %d body %q", r.StatusCode, r.body)
	}
	if got == nil || !strings.Contains(got.Error(), "pool timeout") {
		t.Fatalf("the handler got %v", got)
	}
}

func TestTheSessionCommitsBeforeEveryKindOfResponse(t *testing.T) {
	tests := []struct {
		name    string
		handler gin.HandlerFunc
		status  int
	}{
		{"c.JSON", func(c *gin.Context) { c.JSON(200, gin.H{"a": 1}) }, 200},
		{"c.String", func(c *gin.Context) { c.String(201, "made") }, 201},
		{"c.Data", func(c *gin.Context) { c.Data(200, "text/plain", []byte("x")) }, 200},
		{"c.Redirect", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/elsewhere") }, 303},
		{"c.Status(204)", func(c *gin.Context) { c.Status(http.StatusNoContent) }, 204},
		{"c.AbortWithStatus(403)", func(c *gin.Context) { c.AbortWithStatus(http.StatusForbidden) }, 403},
		{"nothing written", func(c *gin.Context) {}, 200},
		{"c.Writer.WriteHeaderNow", func(c *gin.Context) { c.Status(202); c.Writer.WriteHeaderNow() }, 202},
		{"http.ResponseController.Flush", func(c *gin.Context) {
			if err := http.NewResponseController(c.Writer).Flush(); err != nil {
				panic(err)
			}
		}, 200},
		{"c.Stream", func(c *gin.Context) {
			n := 0
			c.Stream(func(w io.Writer) bool { n++; fmt.Fprintf(w, "chunk %d\n", n); return n < 3 })
		}, 200},
		{"c.SSEvent", func(c *gin.Context) { c.SSEvent("message", "hi"); c.Writer.Flush() }, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, nil)
			a.r.GET("/x", func(c *gin.Context) { ginsession.From(c).Set("seen", true); tc.handler(c) })
			r := a.get("/x", "")
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tc.status)
			}
			k := r.cookieValue("sessionid")
			if !keyPattern.MatchString(k) {
				t.Fatalf("no session cookie: %v", r.Header)
			}
			if _, ok := a.store.get(k); !ok {
				t.Fatal("the session was not stored")
			}
			if r.Header.Get("Vary") != "Cookie" {
				t.Fatalf("Vary %q", r.Header.Get("Vary"))
			}
		})
	}
}

func TestStreamingIsNotBuffered(t *testing.T) {
	a := newApp(t, nil)
	release := make(chan struct{})
	a.r.GET("/events", func(c *gin.Context) {
		ginsession.From(c).Set("streaming", true)
		c.SSEvent("first", "1")
		c.Writer.Flush()
		<-release // the client must already hold the first event
		c.SSEvent("second", "2")
	})
	resp, err := http.Get(a.srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !keyPattern.MatchString(strings.TrimPrefix(strings.Split(resp.Header.Get("Set-Cookie"), ";")[0], "sessionid=")) {
		t.Fatalf("no session cookie on the stream: %q", resp.Header.Get("Set-Cookie"))
	}
	buf := make([]byte, 64)
	n, err := resp.Body.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), "event:first") {
		t.Fatalf("first read %q, %v", buf[:n], err)
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(rest), "event:second") {
		t.Fatalf("rest %q", rest)
	}
}

// TestAChangeAfterTheResponseIsNotSavedAndIsLoggedAsAnError: the session
// is saved just before the response headers go out, so a Set after the
// handler has written its response cannot reach the store. What this proves
// is that such a late change is dropped loudly: the record holds only what
// was set before the response, and an ERROR names the key that was lost.
func TestAChangeAfterTheResponseIsNotSavedAndIsLoggedAsAnError(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/late", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("early", 1)
		c.String(200, "sent")
		s.Set("too_late", 2)
	})
	r := a.get("/late", "")
	rec, _ := a.store.get(r.cookieValue("sessionid"))
	if string(rec.data) != `{"early":1}` {
		t.Fatalf("stored %q", rec.data)
	}
	if logs := a.logs.String(); !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "key=too_late") {
		t.Fatalf("no error naming the key: %s", logs)
	}
}

func TestFromPanicsWithAnInstructionWithoutTheMiddleware(t *testing.T) {
	r := gin.New()
	var msg any
	r.GET("/", func(c *gin.Context) {
		defer func() { msg = recover() }()
		ginsession.From(c)
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if s, _ := msg.(string); !strings.Contains(s, "r.Use(ginsession.New(store))") {
		t.Fatalf("panic %v", msg)
	}
}

func TestMustGetWithContextKeyReturnsTheSession(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/", func(c *gin.Context) {
		s := c.MustGet(ginsession.ContextKey).(*ginsession.Session)
		c.String(200, "%v", s == ginsession.From(c))
	})
	if r := a.get("/", ""); r.body != "true" {
		t.Fatal(r.body)
	}
}

func TestCycleKeyMovesTheDataToANewKey(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	a.r.GET("/cycle", func(c *gin.Context) {
		if err := ginsession.From(c).CycleKey(); err != nil {
			c.String(500, err.Error())
			return
		}
		c.String(200, "cycled")
	})
	old := a.newSessionKey()
	a.store.resetCounts()
	r := a.get("/cycle", "sessionid="+old)
	nk := r.cookieValue("sessionid")
	if !keyPattern.MatchString(nk) || nk == old {
		t.Fatalf("new key %q (old %q)", nk, old)
	}
	if _, ok := a.store.get(old); ok {
		t.Fatal("the old record survived")
	}
	if rec, ok := a.store.get(nk); !ok || string(rec.data) != `{"foo":"bar"}` {
		t.Fatalf("new record %q, %v", rec.data, ok)
	}
	// Load + Create + Delete; no second write at the end of the request.
	if a.store.total() != 3 {
		t.Fatalf("store calls %v", a.store.calls)
	}
}

func TestSessionsFollowACookieJar(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/count", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "n")
		s.Set("n", n+1)
		c.String(200, "%d", n+1)
	})
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for want := 1; want <= 5; want++ {
		resp, err := client.Get(a.srv.URL + "/count")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != fmt.Sprint(want) {
			t.Fatalf("visit %d: %q", want, b)
		}
	}
}

func TestGoroutinesOfOneRequestMayShareTheSession(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/fan-out", func(c *gin.Context) {
		s := ginsession.From(c)
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				s.Set(fmt.Sprintf("k%d", i), i)
				_, _ = s.Get("k0")
				_ = s.Keys()
				for range s.All() {
				}
			}(i)
		}
		wg.Wait()
		c.String(200, "%d", s.Len())
	})
	if r := a.get("/fan-out", ""); r.body != "20" {
		t.Fatal(r.body)
	}
}

func TestAClientThatHangsUpMidSaveIsNotLoggedAsAStoreFailure(t *testing.T) {
	a := newApp(t, nil, ginsession.WithStoreTimeout(10*time.Second)).standardRoutes()
	a.store.stall("Create", 5*time.Second)
	client := &http.Client{Timeout: 200 * time.Millisecond}
	if _, err := client.Get(a.srv.URL + "/set?k=a&v=b"); err == nil {
		t.Fatal("the request finished although the store stalled")
	}
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(a.logs.String(), "client went away") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	logs := a.logs.String()
	if !strings.Contains(logs, "level=INFO") || !strings.Contains(logs, "client went away") || strings.Contains(logs, "level=ERROR") {
		t.Fatalf("logs: %s", logs)
	}
}
