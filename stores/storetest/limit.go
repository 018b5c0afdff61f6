package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// LimitStore is a store with an index, which can cap a user's sessions.
type LimitStore interface {
	stores.Store
	stores.Indexer
}

// Limit runs the cases of [stores.Indexer.IndexAddLimited] against stores made by
// newStore. [Run] calls it for every store whose index is on and capped.
func Limit(t *testing.T, newStore Factory) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, LimitStore)
	}{
		{"AtTheCapANewKeyIsRefusedAndAKnownKeyIsNot", testLimitRefuses},
		{"EntriesOfGoneRecordsDoNotCount", testLimitDeadDoNotCount},
		{"EvictionEndsTheLeastRecentlyActive", testLimitEvictsOldest},
		{"FiftyConcurrentRefusingAddsAdmitExactlyTheCap", func(t *testing.T, s LimitStore) { testLimitConcurrent(t, s, false) }},
		{"FiftyConcurrentEvictingAddsLeaveAtMostTheCap", func(t *testing.T, s LimitStore) { testLimitConcurrent(t, s, true) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := newStore(t).(LimitStore)
			if !ok {
				t.Fatal("the store is not a stores.Indexer")
			}
			tc.fn(t, s)
		})
	}
}

// liveEntry creates a record and returns its entry, last active at active.
func liveEntry(t *testing.T, s LimitStore, active time.Time) stores.IndexEntry {
	t.Helper()
	e := entry(stores.NewKey())
	e.LastActive = active
	mustCreate(t, s, e.Key, []byte("x"), later())
	return e
}

func testLimitRefuses(t *testing.T, s LimitStore) {
	u := indexUser(t)
	now := time.Now().Truncate(time.Millisecond)
	var keys []string
	for i := range 3 {
		e := liveEntry(t, s, now.Add(time.Duration(i)*time.Second))
		if ev, err := s.IndexAddLimited(ctx(t), u, e, 3, false); err != nil || len(ev) != 0 {
			t.Fatalf("add %d of 3: evicted %d, %v", i+1, len(ev), err)
		}
		keys = append(keys, e.Key)
	}
	fourth := liveEntry(t, s, now)
	if _, err := s.IndexAddLimited(ctx(t), u, fourth, 3, false); !errors.Is(err, stores.ErrSessionLimit) {
		t.Fatalf("a fourth session under a cap of 3: %v, want ErrSessionLimit", err)
	}
	again := entry(keys[0])
	if _, err := s.IndexAddLimited(ctx(t), u, again, 3, false); err != nil {
		t.Fatalf("re-adding a session the user has, at the cap: %v", err)
	}
	wantKeys(t, s, u, keys...)
}

func testLimitDeadDoNotCount(t *testing.T, s LimitStore) {
	u := indexUser(t)
	gone := liveEntry(t, s, time.Now())
	if _, err := s.IndexAddLimited(ctx(t), u, gone, 1, false); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx(t), gone.Key); err != nil {
		t.Fatal(err)
	}
	next := liveEntry(t, s, time.Now())
	if _, err := s.IndexAddLimited(ctx(t), u, next, 1, false); err != nil {
		t.Fatalf("the only other entry's record is gone, yet: %v", err)
	}
	wantKeys(t, s, u, next.Key)
}

func testLimitEvictsOldest(t *testing.T, s LimitStore) {
	u := indexUser(t)
	now := time.Now().Truncate(time.Millisecond)
	// Added newest first: eviction goes by LastActive, not by order.
	var es []stores.IndexEntry
	for i := 3; i >= 1; i-- {
		e := liveEntry(t, s, now.Add(-time.Duration(i)*time.Minute))
		if _, err := s.IndexAddLimited(ctx(t), u, e, 3, true); err != nil {
			t.Fatal(err)
		}
		es = append(es, e)
	}
	oldest := es[0]
	fresh := liveEntry(t, s, now)
	ev, err := s.IndexAddLimited(ctx(t), u, fresh, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 1 || ev[0] != oldest.Key {
		t.Fatalf("evicted %v, want only the least recently active %s", redactAll(ev), stores.Redact(oldest.Key))
	}
	wantKeys(t, s, u, es[1].Key, es[2].Key, fresh.Key)
}

func testLimitConcurrent(t *testing.T, s LimitStore, evict bool) {
	u := indexUser(t)
	const n, max = 50, 5
	es := make([]stores.IndexEntry, n)
	for i := range es {
		es[i] = liveEntry(t, s, time.Now())
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted, evicted := 0, 0
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ev, err := s.IndexAddLimited(ctx(t), u, es[i], max, evict)
			if err != nil && !errors.Is(err, stores.ErrSessionLimit) {
				errs <- err
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				admitted++
			}
			evicted += len(ev)
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	l := list(t, s, u)
	switch {
	case len(l) > max:
		t.Fatalf("%d entries listed after %d concurrent capped adds, more than the cap of %d", len(l), n, max)
	case !evict && admitted != max:
		t.Fatalf("%d of %d concurrent adds admitted under a cap of %d", admitted, n, max)
	case evict && (admitted != n || evicted != n-max || len(l) != max):
		t.Fatalf("evicting: %d admitted, %d evicted, %d listed; want %d, %d, %d", admitted, evicted, len(l), n, n-max, max)
	}
}
