package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// ttlLoaderTests check stores.TTLLoader; a store without it skips them.
var ttlLoaderTests = []struct {
	name string
	fn   func(*testing.T, stores.Store)
}{
	{"LoadWithTTLReturnsTheDataAndTheTimeLeftAfterCreateUpdateAndTouch", testLoadWithTTL},
	{"LoadWithTTLOfAMissingExpiredOrInvalidKeyReturnsErrNotFound", testLoadWithTTLMissing},
	{"LoadWithTTLSaturatesAsTheStoreKeepsTheExpiry", testLoadWithTTLSaturates},
}

// ttlSlack is how much the time to live a store loads may differ from the
// one expected beyond the store's rounding: the time the test's own calls
// take on a loaded machine.
const ttlSlack = 5 * time.Second

func ttlLoader(t *testing.T, s stores.Store) stores.TTLLoader {
	t.Helper()
	tl, ok := s.(stores.TTLLoader)
	if !ok {
		t.Skip("store does not implement stores.TTLLoader (optional)")
	}
	return tl
}

// wantTTL loads key with its time to live and checks both: the data is
// Load's, the time to live the one expected, give or take the store's
// rounding and the test's own delays, and never more than it was given.
func wantTTL(t *testing.T, st stores.Store, key string, data []byte, want time.Duration) {
	t.Helper()
	got, ttl, err := st.(stores.TTLLoader).LoadWithTTL(ctx(t), key)
	if err != nil {
		t.Fatalf("LoadWithTTL(%q): %v", key, err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("LoadWithTTL(%q) data = %.40q, want %.40q", key, got, data)
	}
	if ttl <= 0 || ttl > want+expiryRounding || ttl < want-expiryRounding-ttlSlack {
		t.Fatalf("LoadWithTTL(%q) time to live = %v, want %v (less at most %v)", key, ttl, want, expiryRounding+ttlSlack)
	}
	// The caller owns the slice: changing it changes no later load.
	for i := range got {
		got[i] = 'X'
	}
	wantData(t, st, key, data)
}

func testLoadWithTTL(t *testing.T, st stores.Store) {
	ttlLoader(t, st)
	k := stores.NewKey()
	mustCreate(t, st, k, []byte(`{"a":1}`), time.Now().Add(time.Hour))
	wantTTL(t, st, k, []byte(`{"a":1}`), time.Hour)

	if err := st.Update(ctx(t), k, []byte(`{"a":2}`), time.Now().Add(77*time.Minute)); err != nil {
		t.Fatalf("Update: %v", err)
	}
	wantTTL(t, st, k, []byte(`{"a":2}`), 77*time.Minute)

	if tc, ok := st.(stores.Toucher); ok {
		if err := tc.Touch(ctx(t), k, time.Now().Add(35*time.Minute)); err != nil {
			t.Fatalf("Touch: %v", err)
		}
		wantTTL(t, st, k, []byte(`{"a":2}`), 35*time.Minute)
	}

	empty := stores.NewKey()
	mustCreate(t, st, empty, []byte{}, time.Now().Add(time.Hour))
	wantTTL(t, st, empty, []byte{}, time.Hour)
}

func testLoadWithTTLMissing(t *testing.T, st stores.Store) {
	tl := ttlLoader(t, st)
	deleted, expired := stores.NewKey(), stores.NewKey()
	mustCreate(t, st, deleted, []byte("gone"), later())
	if err := st.Delete(ctx(t), deleted); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustCreate(t, st, expired, []byte("old"), time.Now().Add(-time.Minute))
	for _, k := range append([]string{stores.NewKey(), deleted, expired}, invalidKeys...) {
		if got, ttl, err := tl.LoadWithTTL(ctx(t), k); !errors.Is(err, stores.ErrNotFound) {
			t.Errorf("LoadWithTTL(%q) = %.40q, %v, %v; want ErrNotFound", k, got, ttl, err)
		}
	}
}

func testLoadWithTTLSaturates(t *testing.T, st stores.Store) {
	tl := ttlLoader(t, st)
	for _, exp := range farFuture() {
		k := stores.NewKey()
		mustCreate(t, st, k, []byte("c"), exp)
		_, ttl, err := tl.LoadWithTTL(ctx(t), k)
		if err != nil {
			t.Fatalf("LoadWithTTL after an expiry of %v: %v", exp, err)
		}
		// Kept until stores.MaxExpiry, or later where a store's own type
		// reaches further: never sooner, never wrapped round.
		if left := time.Until(stores.MaxExpiry()); ttl < left-expiryRounding-ttlSlack {
			t.Fatalf("an expiry of %v loads with %v to live, less than the %v to stores.MaxExpiry()", exp, ttl, left)
		}
	}
}
