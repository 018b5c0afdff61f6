package ginsession_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
)

// TestAValueReadFromALargeSessionNeverChanges forces the interleaving that
// loading without a copy must survive: a request reads a large value from
// the memory store (its string points into the store's record), and before
// it is done another request stores a value of the same size over it. The
// first request's value must stay what it read, and the second's must be
// what the store holds.
func TestAValueReadFromALargeSessionNeverChanges(t *testing.T) {
	for _, n := range []int{100, 1000, 4 << 10, 100 << 10} {
		st := testenv.Must(memstore.New())
		r := gin.New()
		r.Use(ginsession.New(st))
		loaded, resume := make(chan struct{}), make(chan struct{})
		var held string
		r.GET("/set", func(c *gin.Context) {
			ginsession.From(c).Set("v", strings.Repeat(c.Query("b"), n))
			c.String(http.StatusOK, "ok")
		})
		r.GET("/hold", func(c *gin.Context) {
			held, _ = ginsession.Get[string](ginsession.From(c), "v")
			close(loaded)
			<-resume
			c.String(http.StatusOK, "ok")
		})
		r.GET("/get", func(c *gin.Context) {
			v, _ := ginsession.Get[string](ginsession.From(c), "v")
			c.String(http.StatusOK, v)
		})
		do := func(path, cookie string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if cookie != "" {
				req.Header.Set("Cookie", cookie)
			}
			w := httptest.NewRecorder()
			r.ServeHTTP(w, req)
			return w
		}
		first := do("/set?b=a", "")
		cookie := strings.SplitN(first.Header().Get("Set-Cookie"), ";", 2)[0]
		done := make(chan struct{})
		go func() { defer close(done); do("/hold", cookie) }()
		<-loaded
		if w := do("/set?b=b", cookie); w.Code != http.StatusOK {
			t.Fatalf("%d bytes: the second write answered %d", n, w.Code)
		}
		if held != strings.Repeat("a", n) {
			t.Fatalf("%d bytes: a value the first request had read changed under it when another request wrote the session", n)
		}
		close(resume)
		<-done
		if got := do("/get", cookie).Body.String(); got != strings.Repeat("b", n) {
			t.Fatalf("%d bytes: the store holds %.20q..., want the second write", n, got)
		}
	}
}

// countingStore embeds a memstore and overrides Load, as instrumentation
// and fault injection do; it also gets memstore's LoadShared.
type countingStore struct {
	*memstore.Store
	loads atomic.Int32
}

func (c *countingStore) Load(ctx context.Context, key string) ([]byte, error) {
	c.loads.Add(1)
	return c.Store.Load(ctx, key)
}

// TestAStoreEmbeddingMemstoreKeepsItsLoad checks that the middleware loads
// through the Load such a wrapper overrides, not the LoadShared it gets
// from the memstore it embeds.
func TestAStoreEmbeddingMemstoreKeepsItsLoad(t *testing.T) {
	st := &countingStore{Store: testenv.Must(memstore.New())}
	r := gin.New()
	r.Use(ginsession.New(st))
	r.GET("/set", func(c *gin.Context) {
		ginsession.From(c).Set("v", strings.Repeat("a", 4<<10))
		c.String(http.StatusOK, "ok")
	})
	r.GET("/get", func(c *gin.Context) {
		v, _ := ginsession.Get[string](ginsession.From(c), "v")
		c.String(http.StatusOK, "%d", len(v))
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/set", nil))
	req := httptest.NewRequest(http.MethodGet, "/get", nil)
	req.Header.Set("Cookie", strings.SplitN(w.Header().Get("Set-Cookie"), ";", 2)[0])
	w = httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Body.String() != "4096" || st.loads.Load() != 1 {
		t.Fatalf("read %q with %d calls of the wrapper's Load, want 4096 with 1", w.Body.String(), st.loads.Load())
	}
}
