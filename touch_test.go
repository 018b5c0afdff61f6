package ginsession_test

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores"
)

// countStore wraps a real store, counting its calls and running afterLoad
// (when set) once a Load has returned, to force an interleaving. It
// implements stores.Toucher only when the wrapped store does.
type countStore struct {
	stores.Store
	mu        sync.Mutex
	calls     map[string]int
	afterLoad func(key string)
}

type countToucher struct{ *countStore }

func (s countToucher) Touch(ctx context.Context, key string, exp time.Time) error {
	s.count("Touch")
	return s.Store.(stores.Toucher).Touch(ctx, key, exp)
}

func newCountStore(st stores.Store) (*countStore, stores.Store) {
	c := &countStore{Store: st, calls: map[string]int{}}
	if _, ok := st.(stores.Toucher); ok {
		return c, countToucher{c}
	}
	return c, c
}

func (s *countStore) count(m string) {
	s.mu.Lock()
	s.calls[m]++
	s.mu.Unlock()
}

func (s *countStore) counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.calls
	s.calls = map[string]int{}
	return out
}

func (s *countStore) Load(ctx context.Context, key string) ([]byte, error) {
	s.count("Load")
	b, err := s.Store.Load(ctx, key)
	s.mu.Lock()
	f := s.afterLoad
	s.mu.Unlock()
	if f != nil {
		f(key)
	}
	return b, err
}

func (s *countStore) Create(ctx context.Context, key string, data []byte, exp time.Time) error {
	s.count("Create")
	return s.Store.Create(ctx, key, data, exp)
}

func (s *countStore) Update(ctx context.Context, key string, data []byte, exp time.Time) error {
	s.count("Update")
	return s.Store.Update(ctx, key, data, exp)
}

// touchStores are the real stores with Touch, and one without.
func touchStores(t *testing.T) map[string]func(t *testing.T) stores.Store {
	all := relStores(t)
	all["sqlstore-postgres"] = func(t *testing.T) stores.Store { return postgresStore(t, "gs_touch_") }
	all["no Touch"] = func(t *testing.T) stores.Store { return newFaultStore() }
	delete(all, "memstore-unconditional") // another store without Touch
	return all
}

// touchApp is an app under SaveEveryRequest with /set, /read, /ignore and
// /incr (a read-modify-write of n).
func touchApp(t *testing.T, st stores.Store) *app {
	a := newApp(t, st, ginsession.WithSaveEveryRequest(true)).standardRoutes()
	a.r.GET("/incr", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "n")
		s.Set("n", n+1)
		c.String(200, "%d", n+1)
	})
	return a
}

// TestSaveEveryRequestTouchesAnUnchangedSession counts the store calls of
// five untouched and five read-only requests under SaveEveryRequest: one
// Load and one Touch each, no Update (the data is not rewritten), the
// cookie re-sent with Vary: Cookie each time. A store without Touch falls
// back to a full Update; a changed session is still saved in full.
func TestSaveEveryRequestTouchesAnUnchangedSession(t *testing.T) {
	for name, newStore := range touchStores(t) {
		t.Run(name, func(t *testing.T) {
			counter, st := newCountStore(newStore(t))
			_, touches := st.(stores.Toucher)
			a := touchApp(t, st)
			cookie := "sessionid=" + a.newSessionKey()
			counter.counts()
			for _, path := range []string{"/ignore", "/read"} {
				for range 5 {
					r := a.get(path, cookie)
					if r.StatusCode != 200 || "sessionid="+r.cookieValue("sessionid") != cookie || r.Header.Get("Vary") != "Cookie" {
						t.Fatalf("%s: status %d, Set-Cookie %q, Vary %q", path, r.StatusCode, r.cookie("sessionid"), r.Header.Get("Vary"))
					}
				}
				got := counter.counts()
				want := map[string]int{"Load": 5, "Touch": 5}
				if !touches {
					want = map[string]int{"Load": 5, "Update": 5}
				}
				if got["Load"] != want["Load"] || got["Touch"] != want["Touch"] || got["Update"] != want["Update"] || got["Create"] != 0 {
					t.Fatalf("5 requests to %s: store calls %v, want %v", path, got, want)
				}
			}
			a.get("/incr", cookie)
			if got := counter.counts(); got["Update"] != 1 || got["Touch"] != 0 {
				t.Fatalf("a changed session: store calls %v, want one Update", got)
			}
			if got := a.get("/read?k=foo", cookie).body; got != "bar" {
				t.Fatalf("foo=%q after the touches, want bar", got)
			}
		})
	}
}

// TestAnUnchangedRequestNeverUndoesAConcurrentChange forces the
// interleaving in which SaveEveryRequest used to lose a change: request A
// (which does not change the session) loads it, request B changes and
// saves it, then A ends. A only touches the record, so B's change stays;
// with a full Update A wrote its stale copy back over it.
func TestAnUnchangedRequestNeverUndoesAConcurrentChange(t *testing.T) {
	for name, newStore := range touchStores(t) {
		if name == "no Touch" {
			continue // a full Update is all such a store can do
		}
		t.Run(name, func(t *testing.T) {
			counter, st := newCountStore(newStore(t))
			a := touchApp(t, st)
			a.r.GET("/slow", func(c *gin.Context) { c.String(200, "ok") })
			cookie := "sessionid=" + a.newSessionKey()
			a.get("/incr", cookie) // n=1
			loaded, release := make(chan struct{}), make(chan struct{})
			var first atomic.Bool
			counter.mu.Lock()
			counter.afterLoad = func(string) {
				if first.CompareAndSwap(false, true) { // A's load, not B's
					close(loaded)
					<-release
				}
			}
			counter.mu.Unlock()
			done := make(chan response)
			go func() { done <- a.get("/slow", cookie) }()
			<-loaded
			if got := a.get("/incr", cookie).body; got != "2" {
				t.Fatalf("B counted %q, want 2", got)
			}
			close(release)
			if r := <-done; r.StatusCode != 200 {
				t.Fatalf("A: status %d", r.StatusCode)
			}
			if got := a.get("/read?k=n", cookie).body; got != "2" {
				t.Fatalf("n=%s after A ended, want 2: A's save undid B's change", got)
			}
		})
	}
}

// TestAnUnchangedRequestNeverBringsBackALogout: request A loads the
// session, a concurrent logout deletes it, then A ends under
// SaveEveryRequest. Its Touch finds nothing (ErrNotFound): the record stays
// gone and A's cookie is deleted, as for any key that no longer loads.
func TestAnUnchangedRequestNeverBringsBackALogout(t *testing.T) {
	for name, newStore := range touchStores(t) {
		if name == "no Touch" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			counter, st := newCountStore(newStore(t))
			a := touchApp(t, st)
			cookie := "sessionid=" + a.newSessionKey()
			key := cookie[len("sessionid="):]
			counter.mu.Lock()
			counter.afterLoad = func(k string) {
				if err := st.Delete(context.Background(), k); err != nil {
					t.Error(err)
				}
			}
			counter.mu.Unlock()
			r := a.get("/read", cookie)
			counter.mu.Lock()
			counter.afterLoad = nil
			counter.mu.Unlock()
			wantDeletionCookie(t, "a touch after a concurrent logout", r)
			if r.Header.Get("Vary") != "Cookie" {
				t.Fatalf("Vary %q", r.Header.Get("Vary"))
			}
			if ok, err := st.Exists(context.Background(), key); ok || err != nil {
				t.Fatalf("the logged-out record is back: %v, %v", ok, err)
			}
		})
	}
}

// TestManyUnchangedRequestsBesideAWriterLoseNothing: one client counts up
// while eight others send untouched requests with the same cookie under
// SaveEveryRequest, for many rounds. Every increment must be in the final
// count: an untouched request never writes its stale copy back.
func TestManyUnchangedRequestsBesideAWriterLoseNothing(t *testing.T) {
	for name, newStore := range touchStores(t) {
		if name == "no Touch" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			a := touchApp(t, newStore(t))
			cookie := "sessionid=" + a.newSessionKey()
			const writes = 60
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						if r := a.get("/read?k=foo", cookie); r.StatusCode != 200 {
							t.Errorf("untouched request: %d", r.StatusCode)
							return
						}
					}
				}()
			}
			for i := 1; i <= writes; i++ {
				if got := a.get("/incr", cookie).body; got != strconv.Itoa(i) {
					t.Errorf("increment %d answered %s: an earlier one was undone", i, got)
					break
				}
			}
			close(stop)
			wg.Wait()
			if got := a.get("/read?k=n", cookie).body; got != strconv.Itoa(writes) {
				t.Fatalf("n=%s after %d increments", got, writes)
			}
		})
	}
}
