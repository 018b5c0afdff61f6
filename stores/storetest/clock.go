package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// ClockFactory returns a fresh, empty store for one test that reads the
// current time from now: the store's WithClock option.
type ClockFactory func(t *testing.T, now func() time.Time) stores.Store

// RunClock checks that a store reckons every expiry by the clock it is
// given, not by time.Now: records live and die as that clock says, so
// tests of idle and absolute timeouts move time instead of sleeping. Run
// it for stores that compare expiries in Go (memstore, filestore, sqlstore,
// cachedstore over those); a store whose backend expires records on its
// own clock (Redis) cannot pass it and says so in its documentation.
func RunClock(t *testing.T, newStore ClockFactory) {
	t.Helper()
	for _, tc := range []struct {
		name  string
		start time.Time
	}{
		// A month either side of real time: a store that reads time.Now
		// finds the record dead at once, or alive long after its expiry.
		{"AClockAMonthBehind", time.Now().AddDate(0, -1, 0)},
		{"AClockAMonthAhead", time.Now().AddDate(0, 1, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClock(tc.start)
			testClock(t, newStore(t, c.Now), c)
		})
	}
}

// Clock is a clock a test moves by hand, for the WithClock options of the
// stores and of the middleware (pass c.Now): expiries pass without
// sleeping. It is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that reads start until it is moved.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func testClock(t *testing.T, s stores.Store, c *Clock) {
	tc, _ := s.(stores.Toucher)
	k, touched := stores.NewKey(), stores.NewKey()
	mustCreate(t, s, k, []byte("v"), c.Now().Add(time.Hour))
	mustCreate(t, s, touched, []byte("t"), c.Now().Add(time.Hour))
	c.Advance(59 * time.Minute)
	wantData(t, s, k, []byte("v"))
	if _, ok := s.(stores.TTLLoader); ok {
		wantTTL(t, s, k, []byte("v"), time.Minute)
	}
	if ok, err := s.Exists(ctx(t), k); !ok || err != nil {
		t.Fatalf("Exists a minute before the expiry = %v, %v", ok, err)
	}
	if err := s.Update(ctx(t), k, []byte("v2"), c.Now().Add(time.Minute)); err != nil {
		t.Fatalf("Update a minute before the expiry: %v", err)
	}
	if tc != nil {
		if err := tc.Touch(ctx(t), touched, c.Now().Add(2*time.Hour)); err != nil {
			t.Fatalf("Touch a minute before the expiry: %v", err)
		}
	}

	c.Advance(time.Minute + time.Second)
	wantNotFound(t, s, k)
	if tl, ok := s.(stores.TTLLoader); ok {
		if _, _, err := tl.LoadWithTTL(ctx(t), k); !errors.Is(err, stores.ErrNotFound) {
			t.Fatalf("LoadWithTTL a second after the expiry = %v, want ErrNotFound", err)
		}
	}
	if ok, err := s.Exists(ctx(t), k); ok || err != nil {
		t.Fatalf("Exists a second after the expiry = %v, %v; want false, nil", ok, err)
	}
	if err := s.Update(ctx(t), k, []byte("v3"), c.Now().Add(time.Hour)); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Update a second after the expiry = %v, want ErrNotFound", err)
	}
	if tc != nil {
		if err := tc.Touch(ctx(t), k, c.Now().Add(time.Hour)); !errors.Is(err, stores.ErrNotFound) {
			t.Fatalf("Touch a second after the expiry = %v, want ErrNotFound", err)
		}
		wantData(t, s, touched, []byte("t"))
	}

	if err := s.ClearExpired(ctx(t)); err != nil {
		t.Fatalf("ClearExpired: %v", err)
	}
	// Purged by the clock's reckoning: the key is free again.
	mustCreate(t, s, k, []byte("again"), c.Now().Add(time.Hour))
	wantData(t, s, k, []byte("again"))
	if tc != nil {
		wantData(t, s, touched, []byte("t"))
	}
}
