package ginsession_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// events collects what an Observer receives.
type events struct {
	mu  sync.Mutex
	all []ginsession.Event
}

func (ev *events) observe(e ginsession.Event) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.all = append(ev.all, e)
}

// take returns the events since the last take, as "op/outcome" strings.
func (ev *events) take() ([]ginsession.Event, string) {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	got := ev.all
	ev.all = nil
	var s []string
	for _, e := range got {
		s = append(s, string(e.Op)+"/"+string(e.Outcome))
	}
	return got, strings.Join(s, " ")
}

// laterKey marks the request contexts of a middleware registered after
// ginsession's, as a tracing middleware would.
type laterKey struct{}

// observedApp serves a session app on store with an observer and a
// middleware after ginsession's that replaces c.Request's context.
func observedApp(t *testing.T, store stores.Store, opts ...ginsession.Option) (*gin.Engine, *events) {
	t.Helper()
	ev := &events{}
	r := gin.New()
	r.Use(ginsession.New(store, append(opts, ginsession.WithObserver(ev.observe), ginsession.WithLogger(slog.New(slog.DiscardHandler)))...))
	r.Use(func(c *gin.Context) {
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), laterKey{}, c.Request.URL.Path))
	})
	r.GET("/get", func(c *gin.Context) {
		v, _ := ginsession.From(c).Get("n")
		c.String(http.StatusOK, "%v", v)
	})
	r.GET("/set", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "n")
		s.Set("n", n+1)
	})
	r.GET("/cycle", func(c *gin.Context) { _ = ginsession.From(c).CycleKey() })
	r.GET("/flush", func(c *gin.Context) { _ = ginsession.From(c).Flush() })
	return r, ev
}

// serve runs one request with the session cookie value key ("" for none)
// and returns the response and the session cookie's value it set.
func serve(r http.Handler, path, key string) (*httptest.ResponseRecorder, string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if key != "" {
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	for _, c := range w.Result().Cookies() {
		if c.Name == "sessionid" {
			return w, c.Value
		}
	}
	return w, key
}

// checkEvents fails unless every event carries the request's context as
// the later middleware left it, the store's kind, and no raw key.
func checkEvents(t *testing.T, got []ginsession.Event, store string, keys ...string) {
	t.Helper()
	for _, e := range got {
		if e.Context == nil || e.Context.Value(laterKey{}) == nil {
			t.Errorf("%s/%s: the context is not the request's at the time of the call", e.Op, e.Outcome)
		}
		if e.Store != store {
			t.Errorf("%s/%s: store %q, want %q", e.Op, e.Outcome, e.Store, store)
		}
		e.Context = nil
		text := fmt.Sprintf("%+v", e)
		for _, k := range keys {
			if k != "" && strings.Contains(text, k) {
				t.Errorf("an event holds a raw session key: %s", text)
			}
		}
	}
}

func TestObserverSeesEachOutcome(t *testing.T) {
	store := testenv.Must(memstore.New())
	r, ev := observedApp(t, store)
	_, key := serve(r, "/set", "")
	_, ev1 := ev.take()
	serve(r, "/get", key)
	_, ev2 := ev.take()
	serve(r, "/set", key)
	_, ev3 := ev.take()
	unknown := stores.NewKey()
	serve(r, "/get", unknown)
	_, ev4 := ev.take()
	_, cycled := serve(r, "/cycle", key)
	got5, ev5 := ev.take()
	serve(r, "/flush", cycled)
	got6, ev6 := ev.take()
	corrupt := stores.NewKey()
	if err := store.Create(t.Context(), corrupt, []byte("not json"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	serve(r, "/get", corrupt)
	_, ev7 := ev.take()
	for _, c := range []struct{ step, got, want string }{
		{"new session", ev1, "save/created"},
		{"read", ev2, "load/hit"},
		{"read-modify-write", ev3, "load/hit save/updated"},
		{"unknown key", ev4, "load/miss"},
		{"CycleKey", ev5, "load/hit save/created cycle/ok"},
		{"Flush", ev6, "flush/ok"},
		{"corrupt data", ev7, "load/corrupt"},
	} {
		if c.got != c.want {
			t.Errorf("%s: events %q, want %q", c.step, c.got, c.want)
		}
	}
	if e := got5[len(got5)-1]; e.Session != stores.Redact(cycled) {
		t.Errorf("cycle: Session %q, want the new key redacted %q", e.Session, stores.Redact(cycled))
	}
	if e := got6[0]; e.Session != stores.Redact(cycled) || e.Duration <= 0 {
		t.Errorf("flush: Session %q, Duration %v; want %q and the time it took", e.Session, e.Duration, stores.Redact(cycled))
	}
	// A second app on the same store, to replay every step's events for
	// the context, store and key checks.
	r2, ev2s := observedApp(t, store)
	_, k := serve(r2, "/set", "")
	serve(r2, "/set", k)
	_, k2 := serve(r2, "/cycle", k)
	serve(r2, "/flush", k2)
	serve(r2, "/get", corrupt)
	got, _ := ev2s.take()
	checkEvents(t, got, "memstore", k, k2, corrupt, key, cycled)
}

func TestObserverSeesTouchExpiryAndInterruption(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	// The store keeps real time, so the record outlives the middleware's
	// absolute timeout and the middleware ends it at load.
	store := testenv.Must(memstore.New())
	r, ev := observedApp(t, store, ginsession.WithSaveEveryRequest(true),
		ginsession.WithAbsoluteTimeout(time.Hour), ginsession.WithClock(clock))
	r.GET("/logout-meanwhile", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "n")
		if err := store.Delete(c, s.Key()); err != nil { // a concurrent logout
			t.Error(err)
		}
		s.Set("n", n+1)
	})
	_, key := serve(r, "/set", "")
	ev.take()
	serve(r, "/get", key)
	_, touched := ev.take()
	if touched != "load/hit save/touched" {
		t.Errorf("SaveEveryRequest on an unchanged session: events %q, want load/hit save/touched", touched)
	}
	now = now.Add(2 * time.Hour)
	serve(r, "/get", key)
	if _, got := ev.take(); got != "load/expired" {
		t.Errorf("past the absolute timeout: events %q, want load/expired", got)
	}
	_, key = serve(r, "/set", "")
	ev.take()
	w, _ := serve(r, "/logout-meanwhile", key)
	got, s := ev.take()
	if w.Code != http.StatusBadRequest || s != "load/hit save/interrupted" || !errors.Is(got[1].Err, ginsession.ErrSessionInterrupted) {
		t.Errorf("a save over a concurrent logout: %d, events %q (%v); want 400, load/hit save/interrupted", w.Code, s, got)
	}
}

func TestObserverSeesStoreFailuresAndTimeouts(t *testing.T) {
	var mode sync.Map // "fail" or "hang", for Load
	boom := errors.New("store down")
	store := stores.Wrap(testenv.Must(memstore.New()), func(ctx context.Context, call stores.Call, next func(context.Context) error) error {
		if call.Method == "Load" {
			if v, _ := mode.Load("mode"); v == "fail" {
				return boom
			} else if v == "hang" {
				<-ctx.Done()
				return ctx.Err()
			}
		}
		return next(ctx)
	})
	r, ev := observedApp(t, store, ginsession.WithStoreTimeout(20*time.Millisecond))
	_, key := serve(r, "/set", "")
	ev.take()
	mode.Store("mode", "fail")
	serve(r, "/get", key)
	got, s := ev.take()
	if s != "load/failed" || !errors.Is(got[0].Err, boom) {
		t.Errorf("a failing store: events %q (%v), want load/failed wrapping the store's error", s, got)
	}
	mode.Store("mode", "hang")
	serve(r, "/get", key)
	got, s = ev.take()
	if s != "load/timeout" || !errors.Is(got[0].Err, context.DeadlineExceeded) || got[0].Duration < 20*time.Millisecond {
		t.Errorf("a store that hangs: events %q (%v), want load/timeout after the store timeout", s, got)
	}
	checkEvents(t, got, "memstore", key) // the kind of the store stores.Wrap wraps
}

// TestObserverCountsAConflictMerged forces two requests to load one
// session before either saves: the second save reports its conflict,
// then a merged save.
func TestObserverCountsAConflictMerged(t *testing.T) {
	store := testenv.Must(memstore.New())
	r, ev := observedApp(t, store)
	var loaded sync.WaitGroup
	loaded.Add(2)
	r.GET("/race/:k", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Get("n")
		loaded.Done()
		loaded.Wait() // both loaded: the later save conflicts
		s.Set(c.Param("k"), true)
	})
	_, key := serve(r, "/set", "")
	ev.take()
	var wg sync.WaitGroup
	for _, k := range []string{"a", "b"} {
		wg.Go(func() { serve(r, "/race/"+k, key) })
	}
	wg.Wait()
	got, _ := ev.take()
	var outcomes []string
	for _, e := range got {
		if e.Op == ginsession.OpSave {
			outcomes = append(outcomes, fmt.Sprintf("%s/%d", e.Outcome, e.Attempts))
		}
	}
	if strings.Join(outcomes, " ") != "updated/0 conflict/1 merged/0" {
		t.Errorf("two racing saves: %q, want updated/0 conflict/1 merged/0", outcomes)
	}
	w, _ := serve(r, "/get", key)
	if w.Code != http.StatusOK {
		t.Fatal(w.Code)
	}
	checkEvents(t, got, "memstore", key)
}
