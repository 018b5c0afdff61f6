package ginsession_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/memstore"
)

// meddler wraps a real store that can swap, counting its conditional
// writes and running a hook before each: a concurrent request's save,
// forced between this request's load and save.
type meddler struct {
	stores.Store
	sw      stores.Swapper
	swaps   atomic.Int32
	deletes atomic.Int32
	before  func(call int32) // runs before each CompareAndSwap
	beforeD func(call int32) // runs before each CompareAndDelete
}

func meddle(st stores.Store) *meddler { return &meddler{Store: st, sw: st.(stores.Swapper)} }

func (m *meddler) CompareAndSwap(ctx context.Context, key string, old, data []byte, exp time.Time) ([]byte, error) {
	n := m.swaps.Add(1)
	if m.before != nil {
		m.before(n)
	}
	return m.sw.CompareAndSwap(ctx, key, old, data, exp)
}

func (m *meddler) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	n := m.deletes.Add(1)
	if m.beforeD != nil {
		m.beforeD(n)
	}
	return m.sw.CompareAndDelete(ctx, key, old)
}

// put replaces the record under key with values, as another request's save
// would.
func (m *meddler) put(t *testing.T, key, json string) {
	t.Helper()
	if err := m.Store.Update(context.Background(), key, []byte(json), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

func (m *meddler) json(t *testing.T, key string) string {
	t.Helper()
	b, err := m.Store.Load(context.Background(), key)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func newMeddler() *meddler { return meddle(testenv.Must(memstore.New())) }

// journalApp serves /do, whose handler is the test's.
func journalApp(t *testing.T, st stores.Store, h gin.HandlerFunc, opts ...ginsession.Option) *app {
	a := newApp(t, st, opts...).standardRoutes()
	a.r.GET("/do", h)
	return a
}

func TestAConflictingSaveReplaysThisRequestsChanges(t *testing.T) {
	m := newMeddler()
	a := journalApp(t, m, func(c *gin.Context) {
		s := ginsession.From(c)
		_, _ = s.Get("read") // read only: never written back
		s.Set("mine", "A")
		s.Delete("gone")
		s.Set("shared", "from A")
		c.String(http.StatusOK, "ok")
	})
	key := a.newSessionKey()
	m.put(t, key, `{"read":1,"gone":1,"shared":"old","keep":1}`)
	m.before = func(n int32) {
		if n == 1 { // another request saves between this one's load and save
			m.put(t, key, `{"read":2,"gone":1,"shared":"from B","keep":1,"theirs":"B"}`)
		}
	}
	if r := a.get("/do", "sessionid="+key); r.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	want := `{"read":2,"shared":"from A","keep":1,"theirs":"B","mine":"A"}`
	if got := m.json(t, key); got != want {
		t.Errorf("record\n got %s\nwant %s (B's keys kept in B's order, A's changes on top, A's new key last)", got, want)
	}
	if n := m.swaps.Load(); n != 2 {
		t.Errorf("%d conditional saves, want 2 (conflict, then success)", n)
	}
}

func TestClearReplacesTheRecordWholeEvenUnderConflict(t *testing.T) {
	m := newMeddler()
	a := journalApp(t, m, func(c *gin.Context) {
		s := ginsession.From(c)
		_, _ = s.Get("x")
		m.put(t, s.Key(), `{"theirs":"B"}`) // a concurrent save after the load
		s.Clear()
		s.Set("only", "A")
		c.String(http.StatusOK, "ok")
	})
	key := a.newSessionKey()
	m.put(t, key, `{"x":1}`)
	if r := a.get("/do", "sessionid="+key); r.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	if got := m.json(t, key); got != `{"only":"A"}` {
		t.Errorf("record %s: Clear replaces the session whole, as in Django", got)
	}
}

func TestASaveThenLaterChangesMergeAgainstWhatWasSaved(t *testing.T) {
	m := newMeddler()
	a := journalApp(t, m, func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("first", 1)
		if err := s.Save(); err != nil {
			t.Error(err)
		}
		m.put(t, s.Key(), `{"x":1,"first":1,"theirs":"B"}`)
		s.Set("second", 2)
		c.String(http.StatusOK, "ok")
	})
	key := a.newSessionKey()
	m.put(t, key, `{"x":1}`)
	if r := a.get("/do", "sessionid="+key); r.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", r.StatusCode, r.body)
	}
	if got, want := m.json(t, key), `{"x":1,"first":1,"theirs":"B","second":2}`; got != want {
		t.Errorf("record\n got %s\nwant %s", got, want)
	}
}

func TestConflictsWithoutEndFailTheRequestLoudly(t *testing.T) {
	m := newMeddler()
	logs := &logBuffer{}
	a := journalApp(t, m, func(c *gin.Context) {
		ginsession.From(c).Set("mine", "A")
		c.String(http.StatusOK, "ok")
	}, ginsession.WithLogger(logs.Logger()))
	key := a.newSessionKey()
	m.put(t, key, `{"n":0}`)
	var n int
	m.before = func(int32) { // every attempt finds the record changed again
		n++
		m.put(t, key, `{"n":`+strings.Repeat("1", n%9+1)+`}`)
	}
	r := a.get("/do", "sessionid="+key)
	if r.StatusCode != http.StatusInternalServerError {
		t.Fatalf("answered %d %s, want 500 after the attempts ran out", r.StatusCode, r.body)
	}
	if !strings.Contains(logs.String(), "still changed by concurrent requests") {
		t.Errorf("nothing logged:\n%s", logs.String())
	}
	if strings.Contains(m.json(t, key), "mine") {
		t.Errorf("the failed save wrote: %s", m.json(t, key))
	}
	if got := m.swaps.Load(); got < 8 || got > 64 {
		t.Errorf("%d attempts", got)
	}
}

func TestAConflictBackoffEndsWithTheRequestsContext(t *testing.T) {
	m := newMeddler()
	a := journalApp(t, m, func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 20*time.Millisecond)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		s := ginsession.From(c)
		s.Set("mine", "A")
		err := s.Save()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Save under endless conflicts and a 20ms deadline: %v", err)
		}
		c.String(http.StatusOK, "ok")
	})
	key := a.newSessionKey()
	m.put(t, key, `{}`)
	var n int
	m.before = func(int32) { n++; m.put(t, key, `{"n":"`+strings.Repeat("x", n)+`"}`) }
	start := time.Now()
	a.get("/do", "sessionid="+key)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestCycleKeyMergesAConcurrentChangeIntoTheNewRecord(t *testing.T) {
	m := newMeddler()
	var oldKey string
	a := journalApp(t, m, func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("mine", "A")
		if err := s.CycleKey(); err != nil {
			t.Error(err)
		}
		c.String(http.StatusOK, "ok")
	})
	oldKey = a.newSessionKey()
	m.put(t, oldKey, `{"x":1}`)
	m.beforeD = func(n int32) {
		if n == 1 {
			m.put(t, oldKey, `{"x":1,"theirs":"B"}`)
		}
	}
	r := a.get("/do", "sessionid="+oldKey)
	newKey := r.cookieValue("sessionid")
	if r.StatusCode != http.StatusOK || newKey == oldKey || !stores.ValidKey(newKey) {
		t.Fatalf("%d %s, new key %q", r.StatusCode, r.body, newKey)
	}
	if got, want := m.json(t, newKey), `{"x":1,"theirs":"B","mine":"A"}`; got != want {
		t.Errorf("new record\n got %s\nwant %s", got, want)
	}
	if _, err := m.Store.Load(context.Background(), oldKey); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("old record: %v", err)
	}
}

func TestCycleKeyAfterAConcurrentLogoutLeavesNothing(t *testing.T) {
	m := newMeddler()
	var newKey string
	a := journalApp(t, m, func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("mine", "A")
		if err := s.CycleKey(); err != nil {
			t.Errorf("CycleKey, which writes at the save: %v", err)
		}
		if err := s.Save(); !errors.Is(err, ginsession.ErrSessionInterrupted) {
			t.Errorf("the save of a key cycle after a concurrent logout: %v", err)
		}
		c.String(http.StatusOK, "ok")
	})
	oldKey := a.newSessionKey()
	m.put(t, oldKey, `{"secret":1}`)
	m.beforeD = func(int32) {
		_ = m.Store.Delete(context.Background(), oldKey) // the logout
	}
	before := m.Store.(*memstore.Store).Len()
	r := a.get("/do", "sessionid="+oldKey)
	if r.StatusCode != http.StatusBadRequest {
		t.Errorf("answered %d %s, want 400", r.StatusCode, r.body)
	}
	_ = newKey
	if n := m.Store.(*memstore.Store).Len(); n != before-1 {
		t.Errorf("%d records after, %d before: the cycled copy survived the logout", n, before)
	}
}

// TestAWrapperWithoutTheCapabilityFallsBackToUpdate: a cachedstore over a
// database that cannot swap has the methods but answers
// errors.ErrUnsupported; saves and key cycles then work as on a store
// without them (last write wins), never failing the request.
func TestAWrapperWithoutTheCapabilityFallsBackToUpdate(t *testing.T) {
	st, err := cachedstore.New(testenv.Must(memstore.New()), baseOnly{testenv.Must(memstore.New())})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CompareAndSwap(context.Background(), stores.NewKey(), nil, nil, time.Now()); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("the wrapper's CompareAndSwap: %v, want errors.ErrUnsupported", err)
	}
	a := journalApp(t, st, func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("n", 2)
		if c.Query("cycle") != "" {
			if err := s.CycleKey(); err != nil {
				t.Error(err)
			}
		}
		c.String(http.StatusOK, "ok")
	})
	key := a.newSessionKey()
	for _, path := range []string{"/do", "/do", "/do?cycle=1"} {
		r := a.get(path, "sessionid="+key)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, r.StatusCode, r.body)
		}
		if k := r.cookieValue("sessionid"); k != "" {
			key = k
		}
	}
	if r := a.get("/read?k=n", "sessionid="+key); r.body != "2" {
		t.Errorf("n=%q after the saves", r.body)
	}
}
