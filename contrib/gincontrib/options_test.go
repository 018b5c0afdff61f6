package gincontrib_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/contrib/gincontrib"
	"github.com/ginsession/ginsession/internal/testenv"
)

// optionsApp sets a value under the Options given, and shows the value.
func optionsApp(use gin.HandlerFunc, o sessions.Options, errs *[]error) *gin.Engine {
	r := gin.New()
	r.Use(use)
	r.GET("/set", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("key", "v")
		_ = s.Save()
		c.String(http.StatusOK, "ok")
	})
	r.GET("/options", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("key", "v")
		s.Options(o)
		_ = s.Save()
		c.String(http.StatusOK, "ok")
		if errs != nil {
			for _, e := range c.Errors {
				*errs = append(*errs, e.Err)
			}
		}
	})
	r.GET("/get", func(c *gin.Context) { c.String(http.StatusOK, "%v", sessions.Default(c).Get("key")) })
	return r
}

// cookieOf returns the parsed Set-Cookie of the session, nil for none.
func cookieOf(t *testing.T, res *http.Response) *http.Cookie {
	lines := setCookies(res, "mysession")
	if len(lines) == 0 {
		return nil
	}
	c, err := http.ParseSetCookie(lines[len(lines)-1])
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestOptionsSetTheCookieAsOnGinContrib compares the session cookie's
// Max-Age, Secure, HttpOnly and SameSite after Session.Options with
// gin-contrib's, for options that turn attributes on and off.
func TestOptionsSetTheCookieAsOnGinContrib(t *testing.T) {
	for _, o := range []sessions.Options{
		{MaxAge: 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode},
		{MaxAge: 60},
		{MaxAge: 7200, SameSite: http.SameSiteNoneMode, Secure: true},
		{Path: "/", MaxAge: 0, HttpOnly: true},
	} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			attrs := func(use gin.HandlerFunc) string {
				srv := serve(t, optionsApp(use, o, nil))
				b := newBrowser(t)
				_, _, res := b.get(srv.URL + "/options")
				c := cookieOf(t, res)
				if c == nil {
					t.Fatal("no session cookie")
				}
				return fmt.Sprintf("Max-Age=%d Secure=%v HttpOnly=%v SameSite=%v", c.MaxAge, c.Secure, c.HttpOnly, c.SameSite)
			}
			want := attrs(sessions.Sessions("mysession", cookie.NewStore([]byte("secret"))))
			got := attrs(gincontrib.Sessions("mysession", newMemstore(t)))
			if got != want {
				t.Errorf("adapter's cookie %s, gin-contrib's %s", got, want)
			}
		})
	}
}

// TestNegativeMaxAgeEndsTheSession is gin-contrib's logout idiom.
func TestNegativeMaxAgeEndsTheSession(t *testing.T) {
	srv := serve(t, optionsApp(gincontrib.Sessions("mysession", newMemstore(t)), sessions.Options{MaxAge: -1}, nil))
	b := newBrowser(t)
	b.get(srv.URL + "/set")
	if _, body, _ := b.get(srv.URL + "/get"); body != "v" {
		t.Fatalf("before: %s", body)
	}
	_, _, res := b.get(srv.URL + "/options")
	if c := cookieOf(t, res); c == nil || c.MaxAge >= 0 {
		t.Errorf("the cookie was not deleted: %v", setCookies(res, "mysession"))
	}
	if _, body, _ := b.get(srv.URL + "/get"); body != "<nil>" {
		t.Errorf("after: %s", body)
	}
}

// TestAnotherPathOrDomainIsRefusedLoudly checks the cookie keeps the
// middleware's path and domain, and that the refusal is in c.Errors and the
// log.
func TestAnotherPathOrDomainIsRefusedLoudly(t *testing.T) {
	var errs []error
	var logs testenv.LogBuffer
	use := gincontrib.Sessions("mysession", newMemstore(t), gincontrib.WithLogger(logs.Logger()))
	srv := serve(t, optionsApp(use, sessions.Options{Path: "/foo/bar/bat", Domain: "example.com", MaxAge: 60}, &errs))
	_, _, res := newBrowser(t).get(srv.URL + "/options")
	c := cookieOf(t, res)
	if c == nil || c.Path != "/" || c.Domain != "" || c.MaxAge != 60 {
		t.Errorf("cookie %v", setCookies(res, "mysession"))
	}
	if len(errs) != 2 || !errors.Is(errs[0], gincontrib.ErrOptionNotHonoured) || !strings.Contains(errs[0].Error(), "/foo/bar/bat") || !strings.Contains(errs[1].Error(), "example.com") {
		t.Errorf("c.Errors: %v", errs)
	}
	if len(logs.Lines(4)) != 2 {
		t.Errorf("log: %s", logs.String())
	}
}

// TestSaveCommitsEarlyAndAForgottenSaveLosesNothing checks the record is in
// the store when Save returns, before the handler ends, and that a session
// changed without Save is saved all the same.
func TestSaveCommitsEarlyAndAForgottenSaveLosesNothing(t *testing.T) {
	store := newMemstore(t)
	r := gin.New()
	r.Use(gincontrib.Sessions("mysession", store))
	var existsAfterSave bool
	r.GET("/save", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("a", 1)
		if err := s.Save(); err != nil {
			t.Error(err)
		}
		existsAfterSave, _ = store.Exists(c, s.ID())
	})
	r.GET("/nosave", func(c *gin.Context) { sessions.Default(c).Set("b", 2) })
	r.GET("/get", func(c *gin.Context) {
		s := sessions.Default(c)
		c.String(http.StatusOK, "%v %v", s.Get("a"), s.Get("b"))
	})
	srv := serve(t, r)
	b := newBrowser(t)
	b.get(srv.URL + "/save")
	if !existsAfterSave {
		t.Error("the record was not in the store when Save returned")
	}
	b.get(srv.URL + "/nosave")
	if _, body, _ := b.get(srv.URL + "/get"); body != "1 2" {
		t.Errorf("got %s", body)
	}
}

// TestGoroutinesOfOneRequestKeepValuesAndTypesTogether has several
// goroutines of one request add typed flashes and set typed values at once,
// many rounds under -race: every flash and value must come back, with its
// type, after a reload.
func TestGoroutinesOfOneRequestKeepValuesAndTypesTogether(t *testing.T) {
	const workers, each = 8, 25
	r := gin.New()
	r.Use(gincontrib.Sessions("mysession", newMemstore(t)))
	r.GET("/add", func(c *gin.Context) {
		s := sessions.Default(c)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					if i%2 == 0 {
						s.AddFlash(int64(w*each + i))
					} else {
						s.AddFlash(fmt.Sprint(w*each + i))
					}
					s.Set(fmt.Sprintf("k%d", w), uint8(i))
				}
			})
		}
		wg.Wait()
	})
	r.GET("/read", func(c *gin.Context) {
		s := sessions.Default(c)
		seen := map[string]bool{}
		for _, f := range s.Flashes() {
			switch v := f.(type) {
			case int64: // the even entries of each goroutine
				seen[fmt.Sprint(v)] = v%each%2 == 0
			case string:
				seen[v] = true
			default:
				t.Errorf("flash %v came back as a %T", f, f)
			}
		}
		for w := range workers {
			if v, ok := s.Get(fmt.Sprintf("k%d", w)).(uint8); !ok || v != each-1 {
				t.Errorf("k%d = %#v", w, s.Get(fmt.Sprintf("k%d", w)))
			}
		}
		n := 0
		for _, ok := range seen {
			if ok {
				n++
			}
		}
		c.String(http.StatusOK, "%d", n)
	})
	srv := serve(t, r)
	for round := range 20 {
		b := newBrowser(t)
		b.get(srv.URL + "/add")
		if _, body, _ := b.get(srv.URL + "/read"); body != fmt.Sprint(workers*each) {
			t.Fatalf("round %d: %s of %d flashes came back", round, body, workers*each)
		}
	}
}

// TestStoreOptionsSetTheCookieAsStoreOptionsDid compares the cookie of a
// new session under gin-contrib's store.Options with the adapter's under
// StoreOptions of the same settings.
func TestStoreOptionsSetTheCookieAsStoreOptionsDid(t *testing.T) {
	for _, o := range []sessions.Options{
		{Path: "/", MaxAge: 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode},
		{Path: "/", MaxAge: 86400 * 30},
		{Path: "/", MaxAge: 0, HttpOnly: true, SameSite: http.SameSiteLaxMode},
	} {
		t.Run(fmt.Sprintf("%+v", o), func(t *testing.T) {
			attrs := func(use gin.HandlerFunc) string {
				srv := serve(t, optionsApp(use, o, nil))
				_, _, res := newBrowser(t).get(srv.URL + "/set")
				c := cookieOf(t, res)
				if c == nil {
					t.Fatal("no session cookie")
				}
				return fmt.Sprintf("Path=%s Max-Age=%d Secure=%v HttpOnly=%v SameSite=%v", c.Path, c.MaxAge, c.Secure, c.HttpOnly, c.SameSite)
			}
			store := cookie.NewStore([]byte("secret"))
			store.Options(o)
			want := attrs(sessions.Sessions("mysession", store))
			got := attrs(gincontrib.Sessions("mysession", newMemstore(t), gincontrib.WithSessionOptions(gincontrib.StoreOptions(o)...)))
			if got != want {
				t.Errorf("adapter's cookie %s, gin-contrib's %s", got, want)
			}
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("StoreOptions with a negative MaxAge did not panic")
		}
	}()
	gincontrib.StoreOptions(sessions.Options{MaxAge: -1})
}
