// Package storetest is the conformance suite every ginsession store runs.
//
// A store's tests call [Run] with a factory that returns a fresh, empty store
// (its own table, key prefix or directory) and registers its clean-up with
// t.Cleanup. Third-party stores can run the same suite.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) stores.Store {
//			s, err := memstore.New()
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// Factory returns a fresh, empty store for one test.
type Factory func(t *testing.T) stores.Store

// Run runs every conformance test against stores made by newStore.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, stores.Store)
	}{
		{"CreateThenLoadReturnsTheData", testCreateLoad},
		{"CreateOnATakenKeyReturnsErrExists", testCreateCollision},
		{"UpdateReplacesDataAndExpiry", testUpdate},
		{"UpdateOfAVanishedRecordReturnsErrNotFound", testUpdateVanished},
		{"UpdateWithIdenticalDataSucceeds", testUpdateIdentical},
		{"LoadOfAnUnknownKeyReturnsErrNotFound", testLoadUnknown},
		{"LoadOfAnExpiredRecordReturnsErrNotFound", testLoadExpired},
		{"ExpiryIsHonouredToTheSecond", testExpiryToTheSecond},
		{"DeleteRemovesAndIsIdempotent", testDelete},
		{"ExistsReportsLiveRecords", testExists},
		{"ClearExpiredRemovesOnlyExpiredRecords", testClearExpired},
		{"OneMebibyteValuesRoundTrip", testLargeValue},
		{"ArbitraryBytesRoundTrip", testArbitraryBytes},
		{"EmptyDataRoundTrips", testEmptyData},
		{"ACancelledContextFailsPromptlyWithItsError", testCancelledContext},
		{"TwentyConcurrentCreatesOfOneKeyHaveOneWinner", testConcurrentCreatesOfOneKey},
		{"FiftyGoroutinesAtOnce", testConcurrent},
		{"TouchMovesTheExpiry", testTouch},
		{"TouchOfAVanishedRecordReturnsErrNotFound", testTouchVanished},
		{"ExpiriesCenturiesAheadSaturate", testFarFutureExpiry},
		{"ExpiriesCenturiesAgoAreExpired", testFarPastExpiry},
		{"ALoadIsTheCallersToChange", testLoadIsTheCallers},
		{"InvalidKeysAreAbsentToLookupsAndRefusedByWrites", testInvalidKeys},
		{"SwapOfTheLoadedDataReplacesDataAndExpiry", testSwapMatch},
		{"SwapOfOtherDataChangesNothingAndReturnsTheCurrentData", testSwapMismatch},
		{"SwapOfOneMebibyte", testSwapLarge},
		{"SwapNeverCreatesAVanishedOrExpiredRecord", testSwapVanished},
		{"CompareAndDeleteOfTheLoadedDataDeletes", testCompareAndDelete},
		{"SwapRefusesInvalidKeys", testSwapInvalidKeys},
		{"SwapWithACancelledContextFailsPromptly", testSwapCancelledContext},
		{"ConcurrentSwapLoopsLoseNoIncrement", testSwapIncrements},
		{"ConcurrentSwapLoopsLoseNoItem", testSwapMerges},
		{"SwapNeverBringsBackADeletedRecord", testSwapNeverResurrects},
	}
	tests = append(tests, ttlLoaderTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
	runIndex(t, newStore)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func later() time.Time { return time.Now().Add(time.Hour) }

func mustCreate(t *testing.T, s stores.Store, key string, data []byte, exp time.Time) {
	t.Helper()
	if err := s.Create(ctx(t), key, data, exp); err != nil {
		t.Fatalf("Create(%q): %v", key, err)
	}
}

func wantData(t *testing.T, s stores.Store, key string, want []byte) {
	t.Helper()
	got, err := s.Load(ctx(t), key)
	if err != nil {
		t.Fatalf("Load(%q): %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Load(%q) = %d bytes %.40q, want %d bytes %.40q", key, len(got), got, len(want), want)
	}
}

func wantNotFound(t *testing.T, s stores.Store, key string) {
	t.Helper()
	got, err := s.Load(ctx(t), key)
	if !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Load(%q) = %q, %v; want ErrNotFound", key, got, err)
	}
}

func testCreateLoad(t *testing.T, s stores.Store) {
	k := stores.NewKey()
	mustCreate(t, s, k, []byte(`{"a":1}`), later())
	wantData(t, s, k, []byte(`{"a":1}`))
}

func testCreateCollision(t *testing.T, s stores.Store) {
	k := stores.NewKey()
	mustCreate(t, s, k, []byte("first"), later())
	err := s.Create(ctx(t), k, []byte("second"), later())
	if !errors.Is(err, stores.ErrExists) {
		t.Fatalf("second Create = %v, want ErrExists", err)
	}
	wantData(t, s, k, []byte("first"))
}

func testUpdate(t *testing.T, s stores.Store) {
	k := shortLived(t, s, []byte("v1"), 2*time.Second, func(k string) error {
		if err := s.Update(ctx(t), k, []byte("v2"), later()); err != nil {
			return fmt.Errorf("Update: %w", err)
		}
		return nil
	})
	wantData(t, s, k, []byte("v2"))
	// The new expiry (an hour) must have replaced the old one (two seconds).
	time.Sleep(2500 * time.Millisecond)
	wantData(t, s, k, []byte("v2"))
}

func testUpdateVanished(t *testing.T, s stores.Store) {
	k := stores.NewKey()
	if err := s.Update(ctx(t), k, []byte("ghost"), later()); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Update of a never-created key = %v, want ErrNotFound", err)
	}
	mustCreate(t, s, k, []byte("v1"), later())
	if err := s.Delete(ctx(t), k); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.Update(ctx(t), k, []byte("resurrected"), later()); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Update after Delete = %v, want ErrNotFound", err)
	}
	wantNotFound(t, s, k)
}

func testUpdateIdentical(t *testing.T, s stores.Store) {
	k := stores.NewKey()
	exp := later().Truncate(time.Second)
	mustCreate(t, s, k, []byte("same"), exp)
	for i := 0; i < 2; i++ {
		if err := s.Update(ctx(t), k, []byte("same"), exp); err != nil {
			t.Fatalf("Update #%d with identical data and expiry: %v", i+1, err)
		}
	}
	wantData(t, s, k, []byte("same"))
}

func testLoadUnknown(t *testing.T, s stores.Store) {
	wantNotFound(t, s, stores.NewKey())
}

func testLoadExpired(t *testing.T, s stores.Store) {
	k := stores.NewKey()
	mustCreate(t, s, k, []byte("old"), time.Now().Add(-time.Minute))
	wantNotFound(t, s, k)
}

func testExpiryToTheSecond(t *testing.T, s stores.Store) {
	k := shortLived(t, s, []byte("brief"), 1500*time.Millisecond, func(k string) error {
		got, err := s.Load(ctx(t), k)
		if err != nil {
			return fmt.Errorf("Load(%q): %w", k, err)
		}
		if !bytes.Equal(got, []byte("brief")) {
			t.Fatalf("Load(%q) = %.40q, want %q", k, got, "brief")
		}
		return nil
	})
	time.Sleep(2600 * time.Millisecond)
	wantNotFound(t, s, k)
}

func testDelete(t *testing.T, s stores.Store) {
	k := stores.NewKey()
	mustCreate(t, s, k, []byte("x"), later())
	for i := 0; i < 2; i++ {
		if err := s.Delete(ctx(t), k); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
	}
	wantNotFound(t, s, k)
	if err := s.Delete(ctx(t), stores.NewKey()); err != nil {
		t.Fatalf("Delete of a never-created key: %v", err)
	}
	// A deleted key can be created again or, by a store that guards deleted
	// keys for a while (cachedstore's tombstone), refused with ErrExists;
	// never accepted and then lost.
	switch err := s.Create(ctx(t), k, []byte("y"), later()); {
	case err == nil:
		wantData(t, s, k, []byte("y"))
	case errors.Is(err, stores.ErrExists):
		wantNotFound(t, s, k)
	default:
		t.Fatalf("Create of a deleted key: %v", err)
	}
}

func testExists(t *testing.T, s stores.Store) {
	k := stores.NewKey()
	ok, err := s.Exists(ctx(t), k)
	if err != nil || ok {
		t.Fatalf("Exists before Create = %v, %v; want false, nil", ok, err)
	}
	mustCreate(t, s, k, []byte("x"), later())
	ok, err = s.Exists(ctx(t), k)
	if err != nil || !ok {
		t.Fatalf("Exists after Create = %v, %v; want true, nil", ok, err)
	}
	if err := s.Delete(ctx(t), k); err != nil {
		t.Fatal(err)
	}
	ok, err = s.Exists(ctx(t), k)
	if err != nil || ok {
		t.Fatalf("Exists after Delete = %v, %v; want false, nil", ok, err)
	}
}

func testClearExpired(t *testing.T, s stores.Store) {
	live, dead := stores.NewKey(), stores.NewKey()
	mustCreate(t, s, live, []byte("live"), later())
	mustCreate(t, s, dead, []byte("dead"), time.Now().Add(-time.Minute))
	if err := s.ClearExpired(ctx(t)); err != nil {
		t.Fatalf("ClearExpired: %v", err)
	}
	wantData(t, s, live, []byte("live"))
	wantNotFound(t, s, dead)
	// After a purge the expired key is free again, even for stores whose
	// Create cannot see through an unpurged expired record.
	mustCreate(t, s, dead, []byte("reborn"), later())
	wantData(t, s, dead, []byte("reborn"))
}

func testLargeValue(t *testing.T, s stores.Store) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	k := stores.NewKey()
	mustCreate(t, s, k, big, later())
	wantData(t, s, k, big)
	big[0] = 'X'
	if err := s.Update(ctx(t), k, big, later()); err != nil {
		t.Fatalf("Update of 1 MiB: %v", err)
	}
	wantData(t, s, k, big)
}

func testArbitraryBytes(t *testing.T, s stores.Store) {
	all := make([]byte, 0, 512)
	for i := 0; i < 256; i++ {
		all = append(all, byte(i))
	}
	all = append(all, []byte("\x00\xff\xfe'\";--\r\n\\%_é😀")...)
	k := stores.NewKey()
	mustCreate(t, s, k, all, later())
	wantData(t, s, k, all)
}

func testEmptyData(t *testing.T, s stores.Store) {
	k := stores.NewKey()
	mustCreate(t, s, k, []byte{}, later())
	got, err := s.Load(ctx(t), k)
	if err != nil {
		t.Fatalf("Load of an empty record: %v", err)
	}
	if len(got) != 0 {
		t.Fatalf("Load of an empty record = %q", got)
	}
}

func testCancelledContext(t *testing.T, s stores.Store) {
	k := stores.NewKey()
	mustCreate(t, s, k, []byte("x"), later())
	c, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Load":   func() error { _, err := s.Load(c, k); return err },
		"Create": func() error { return s.Create(c, stores.NewKey(), []byte("y"), later()) },
		"Update": func() error { return s.Update(c, k, []byte("y"), later()) },
		"Delete": func() error { return s.Delete(c, k) },
		"Exists": func() error { _, err := s.Exists(c, k); return err },
	}
	if tc, ok := s.(stores.Toucher); ok {
		calls["Touch"] = func() error { return tc.Touch(c, k, later()) }
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%s with a cancelled context took %v", name, took)
		}
		// A failure must never look like a missing session (or a taken key).
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want an error wrapping context.Canceled", name, err)
		}
	}
	// ClearExpired may be a no-op (Redis expires keys itself).
	if err := s.ClearExpired(c); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("ClearExpired with a cancelled context = %v, want nil or context.Canceled", err)
	}
	wantData(t, s, k, []byte("x"))
}

func testConcurrentCreatesOfOneKey(t *testing.T, s stores.Store) {
	const racers = 20
	k := stores.NewKey()
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Create(context.Background(), k, []byte(fmt.Sprint("racer-", i)), later())
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("racers %d and %d both created the key", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, stores.ErrExists):
			t.Fatalf("racer %d: %v, want nil or ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no racer created the key")
	}
	wantData(t, s, k, []byte(fmt.Sprint("racer-", winner)))
}

func testConcurrent(t *testing.T, s stores.Store) {
	const workers = 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	shared := stores.NewKey()
	mustCreate(t, s, shared, []byte("shared-0"), later())
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			own := stores.NewKey()
			data := []byte(fmt.Sprintf("worker-%d", w))
			c := context.Background()
			if err := s.Create(c, own, data, later()); err != nil {
				errs <- fmt.Errorf("worker %d Create: %w", w, err)
				return
			}
			for i := 0; i < 5; i++ {
				got, err := s.Load(c, own)
				if err != nil || !bytes.Equal(got, data) {
					errs <- fmt.Errorf("worker %d Load = %q, %v", w, got, err)
					return
				}
				if err := s.Update(c, shared, []byte(fmt.Sprintf("shared-%d-%d", w, i)), later()); err != nil {
					errs <- fmt.Errorf("worker %d Update shared: %w", w, err)
					return
				}
				if got, err := s.Load(c, shared); err != nil || !bytes.HasPrefix(got, []byte("shared-")) {
					errs <- fmt.Errorf("worker %d Load shared = %q, %v (torn or lost record)", w, got, err)
					return
				}
			}
			if err := s.Delete(c, own); err != nil {
				errs <- fmt.Errorf("worker %d Delete: %w", w, err)
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testTouch(t *testing.T, s stores.Store) {
	tc, ok := s.(stores.Toucher)
	if !ok {
		t.Skip("store does not implement stores.Toucher (optional)")
	}
	k := shortLived(t, s, []byte("kept"), 1500*time.Millisecond, func(k string) error {
		if err := tc.Touch(ctx(t), k, later()); err != nil {
			return fmt.Errorf("Touch: %w", err)
		}
		return nil
	})
	time.Sleep(2 * time.Second)
	wantData(t, s, k, []byte("kept"))
	if err := tc.Touch(ctx(t), stores.NewKey(), later()); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Touch of an unknown key = %v, want ErrNotFound", err)
	}
}

func testTouchVanished(t *testing.T, s stores.Store) {
	tc, ok := s.(stores.Toucher)
	if !ok {
		t.Skip("store does not implement stores.Toucher (optional)")
	}
	deleted, expired := stores.NewKey(), stores.NewKey()
	mustCreate(t, s, deleted, []byte("gone"), later())
	if err := s.Delete(ctx(t), deleted); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustCreate(t, s, expired, []byte("old"), time.Now().Add(-time.Minute))
	for _, k := range []string{deleted, expired} {
		// A Touch must not bring back a record a logout removed.
		if err := tc.Touch(ctx(t), k, later()); !errors.Is(err, stores.ErrNotFound) {
			t.Fatalf("Touch of a vanished record = %v, want ErrNotFound", err)
		}
		wantNotFound(t, s, k)
	}
}

// farFuture are expiries no backend holds as given: beyond a Duration
// (about 292 years), UnixNano (2262) and MySQL's DATETIME (9999). A store
// must saturate, never wrap round into the past or fail.
func farFuture() []time.Time {
	now := time.Now()
	return []time.Time{
		now.AddDate(292, 0, 0),
		now.AddDate(300, 0, 0),
		time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(1<<62, 0),
		time.Unix(1<<63-1, 0), // where Time's own comparisons wrap round
	}
}

func testFarFutureExpiry(t *testing.T, s stores.Store) {
	tc, _ := s.(stores.Toucher)
	for _, exp := range farFuture() {
		k := stores.NewKey()
		if err := s.Create(ctx(t), k, []byte("c"), exp); err != nil {
			t.Fatalf("Create with expiry %v: %v", exp, err)
		}
		wantData(t, s, k, []byte("c"))
		if err := s.Update(ctx(t), k, []byte("u"), exp); err != nil {
			t.Fatalf("Update with expiry %v: %v", exp, err)
		}
		wantData(t, s, k, []byte("u"))
		if tc != nil {
			if err := tc.Touch(ctx(t), k, exp); err != nil {
				t.Fatalf("Touch with expiry %v: %v", exp, err)
			}
			wantData(t, s, k, []byte("u"))
		}
		if ok, err := s.Exists(ctx(t), k); err != nil || !ok {
			t.Fatalf("Exists after an expiry of %v = %v, %v", exp, ok, err)
		}
		if err := s.ClearExpired(ctx(t)); err != nil {
			t.Fatalf("ClearExpired: %v", err)
		}
		wantData(t, s, k, []byte("u"))
	}
}

// farPast are expiries long gone: the zero Time (Django's
// "0001-01-01T00:00:00"), the year 1700 and 1970.
func farPast() []time.Time {
	return []time.Time{{}, time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 0)}
}

func testFarPastExpiry(t *testing.T, s stores.Store) {
	tc, _ := s.(stores.Toucher)
	for _, exp := range farPast() {
		born := stores.NewKey()
		if err := s.Create(ctx(t), born, []byte("c"), exp); err != nil {
			t.Fatalf("Create with expiry %v: %v", exp, err)
		}
		wantNotFound(t, s, born)
		updated := stores.NewKey()
		mustCreate(t, s, updated, []byte("c"), later())
		if err := s.Update(ctx(t), updated, []byte("u"), exp); err != nil {
			t.Fatalf("Update of a live record to expiry %v: %v", exp, err)
		}
		wantNotFound(t, s, updated)
		if tc != nil {
			touched := stores.NewKey()
			mustCreate(t, s, touched, []byte("c"), later())
			if err := tc.Touch(ctx(t), touched, exp); err != nil {
				t.Fatalf("Touch of a live record to expiry %v: %v", exp, err)
			}
			wantNotFound(t, s, touched)
		}
	}
}

// testLoadIsTheCallers checks Load's promise that the slice it returns is
// the caller's alone: changing it changes neither the record nor the next
// Load's result.
func testLoadIsTheCallers(t *testing.T, s stores.Store) {
	key := stores.NewKey()
	want := []byte(`{"user":"alice"}`)
	mustCreate(t, s, key, want, later())
	first, err := s.Load(ctx(t), key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	for i := range first {
		first[i] = 'X'
	}
	wantData(t, s, key, want)
}

// invalidKeys break the key rules in each way there is.
var invalidKeys = []string{"", "short", "UPPERCASE12", "a*b?c[d]e/../f", "x'; DROP TABLE t; --", strings.Repeat("a", stores.MaxKeyLength+1)}

// testInvalidKeys checks the rule of package stores: a lookup of an invalid
// key finds nothing (Load: ErrNotFound; Exists: false, nil), and a write of
// one is refused with an error wrapping ErrInvalidKey.
func testInvalidKeys(t *testing.T, s stores.Store) {
	for _, k := range invalidKeys {
		if _, err := s.Load(ctx(t), k); !errors.Is(err, stores.ErrNotFound) {
			t.Errorf("Load(%q) = %v, want ErrNotFound", k, err)
		}
		if ok, err := s.Exists(ctx(t), k); ok || err != nil {
			t.Errorf("Exists(%q) = %v, %v; want false, nil", k, ok, err)
		}
		writes := map[string]error{
			"Create": s.Create(ctx(t), k, []byte("x"), later()),
			"Update": s.Update(ctx(t), k, []byte("x"), later()),
			"Delete": s.Delete(ctx(t), k),
		}
		if ts, ok := s.(stores.Toucher); ok {
			writes["Touch"] = ts.Touch(ctx(t), k, later())
		}
		for name, err := range writes {
			if !errors.Is(err, stores.ErrInvalidKey) {
				t.Errorf("%s(%q) = %v, want an error wrapping ErrInvalidKey", name, k, err)
			}
		}
	}
}
