package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// shortLivedAttempts bounds how often a test with a record that expires in
// seconds starts again because the machine stalled before it reached the
// record.
const shortLivedAttempts = 5

// expiryRounding is how far a store may move an expiry: some keep it to the
// whole second, so a record given life L lives at least L minus this.
const expiryRounding = time.Second

// shortLived creates a record with data under a fresh key that expires life
// from now, runs early on it, and returns the key. early must reach the
// record while it lives (an Update, a Touch, a Load). On a loaded machine
// the test can stall past the record's expiry before early runs: when early
// fails with stores.ErrNotFound later than life minus expiryRounding after
// the Create began, the attempt proves nothing and starts again with a new
// key. ErrNotFound any sooner, any other error, or stalls on every attempt
// fail the test, so what is asserted is unchanged: a live record is found.
func shortLived(t *testing.T, s stores.Store, data []byte, life time.Duration, early func(key string) error) string {
	t.Helper()
	for attempt := 1; ; attempt++ {
		k := stores.NewKey()
		start := time.Now()
		mustCreate(t, s, k, data, start.Add(life))
		err := early(k)
		if err == nil {
			return k
		}
		took := time.Since(start)
		if !errors.Is(err, stores.ErrNotFound) || took < life-expiryRounding {
			t.Fatalf("%v (%v after the Create of a record that expires after %v)", err, took.Round(time.Millisecond), life)
		}
		if attempt == shortLivedAttempts {
			t.Fatalf("%v: the record had expired in each of %d attempts, the last %v after its Create (the machine stalls too long for a %v expiry)", err, attempt, took.Round(time.Millisecond), life)
		}
		t.Logf("attempt %d: %v %v after the Create, past the record's %v life: the machine stalled; starting again", attempt, err, took.Round(time.Millisecond), life)
	}
}
