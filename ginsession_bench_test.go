package ginsession_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
)

// discardWriter is a reusable http.ResponseWriter, so the benchmarks
// measure the middleware and not httptest's recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }

func (w *discardWriter) reset() {
	clear(w.h)
	w.status = 0
}

// BenchmarkMiddleware measures the middleware on the memory store, beside
// a bare handler, in one run: untouched (cookie sent, session ignored), read
// one string, write (read-modify-write of a counter), new (no cookie, one
// value set).
func BenchmarkMiddleware(b *testing.B) {
	handler := func(c *gin.Context) {
		switch c.Request.URL.Path {
		case "/read":
			v, _ := ginsession.From(c).Get("name")
			c.String(http.StatusOK, v.(string))
			return
		case "/write":
			s := ginsession.From(c)
			n, _ := ginsession.Get[int](s, "n")
			s.Set("n", n+1)
		case "/new":
			ginsession.From(c).Set("name", "gopher")
		case "/counter":
			n, _ := ginsession.Get[int](ginsession.From(c), "n")
			c.String(http.StatusOK, strconv.Itoa(n))
			return
		}
		c.String(http.StatusOK, "ok")
	}
	bare := gin.New()
	bare.GET("/:any", handler)

	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New())))
	r.GET("/:any", handler)

	// A session to send back, as a browser would.
	w := &discardWriter{h: http.Header{}}
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/new", nil))
	cookie := (&http.Response{Header: w.h}).Cookies()[0]
	if len(cookie.Value) != 32 {
		b.Fatalf("no session: %v", w.h)
	}

	run := func(b *testing.B, h http.Handler, path string, withCookie bool, check func(*testing.B, *discardWriter)) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if withCookie {
			req.Header.Set("Cookie", "sessionid="+cookie.Value)
		}
		w := &discardWriter{h: http.Header{}}
		h.ServeHTTP(w, req)
		check(b, w)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			w.reset()
			h.ServeHTTP(w, req)
		}
	}
	okNoCookie := func(b *testing.B, w *discardWriter) {
		if w.status != http.StatusOK || w.h.Get("Set-Cookie") != "" {
			b.Fatalf("status %d, Set-Cookie %q", w.status, w.h.Get("Set-Cookie"))
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, bare, "/untouched", true, okNoCookie) })
	b.Run("untouched", func(b *testing.B) { run(b, r, "/untouched", true, okNoCookie) })
	b.Run("read", func(b *testing.B) { run(b, r, "/read", true, okNoCookie) })
	b.Run("write", func(b *testing.B) {
		before := 0
		run(b, r, "/write", true, func(b *testing.B, w *discardWriter) {
			if w.status != http.StatusOK || w.h.Get("Set-Cookie") == "" {
				b.Fatalf("status %d, Set-Cookie %q", w.status, w.h.Get("Set-Cookie"))
			}
			before = readCounter(b, r, cookie.Value)
		})
		if after := readCounter(b, r, cookie.Value); after != before+b.N {
			b.Fatalf("counter went from %d to %d over %d writes", before, after, b.N)
		}
	})
	b.Run("new", func(b *testing.B) {
		run(b, r, "/new", false, func(b *testing.B, w *discardWriter) {
			if c := (&http.Response{Header: w.h}).Cookies(); len(c) != 1 || len(c[0].Value) != 32 {
				b.Fatalf("no new session: %v", w.h)
			}
		})
	})
}

// readCounter reads the benchmark's counter without changing it.
func readCounter(b *testing.B, r *gin.Engine, key string) int {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, "/counter", nil)
	req.Header.Set("Cookie", "sessionid="+key)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	n, err := strconv.Atoi(w.Body.String())
	if err != nil {
		b.Fatalf("counter %q", w.Body.String())
	}
	return n
}
