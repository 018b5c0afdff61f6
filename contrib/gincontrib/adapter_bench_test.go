package gincontrib_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/contrib/gincontrib"
)

// BenchmarkAdapter measures what the adapter adds to ginsession's own
// middleware on a memory store, for a request that does not touch the
// session and for one that reads and writes a value.
func BenchmarkAdapter(b *testing.B) {
	for _, mw := range []struct {
		name string
		use  func() gin.HandlerFunc
		get  func(c *gin.Context) (any, func(any))
	}{
		{"ginsession", func() gin.HandlerFunc { return ginsession.New(newMemstore(b)) },
			func(c *gin.Context) (any, func(any)) {
				s := ginsession.From(c)
				v, _ := s.Get("n")
				return v, func(v any) { s.Set("n", v) }
			}},
		{"gincontrib", func() gin.HandlerFunc { return gincontrib.Sessions("sessionid", newMemstore(b)) },
			func(c *gin.Context) (any, func(any)) {
				s := sessions.Default(c)
				return s.Get("n"), func(v any) { s.Set("n", v) }
			}},
	} {
		r := gin.New()
		r.Use(mw.use())
		r.GET("/untouched", func(c *gin.Context) { c.Status(http.StatusNoContent) })
		r.GET("/write", func(c *gin.Context) {
			v, set := mw.get(c)
			n, _ := v.(int)
			set(n + 1)
			c.Status(http.StatusNoContent)
		})
		w := httptest.NewRecorder()
		r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/write", nil))
		cookie := w.Result().Cookies()[0]
		for _, path := range []string{"/untouched", "/write"} {
			b.Run(mw.name+path, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(cookie)
				b.ReportAllocs()
				for b.Loop() {
					r.ServeHTTP(httptest.NewRecorder(), req)
				}
			})
		}
	}
}
