package ginsession_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

type traceKey struct{}

// ctxStore wraps a real store and records, per method, the trace value of
// the context each call ran under.
type ctxStore struct {
	stores.Store
	mu   sync.Mutex
	seen map[string][]any
}

func (s *ctxStore) note(ctx context.Context, method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[method] = append(s.seen[method], ctx.Value(traceKey{}))
}

func (s *ctxStore) Load(ctx context.Context, key string) ([]byte, error) {
	s.note(ctx, "Load")
	return s.Store.Load(ctx, key)
}

func (s *ctxStore) Create(ctx context.Context, key string, data []byte, exp time.Time) error {
	s.note(ctx, "Create")
	return s.Store.Create(ctx, key, data, exp)
}

func (s *ctxStore) Update(ctx context.Context, key string, data []byte, exp time.Time) error {
	s.note(ctx, "Update")
	return s.Store.Update(ctx, key, data, exp)
}

func (s *ctxStore) Delete(ctx context.Context, key string) error {
	s.note(ctx, "Delete")
	return s.Store.Delete(ctx, key)
}

func (s *ctxStore) Exists(ctx context.Context, key string) (bool, error) {
	s.note(ctx, "Exists")
	return s.Store.Exists(ctx, key)
}

// TestStoreCallsRunUnderTheRequestContextOfTheMoment registers a tracing
// middleware and a cancelling one after ginsession, as an application adds
// a span or a deadline per route group: every store call (the lazy Load,
// Create and Update at the end, CycleKey's and Flush's, Exists, DeleteKey)
// must run under the context as it is when the call is made, not the one
// ginsession saw when the request came in.
func TestStoreCallsRunUnderTheRequestContextOfTheMoment(t *testing.T) {
	st := &ctxStore{Store: testenv.Must(memstore.New()), seen: map[string][]any{}}
	a := newApp(t, st)
	trace := func(c *gin.Context) {
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), traceKey{}, "inner"))
		c.Next()
	}
	g := a.r.Group("/", trace)
	g.GET("/set", func(c *gin.Context) { ginsession.From(c).Set("foo", "bar"); c.String(200, "ok") })
	g.GET("/rw", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "n")
		s.Set("n", n+1)
		c.String(200, "ok")
	})
	g.GET("/other", func(c *gin.Context) {
		s := ginsession.From(c)
		_, _ = s.Exists(stores.NewKey())
		_ = s.DeleteKey(stores.NewKey())
		_ = s.CycleKey()
		c.String(200, "ok")
	})
	g.GET("/flush", func(c *gin.Context) { _ = ginsession.From(c).Flush(); c.String(200, "ok") })
	// A deadline that has already passed, set after ginsession: the store
	// must see it and the request must fail rather than save.
	a.r.GET("/cancelled", func(c *gin.Context) {
		ctx, cancel := context.WithCancel(c.Request.Context())
		cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}, func(c *gin.Context) { ginsession.From(c).Set("foo", "late"); c.String(200, "ok") })

	cookie := "sessionid=" + a.get("/set", "").cookieValue("sessionid")
	a.get("/rw", cookie)
	r := a.get("/other", cookie)
	a.get("/flush", "sessionid="+r.cookieValue("sessionid"))
	st.mu.Lock()
	for _, m := range []string{"Load", "Create", "Update", "Delete", "Exists"} {
		if len(st.seen[m]) == 0 {
			t.Errorf("no %s call was made", m)
		}
		for _, v := range st.seen[m] {
			if v != "inner" {
				t.Errorf("a %s ran under the context ginsession saw first (trace value %v), not the request's current one", m, v)
			}
		}
	}
	st.seen = map[string][]any{}
	st.mu.Unlock()

	before := st.Store.(*memstore.Store).Len()
	r = a.get("/cancelled", "")
	if r.StatusCode != 500 || r.cookie("sessionid") != "" {
		t.Fatalf("a request whose context was cancelled after ginsession: status %d, Set-Cookie %q; want 500 and no cookie", r.StatusCode, r.cookie("sessionid"))
	}
	if n := st.Store.(*memstore.Store).Len(); n != before {
		t.Fatalf("the store holds %d records, want %d: the cancelled request saved", n, before)
	}
}

// TestAStoreCallAfterTheRequestUsesItsLastContext: a goroutine that
// outlives the request (a misuse, but one that must not race with gin's
// reuse of the gin.Context) runs under the context the request ended with.
func TestAStoreCallAfterTheRequestUsesItsLastContext(t *testing.T) {
	st := &ctxStore{Store: testenv.Must(memstore.New()), seen: map[string][]any{}}
	a := newApp(t, st)
	done := make(chan error, 1)
	a.r.GET("/late", func(c *gin.Context) {
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), traceKey{}, "last"))
		s := ginsession.From(c)
		go func() {
			time.Sleep(50 * time.Millisecond)
			_, err := s.Exists(stores.NewKey())
			done <- err
		}()
		c.String(200, "ok")
	})
	a.get("/late", "")
	// Other requests reuse the gin.Context meanwhile.
	for range 20 {
		a.get("/late", "")
	}
	for range 21 {
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Fatal(err)
		}
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, v := range st.seen["Exists"] {
		if v != "last" {
			t.Fatalf("a call after the request ran under trace value %v", v)
		}
	}
}
