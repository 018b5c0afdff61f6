package gincontrib_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/contrib/gincontrib"
)

// TestResponsesPassThroughAsWithoutTheAdapter checks what the handlers
// write reaches the client as it would without the adapter: statuses set or
// not, bodies written with or without a status, missing routes, aborts,
// and what middlewares before the adapter see afterwards.
func TestResponsesPassThroughAsWithoutTheAdapter(t *testing.T) {
	app := func(use gin.HandlerFunc, seen *[]int) *gin.Engine {
		r := gin.New()
		r.Use(func(c *gin.Context) { c.Next(); *seen = append(*seen, c.Writer.Status()) })
		if use != nil {
			r.Use(use)
		}
		r.GET("/plain", func(c *gin.Context) { _, _ = c.Writer.Write([]byte("plain")) })
		r.GET("/nothing", func(c *gin.Context) {})
		r.GET("/created", func(c *gin.Context) { c.Status(http.StatusCreated) })
		r.GET("/teapot", func(c *gin.Context) { c.String(http.StatusTeapot, "short and stout") })
		r.GET("/abort", func(c *gin.Context) { c.AbortWithStatus(http.StatusForbidden) }, func(c *gin.Context) { c.String(200, "not reached") })
		r.GET("/redirect", func(c *gin.Context) {
			sessions.Default(c).Set("k", "v")
			c.Redirect(http.StatusFound, "/plain")
		})
		return r
	}
	paths := []string{"/plain", "/nothing", "/created", "/teapot", "/abort", "/redirect", "/missing"}
	var bare, adapted []int
	for _, p := range paths {
		want := httptest.NewRecorder()
		app(sessions.Sessions("s", cookie.NewStore([]byte("secret"))), &bare).ServeHTTP(want, httptest.NewRequest(http.MethodGet, p, nil))
		got := httptest.NewRecorder()
		app(gincontrib.Sessions("s", newMemstore(t)), &adapted).ServeHTTP(got, httptest.NewRequest(http.MethodGet, p, nil))
		if got.Code != want.Code || got.Body.String() != want.Body.String() || got.Header().Get("Location") != want.Header().Get("Location") {
			t.Errorf("%s: adapter answered %d %q, gin-contrib %d %q", p, got.Code, got.Body, want.Code, want.Body)
		}
		if p == "/redirect" && len(got.Header().Values("Set-Cookie")) != 1 {
			t.Errorf("%s: the session changed before the redirect was not saved: %q", p, got.Header().Values("Set-Cookie"))
		}
		if bare[len(bare)-1] != adapted[len(adapted)-1] {
			t.Errorf("%s: a middleware before the adapter saw status %d, %d before it", p, adapted[len(adapted)-1], bare[len(bare)-1])
		}
	}
}

// TestGinsessionFindsTheSameSession reads through ginsession.From and
// gincontrib.Underlying what the handler set through gin-contrib's API.
func TestGinsessionFindsTheSameSession(t *testing.T) {
	r := gin.New()
	r.Use(gincontrib.Sessions("s", newMemstore(t)))
	r.GET("/", func(c *gin.Context) {
		sessions.Default(c).Set("n", int64(5))
		n, ok := ginsession.Get[int64](ginsession.From(c), "n")
		same := ginsession.From(c) == gincontrib.Underlying(sessions.Default(c))
		c.String(http.StatusOK, "%d %v %v", n, ok, same)
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Body.String() != "5 true true" {
		t.Errorf("got %s", w.Body)
	}
}

// TestManySessionsAdoptTheirOwnCookies migrates two gin-contrib sessions
// of SessionsMany, each from its own cookie.
func TestManySessionsAdoptTheirOwnCookies(t *testing.T) {
	old := gin.New()
	old.Use(sessions.SessionsMany([]string{"a", "b"}, cookie.NewStore(hashKey)))
	old.GET("/", func(c *gin.Context) {
		sessions.DefaultMany(c, "a").Set("v", "from a")
		_ = sessions.DefaultMany(c, "a").Save()
		sessions.DefaultMany(c, "b").Set("v", int64(2))
		_ = sessions.DefaultMany(c, "b").Save()
	})
	r := gin.New()
	r.Use(gincontrib.SessionsMany([]string{"a", "b"}, newMemstore(t),
		gincontrib.WithMigration(gincontrib.Migration{KeyPairs: [][]byte{hashKey}})))
	r.GET("/", func(c *gin.Context) {
		c.String(http.StatusOK, "%v %v", sessions.DefaultMany(c, "a").Get("v"), sessions.DefaultMany(c, "b").Get("v").(int64))
	})
	before, after := serve(t, old), serve(t, r)
	b := newBrowser(t)
	b.get(before.URL + "/")
	oldA := b.cookie(after, "a")
	for i := range 2 {
		if _, body, _ := b.get(after.URL + "/"); body != "from a 2" {
			t.Errorf("request %d: %s", i+1, body)
		}
	}
	if a := b.cookie(after, "a"); a == oldA || len(a) != 32 {
		t.Errorf("cookie a is not a new ginsession key: %q", a)
	}
}
