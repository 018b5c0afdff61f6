package ginsession_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
)

// TestAPanicAfterTheMiddlewareCommitsNothing: whatever a recovery middleware
// registered before ginsession answers, the change the handler was making
// when it panicked is neither saved nor sent, and the panic reaches the
// recovery.
func TestAPanicAfterTheMiddlewareCommitsNothing(t *testing.T) {
	for _, st := range []struct {
		name  string
		store func() stores.Store
	}{
		{"server store", func() stores.Store { return testenv.Must(memstore.New()) }},
		{"cookie store", func() stores.Store { return testenv.Must(cookiestore.New()) }},
	} {
		for _, rec := range []struct {
			name   string
			mw     func(recovered *any) gin.HandlerFunc
			status int
		}{
			{"a recovery that redirects", func(p *any) gin.HandlerFunc {
				return gin.CustomRecovery(func(c *gin.Context, err any) { *p = err; c.Redirect(http.StatusFound, "/") })
			}, http.StatusFound},
			{"a recovery that answers 200", func(p *any) gin.HandlerFunc {
				return gin.CustomRecovery(func(c *gin.Context, err any) { *p = err; c.String(http.StatusOK, "sorry") })
			}, http.StatusOK},
			{"gin.Recovery", func(p *any) gin.HandlerFunc {
				return func(c *gin.Context) {
					defer func() { *p = recover(); c.AbortWithStatus(http.StatusInternalServerError) }()
					c.Next()
				}
			}, http.StatusInternalServerError},
		} {
			t.Run(st.name+"/"+rec.name, func(t *testing.T) {
				var recovered any
				r := gin.New()
				r.Use(gin.RecoveryWithWriter(io.Discard), rec.mw(&recovered), ginsession.New(st.store(), ginsession.WithSecretKey(secretA)))
				r.GET("/set", func(c *gin.Context) { ginsession.From(c).Set("cart", "full"); c.Status(http.StatusNoContent) })
				r.GET("/panic", func(c *gin.Context) {
					s := ginsession.From(c)
					s.Set("cart", "half")
					s.Set("new", 1)
					panic("boom")
				})
				r.GET("/read", func(c *gin.Context) {
					v, _ := ginsession.From(c).Get("cart")
					c.String(http.StatusOK, "%v", v)
				})
				serve := func(path, cookie string) *httptest.ResponseRecorder {
					req := httptest.NewRequest(http.MethodGet, path, nil)
					if cookie != "" {
						req.Header.Set("Cookie", cookie)
					}
					w := httptest.NewRecorder()
					r.ServeHTTP(w, req)
					return w
				}
				cookie := serve("/set", "").Header().Get("Set-Cookie")
				if cookie == "" {
					t.Fatal("no session made")
				}
				for _, c := range []string{cookie, ""} {
					w := serve("/panic", c)
					if w.Code != rec.status || recovered != "boom" {
						t.Fatalf("answered %d after recovering %v; want %d after boom", w.Code, recovered, rec.status)
					}
					if sc := w.Header().Get("Set-Cookie"); sc != "" {
						t.Errorf("a panicked request sent Set-Cookie %q", sc)
					}
				}
				if body := serve("/read", cookie).Body.String(); body != "full" {
					t.Errorf("after the panic the session holds cart=%q, want full", body)
				}
			})
		}
	}
}
