package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// expiryLoaderTests check stores.ExpiryLoader; a store without it skips
// them.
var expiryLoaderTests = []struct {
	name string
	fn   func(*testing.T, stores.Store)
}{
	{"LoadWithExpiryReturnsTheDataAndTheExpiryOfCreateUpdateAndTouch", testLoadWithExpiry},
	{"LoadWithExpiryOfAMissingExpiredOrInvalidKeyReturnsErrNotFound", testLoadWithExpiryMissing},
	{"LoadWithExpirySaturatesAsTheStoreKeepsIt", testLoadWithExpirySaturates},
}

// expiryLag is how much later than asked a loaded expiry may come out: a
// store that keeps a time to live (Redis) adds its clock's now when the
// reply arrives, which a loaded machine can delay.
const expiryLag = 5 * time.Second

func expiryLoader(t *testing.T, s stores.Store) stores.ExpiryLoader {
	t.Helper()
	el, ok := s.(stores.ExpiryLoader)
	if !ok {
		t.Skip("store does not implement stores.ExpiryLoader (optional)")
	}
	return el
}

// wantExpiry loads key with its expiry and checks both: the data is Load's,
// the expiry the one last given, give or take the store's rounding.
func wantExpiry(t *testing.T, st stores.Store, key string, data []byte, want time.Time) {
	t.Helper()
	got, exp, err := st.(stores.ExpiryLoader).LoadWithExpiry(ctx(t), key)
	if err != nil {
		t.Fatalf("LoadWithExpiry(%q): %v", key, err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("LoadWithExpiry(%q) data = %.40q, want %.40q", key, got, data)
	}
	if exp.Before(want.Add(-expiryRounding)) || exp.After(want.Add(expiryRounding+expiryLag)) {
		t.Fatalf("LoadWithExpiry(%q) expiry = %v, want %v (within %v before, %v after)", key, exp, want, expiryRounding, expiryRounding+expiryLag)
	}
	// The caller owns the slice: changing it changes no later load.
	for i := range got {
		got[i] = 'X'
	}
	wantData(t, st, key, data)
}

func testLoadWithExpiry(t *testing.T, st stores.Store) {
	expiryLoader(t, st)
	k := stores.NewKey()
	exp := time.Now().Add(time.Hour)
	mustCreate(t, st, k, []byte(`{"a":1}`), exp)
	wantExpiry(t, st, k, []byte(`{"a":1}`), exp)

	exp = exp.Add(17 * time.Minute)
	if err := st.Update(ctx(t), k, []byte(`{"a":2}`), exp); err != nil {
		t.Fatalf("Update: %v", err)
	}
	wantExpiry(t, st, k, []byte(`{"a":2}`), exp)

	if tc, ok := st.(stores.Toucher); ok {
		exp = exp.Add(-42 * time.Minute)
		if err := tc.Touch(ctx(t), k, exp); err != nil {
			t.Fatalf("Touch: %v", err)
		}
		wantExpiry(t, st, k, []byte(`{"a":2}`), exp)
	}

	empty := stores.NewKey()
	mustCreate(t, st, empty, []byte{}, exp)
	wantExpiry(t, st, empty, []byte{}, exp)
}

func testLoadWithExpiryMissing(t *testing.T, st stores.Store) {
	el := expiryLoader(t, st)
	deleted, expired := stores.NewKey(), stores.NewKey()
	mustCreate(t, st, deleted, []byte("gone"), later())
	if err := st.Delete(ctx(t), deleted); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustCreate(t, st, expired, []byte("old"), time.Now().Add(-time.Minute))
	for _, k := range append([]string{stores.NewKey(), deleted, expired}, invalidKeys...) {
		if got, exp, err := el.LoadWithExpiry(ctx(t), k); !errors.Is(err, stores.ErrNotFound) {
			t.Errorf("LoadWithExpiry(%q) = %.40q, %v, %v; want ErrNotFound", k, got, exp, err)
		}
	}
}

func testLoadWithExpirySaturates(t *testing.T, st stores.Store) {
	el := expiryLoader(t, st)
	for _, exp := range farFuture() {
		k := stores.NewKey()
		mustCreate(t, st, k, []byte("c"), exp)
		_, got, err := el.LoadWithExpiry(ctx(t), k)
		if err != nil {
			t.Fatalf("LoadWithExpiry after an expiry of %v: %v", exp, err)
		}
		// Kept as stores.MaxExpiry, or later where a store's own type
		// reaches further: never earlier, never wrapped round.
		if got.Before(stores.MaxExpiry.Add(-expiryRounding)) {
			t.Fatalf("an expiry of %v loads as %v, before stores.MaxExpiry %v", exp, got, stores.MaxExpiry)
		}
	}
}
