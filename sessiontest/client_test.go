package sessiontest_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/sessiontest"
	"github.com/ginsession/ginsession/stores/memstore"
)

func newStore(t *testing.T, opts ...memstore.Option) *memstore.Store {
	t.Helper()
	st, err := memstore.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAClientOnAnEngineWithoutTheMiddlewareSaysSoAtItsFirstRequest(t *testing.T) {
	r := gin.New()
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "home") })
	fatal, _ := report(t, func(tb testing.TB) {
		c := sessiontest.NewClient(tb, r)
		c.Get("/")
		tb.Errorf("the request went through")
	})
	mustContain(t, "the failure", fatal, "no ginsession middleware", "r.Use(ginsession.New(", "WithMiddleware")

	// The same for a middleware on a group only, which WithMiddleware fixes.
	sessions := ginsession.New(newStore(t))
	r.Group("/app", sessions).GET("/", func(c *gin.Context) { c.String(http.StatusOK, "app") })
	if fatal, _ := report(t, func(tb testing.TB) { sessiontest.NewClient(tb, r).Get("/app/") }); fatal == "" {
		t.Error("a middleware registered on a group only was found")
	}
	sessiontest.NewClient(t, r, sessiontest.WithMiddleware(sessions)).Get("/app/").ExpectBody("app")
}

// TestTheMiddlewareIsFoundAfterOthers: the global middleware before the
// session's are run, not mistaken for it, even one that panics without a
// session; one after it is never run by the search.
func TestTheMiddlewareIsFoundAfterOthers(t *testing.T) {
	ran := 0
	r := gin.New()
	r.Use(gin.Recovery(), func(c *gin.Context) { c.Header("X-Before", "1") })
	r.Use(func(c *gin.Context) {
		if c.Request.URL.Path != "/" {
			panic("not the probe")
		}
	})
	r.Use(ginsession.New(newStore(t)), func(c *gin.Context) { ran++ })
	r.GET("/x", func(c *gin.Context) {
		ginsession.From(c).Set("k", "v")
		c.String(http.StatusOK, "ok")
	})
	c := sessiontest.NewClient(t, r)
	c.SetSession("seeded", true)
	if ran != 0 {
		t.Errorf("the middleware after the session's ran %d times for the test's side", ran)
	}
	if v, _ := c.Session().Get("seeded"); v != true {
		t.Errorf("seeded = %v", v)
	}
}

func TestSeedingAValueTheCodecCannotStoreFailsNamingTheKey(t *testing.T) {
	c := sessiontest.NewClient(t, site(newStore(t)))
	for _, tc := range []struct {
		name  string
		value any
	}{
		{"a channel", make(chan int)},
		{"NaN", math.NaN()},
		{"a string that is not UTF-8", "\xff"},
	} {
		fatal, _ := report(t, func(tb testing.TB) {
			sessiontest.NewClient(tb, site(newStore(t))).SetSession("basket", tc.value)
		})
		mustContain(t, tc.name+": the failure", fatal, `SetSession("basket")`, `"basket"`)
	}
	fatal, _ := report(t, func(tb testing.TB) {
		sessiontest.NewClient(tb, site(newStore(t))).ChangeSession(func(s *ginsession.Session) error {
			s.Set("fine", 1)
			s.Set("cart", func() {})
			return nil
		})
	})
	mustContain(t, "ChangeSession's failure", fatal, `"cart"`)
	// Nothing of a failed seed reaches the store.
	if c.Session().Len() != 0 {
		t.Error("a failed seed left data")
	}
}

func TestChangeSessionErrorsFailTheTest(t *testing.T) {
	fatal, _ := report(t, func(tb testing.TB) {
		sessiontest.NewClient(tb, site(newStore(t))).ChangeSession(func(s *ginsession.Session) error {
			s.Set("half", 1)
			return errors.New("no more")
		})
	})
	mustContain(t, "the failure", fatal, "ChangeSession: no more")
}

func TestForceLoginWithoutASecretSaysWhatToAdd(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(newStore(t)))
	fatal, _ := report(t, func(tb testing.TB) { sessiontest.NewClient(tb, r).ForceLogin(alice, "") })
	mustContain(t, "the failure", fatal, "ForceLogin", "WithSecretKey")
}

func TestForceLoginStoresTheBackendGiven(t *testing.T) {
	c := sessiontest.NewClient(t, site(newStore(t)))
	c.ForceLogin(alice, "myapp.backends.Token")
	if b, _ := c.Session().Get(auth.SessionKeyBackend); b != "myapp.backends.Token" {
		t.Errorf("backend %v", b)
	}
	c.ForceLogin(alice, "")
	if b, _ := c.Session().Get(auth.SessionKeyBackend); b != auth.DefaultBackend {
		t.Errorf("backend %v, want auth.DefaultBackend", b)
	}
}

// TestALookAtTheSessionSavesNothing: under SaveEveryRequest and an idle
// timeout, a request slides the session's end, but Session and Messages
// do not: looking in a test must not keep a session alive.
func TestALookAtTheSessionSavesNothing(t *testing.T) {
	clock := sessiontest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	store := newStore(t, memstore.WithClock(clock.Now))
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithClock(clock.Now), ginsession.WithSaveEveryRequest(true), ginsession.WithIdleTimeout(30*time.Minute)))
	r.GET("/count", count)
	r.GET("/touch", func(c *gin.Context) { c.String(http.StatusOK, "%d", ginsession.From(c).Len()) })

	for _, look := range []struct {
		name string
		do   func(c *sessiontest.Client)
	}{
		{"a request", func(c *sessiontest.Client) { c.Get("/touch") }},
		{"Session", func(c *sessiontest.Client) { c.Session() }},
		{"Messages", func(c *sessiontest.Client) { c.Messages() }},
	} {
		c := sessiontest.NewClient(t, r, sessiontest.WithClock(clock))
		c.Get("/count")
		key := c.Session().Key()
		clock.Advance(20 * time.Minute)
		look.do(c)
		clock.Advance(20 * time.Minute)
		// The store's record, not the browser's cookie (which the jar drops
		// after 30 minutes too, unless an answer renewed it).
		alive, err := store.Exists(context.Background(), key)
		if err != nil {
			t.Fatal(err)
		}
		if want := look.name == "a request"; alive != want {
			t.Errorf("after %s 20 minutes in, the session is alive 40 minutes in: %v, want %v", look.name, alive, want)
		}
	}
}

func TestTheJarKeepsCookiesAsABrowserDoes(t *testing.T) {
	clock := sessiontest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	r := gin.New()
	r.GET("/set", func(c *gin.Context) {
		http.SetCookie(c.Writer, &http.Cookie{Name: "short", Value: "1", MaxAge: 60})
		http.SetCookie(c.Writer, &http.Cookie{Name: "session", Value: "s"})
		http.SetCookie(c.Writer, &http.Cookie{Name: "scoped", Value: "api", Path: "/api"})
		http.SetCookie(c.Writer, &http.Cookie{Name: "dated", Value: "d", Expires: clock.Now().Add(time.Hour)})
	})
	r.GET("/del", func(c *gin.Context) { http.SetCookie(c.Writer, &http.Cookie{Name: "session", MaxAge: -1}) })
	echo := func(c *gin.Context) {
		var names []string
		for _, ck := range c.Request.Cookies() {
			names = append(names, ck.Name+"="+ck.Value)
		}
		c.String(http.StatusOK, strings.Join(names, " "))
	}
	r.GET("/echo", echo)
	r.GET("/api/echo", echo)
	r.GET("/apixecho", echo)

	c := sessiontest.NewClient(t, r, sessiontest.WithMiddleware(ginsession.New(newStore(t))), sessiontest.WithClock(clock))
	c.Get("/set")
	c.Get("/echo").ExpectBody("short=1 session=s dated=d")
	if got := c.Get("/api/echo").Body; !strings.HasPrefix(got, "scoped=api ") {
		t.Errorf("/api/echo carries %q, want the /api cookie first", got)
	}
	if got := c.Get("/apixecho").Body; strings.Contains(got, "scoped") {
		t.Errorf("/apixecho carries the /api cookie: %q", got)
	}
	clock.Advance(61 * time.Second)
	if got := c.Get("/echo").Body; got != "session=s dated=d" {
		t.Errorf("after 61 s the request carries %q, want the 60-second cookie gone", got)
	}
	clock.Advance(time.Hour)
	c.Get("/del")
	if got := c.Get("/echo").Body; got != "" {
		t.Errorf("carries %q after the expiry and the deletion", got)
	}
}

func TestRedirects(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(newStore(t)))
	r.POST("/form", func(c *gin.Context) {
		ginsession.From(c).Set("posted", c.PostForm("v"))
		c.Redirect(http.StatusSeeOther, "/done?from=form")
	})
	r.POST("/keep", func(c *gin.Context) { c.Redirect(http.StatusTemporaryRedirect, "/echo") })
	r.Any("/echo", func(c *gin.Context) {
		b, _ := io.ReadAll(c.Request.Body)
		c.String(http.StatusOK, "%s %s", c.Request.Method, b)
	})
	r.GET("/done", func(c *gin.Context) {
		v, _ := ginsession.From(c).Get("posted")
		c.String(http.StatusOK, "%s %v", c.Request.Method, v)
	})
	r.GET("/away", func(c *gin.Context) { c.Redirect(http.StatusFound, "https://elsewhere.example/") })
	r.GET("/loop", func(c *gin.Context) { c.Redirect(http.StatusFound, "/loop") })

	c := sessiontest.NewClient(t, r)
	c.PostForm("/form", url.Values{"v": {"x"}}).ExpectRedirect("/done?from=form")

	c.FollowRedirects = true
	res := c.PostForm("/form", url.Values{"v": {"y"}}).ExpectStatus(http.StatusOK).ExpectBody("GET y")
	if len(res.Redirects) != 1 || res.Redirects[0] != "https://example.com/done?from=form" || res.URL.Path != "/done" {
		t.Errorf("redirects %q, landing on %s", res.Redirects, res.URL)
	}
	c.PostForm("/keep", url.Values{"a": {"1"}}).ExpectBody("POST a=1")
	c.Get("/away").ExpectRedirect("https://elsewhere.example/")
	fatal, _ := report(t, func(tb testing.TB) {
		l := sessiontest.NewClient(tb, r)
		l.FollowRedirects = true
		l.Get("/loop")
	})
	mustContain(t, "the loop's failure", fatal, "stopped after 10 redirects")
}

func TestResponseExpectationsFailWithTheAnswer(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(newStore(t)))
	r.GET("/", func(c *gin.Context) { c.String(http.StatusTeapot, "short and stout") })
	for name, expect := range map[string]func(*sessiontest.Response){
		"ExpectStatus":   func(r *sessiontest.Response) { r.ExpectStatus(http.StatusOK) },
		"ExpectRedirect": func(r *sessiontest.Response) { r.ExpectRedirect("/") },
		"ExpectBody":     func(r *sessiontest.Response) { r.ExpectBody("tall") },
	} {
		fatal, _ := report(t, func(tb testing.TB) { expect(sessiontest.NewClient(tb, r).Get("/?q=1")) })
		mustContain(t, name+"'s failure", fatal, "GET /?q=1 answered 418", "short and stout")
	}
}

// TestFinishReportsAChangeMadeAfterTheResponse: the middleware cannot save
// a change made after the answer was written; a direct call shows it and
// fails the test instead of dropping it silently.
func TestFinishReportsAChangeMadeAfterTheResponse(t *testing.T) {
	logs := &testenv.LogBuffer{}
	mw := ginsession.New(newStore(t), ginsession.WithLogger(logs.Logger()))
	late := func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("early", 1)
		c.String(http.StatusOK, "written")
		s.Set("late", 2)
	}
	var res *sessiontest.Result
	_, errs := report(t, func(tb testing.TB) {
		x := sessiontest.NewContext(tb, mw, nil)
		late(x.C)
		res = x.Finish()
	})
	if len(res.Unsaved) != 1 || res.Unsaved[0] != "late" {
		t.Errorf("Unsaved = %q, want [late]", res.Unsaved)
	}
	if len(errs) != 1 {
		t.Fatalf("the test was failed %d times: %q", len(errs), errs)
	}
	mustContain(t, "the failure", errs[0], `["late"]`, "after the response was written")
	mustContain(t, "the middleware's log", logs.String(), "session changed after the response was sent")
	if v, _ := res.Saved.Get("early"); v != 1 {
		t.Errorf("the early change was not saved: %v", v)
	}

	// A change made before the answer is saved, and a 5xx saves nothing
	// by design: neither is reported.
	for _, h := range []gin.HandlerFunc{
		func(c *gin.Context) { ginsession.From(c).Set("k", 1); c.Status(http.StatusNoContent) },
		func(c *gin.Context) { ginsession.From(c).Set("k", 1); c.String(http.StatusServiceUnavailable, "down") },
	} {
		_, errs := report(t, func(tb testing.TB) {
			x := sessiontest.NewContext(tb, mw, nil)
			h(x.C)
			x.Finish()
		})
		if len(errs) != 0 {
			t.Errorf("reported %q", errs)
		}
	}
}

// TestAContextLeftUnfinishedIsFinishedAtTheEndOfTheTest: the request ends
// and its commit happens even when the test forgets Finish or the handler
// panics.
func TestAContextLeftUnfinishedIsFinishedAtTheEndOfTheTest(t *testing.T) {
	r := site(newStore(t))
	for _, tc := range []struct {
		name    string
		handler func(x *sessiontest.Context)
	}{
		{"forgotten", func(x *sessiontest.Context) { x.Session().Set("note", "kept") }},
		{"panicking", func(x *sessiontest.Context) {
			defer func() { _ = recover() }()
			x.Session().Set("note", "kept")
			panic("handler bug")
		}},
	} {
		var c *sessiontest.Client
		t.Run(tc.name, func(t *testing.T) {
			c = sessiontest.NewClient(t, r)
			tc.handler(c.NewContext(nil))
		})
		if c.Cookie("sessionid") == nil {
			t.Fatalf("%s: the end of the test committed no session", tc.name)
		}
		c.Get("/note").ExpectBody("kept")
	}
}

// TestAContextCarriesTheRequest: method, path, query, headers, body and
// the client's cookies reach the handler.
func TestAContextCarriesTheRequest(t *testing.T) {
	c := sessiontest.NewClient(t, site(newStore(t)))
	c.ForceLogin(alice, "")
	req := httptest.NewRequest(http.MethodPost, "/items?x=1", strings.NewReader("name=tea"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	x := c.NewContext(req)
	if x.C.Request.Method != http.MethodPost || x.C.Query("x") != "1" || x.C.PostForm("name") != "tea" {
		t.Errorf("the handler sees %s %s name=%q", x.C.Request.Method, x.C.Request.URL, x.C.PostForm("name"))
	}
	u, err := auth.CurrentUser(x.C, loadUser)
	if err != nil || u.SessionAuthID() != "42" {
		t.Errorf("CurrentUser in the context: %v, %v", u, err)
	}
	x.C.String(http.StatusCreated, "ok")
	if res := x.Finish(); res.Code != http.StatusCreated || x.Finish() != res {
		t.Errorf("Finish answered %d, and a second Finish another result", res.Code)
	}
}

// TestWithCookiesOfIsTheSameBrowserOnAnotherInstance: two engines on one
// store, one browser: a login through either is a login on both, and a
// logout through either ends it on both.
func TestWithCookiesOfIsTheSameBrowserOnAnotherInstance(t *testing.T) {
	store := newStore(t)
	one := sessiontest.NewClient(t, site(store))
	two := sessiontest.NewClient(t, site(store), sessiontest.WithCookiesOf(one))
	one.ForceLogin(alice, "")
	two.Get("/me").ExpectBody("user 42")
	two.Logout()
	one.Get("/me").ExpectBody("anonymous")
	if sessiontest.NewClient(t, site(store)).Cookie("sessionid") != nil {
		t.Error("a client of its own shares the cookies")
	}
}

// TestAStreamingHandlerIsServed: gin's c.Stream asks the writer whether the
// client went away (CloseNotify), which httptest.ResponseRecorder cannot
// answer; the client's can.
func TestAStreamingHandlerIsServed(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(newStore(t)))
	r.GET("/events", func(c *gin.Context) {
		ginsession.From(c).Set("streamed", true)
		n := 0
		c.Stream(func(w io.Writer) bool {
			n++
			c.SSEvent("tick", n)
			return n < 3
		})
	})
	c := sessiontest.NewClient(t, r)
	c.Get("/events").ExpectStatus(http.StatusOK).ExpectBody("event:tick\ndata:3\n")
	if v, _ := c.Session().Get("streamed"); v != true {
		t.Errorf("streamed = %v", v)
	}
}

// TestOverPlainHTTPSecureCookiesAreRefused: as a browser, a client on an
// http:// base URL neither keeps nor sends a cookie marked Secure; on the
// default https:// one it does both.
func TestOverPlainHTTPSecureCookiesAreRefused(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(newStore(t), ginsession.WithCookieSecure(true)))
	r.GET("/set", func(c *gin.Context) {
		ginsession.From(c).Set("k", "v")
		c.String(http.StatusOK, "%v", c.Request.TLS != nil)
	})
	r.GET("/get", func(c *gin.Context) {
		v, _ := ginsession.From(c).Get("k")
		c.String(http.StatusOK, "%v", v)
	})
	plain := sessiontest.NewClient(t, r, sessiontest.WithBaseURL("http://shop.test"))
	plain.Get("/set").ExpectBody("false")
	plain.Get("/get").ExpectBody("<nil>")
	if plain.Cookie("sessionid") != nil || plain.BaseURL() != "http://shop.test" {
		t.Errorf("over plain HTTP the jar kept the Secure cookie (base %s)", plain.BaseURL())
	}
	secure := sessiontest.NewClient(t, r)
	secure.Get("/set").ExpectBody("true")
	secure.Get("/get").ExpectBody("v")
}

func TestAContextOnAHandlerThatIgnoresTheSession(t *testing.T) {
	x := sessiontest.NewContext(t, ginsession.New(newStore(t)), nil)
	x.C.String(http.StatusOK, "%s %s", x.C.Request.Method, x.C.Request.URL.Path)
	res := x.Finish()
	if res.Body != "GET /" || res.Accessed || res.Modified || res.Session != nil || res.SetCookie("sessionid") != nil || res.Saved.Len() != 0 {
		t.Errorf("a handler that ignores the session: %q accessed %v modified %v session %v cookie %v", res.Body, res.Accessed, res.Modified, res.Session, res.SetCookie("sessionid"))
	}
}

// TestFormsCarryTheSitesOrigin: as browsers do, a POST carries the Origin
// of the site (CSRF checks over HTTPS want it), a GET does not, nor the GET
// a 303 leads to; a request's own Origin, or none asked for, is kept.
func TestFormsCarryTheSitesOrigin(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(newStore(t)))
	origin := func(c *gin.Context) {
		c.String(http.StatusOK, "%s %q", c.Request.Method, c.Request.Header.Values("Origin"))
	}
	r.GET("/o", origin)
	r.POST("/o", origin)
	r.POST("/see", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/o") })
	c := sessiontest.NewClient(t, r)
	c.PostForm("/o", nil).ExpectBody(`POST ["https://example.com"]`)
	c.Get("/o").ExpectBody(`GET []`)
	req := httptest.NewRequest(http.MethodPost, "/o", nil)
	req.Header.Set("Origin", "https://evil.example")
	c.Do(req).ExpectBody(`POST ["https://evil.example"]`)
	req = httptest.NewRequest(http.MethodPost, "/o", nil)
	req.Header["Origin"] = nil
	c.Do(req).ExpectBody(`POST []`)
	c.FollowRedirects = true
	c.PostForm("/see", nil).ExpectBody(`GET []`)
}
