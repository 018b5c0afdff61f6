package cookiestore_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

// benchSession is the logged-in session of the reference's worked example
// (django-sessions.md 4.7): 187 bytes of JSON.
const benchSession = `{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"f25f57488b7b16c8c433347722c7f1b3821c261d4cdfe07c1b58cf49e9952454","cart":[1,2,3]}`

// BenchmarkSealOpen measures the signed and the encrypted engine side by
// side, alone and through the middleware, in one run so that their ratios
// compare like with like. The secret has a fallback, as during a rotation;
// cookies are sealed under the current secret.
func BenchmarkSealOpen(b *testing.B) {
	secrets := [][]byte{[]byte(secretA), []byte(secretB)}
	for _, e := range []struct {
		name  string
		store *cookiestore.Store
	}{
		{"signed", testenv.Must(cookiestore.New())},
		{"encrypted", enc()},
	} {
		sealed, err := e.store.Seal([]byte(benchSession), secrets)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(e.name+"/seal", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.store.Seal([]byte(benchSession), secrets); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(e.name+"/open", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := e.store.Open(sealed, secrets); err != nil {
					b.Fatal(err)
				}
			}
		})

		r := gin.New()
		r.Use(ginsession.New(e.store,
			ginsession.WithSecretKey(secretA, secretB),
			ginsession.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
		r.GET("/read", func(c *gin.Context) {
			if _, ok := ginsession.From(c).Get("_auth_user_id"); !ok {
				c.Status(http.StatusInternalServerError)
				return
			}
			c.Status(http.StatusNoContent)
		})
		r.GET("/write", func(c *gin.Context) {
			s := ginsession.From(c)
			n, _ := ginsession.Get[int](s, "hits")
			s.Set("hits", n+1)
			c.Status(http.StatusNoContent)
		})
		through := func(path string, wantCookie bool) func(*testing.B) {
			return func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Header.Set("Cookie", "sessionid="+sealed)
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					r.ServeHTTP(w, req)
					if w.Code != http.StatusNoContent || (w.Header().Get("Set-Cookie") != "") != wantCookie {
						b.Fatalf("%s: status %d, Set-Cookie %q", path, w.Code, w.Header().Get("Set-Cookie"))
					}
				}
			}
		}
		b.Run(e.name+"/middleware-read", through("/read", false))
		b.Run(e.name+"/middleware-write", through("/write", true))
	}
}
