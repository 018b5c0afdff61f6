package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// swapper returns s as a stores.Swapper, or skips the test when s is none
// or is a wrapper whose CompareAndSwap answers errors.ErrUnsupported (its
// underlying store is none).
func swapper(t *testing.T, s stores.Store) stores.Swapper {
	t.Helper()
	sw, ok := s.(stores.Swapper)
	if !ok {
		t.Skip("store does not implement stores.Swapper (optional)")
	}
	if _, err := sw.CompareAndSwap(ctx(t), stores.NewKey(), nil, nil, later()); errors.Is(err, errors.ErrUnsupported) {
		t.Skipf("the store's CompareAndSwap is unsupported: %v", err)
	} else if !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("CompareAndSwap of a never-created key = %v, want ErrNotFound", err)
	}
	return sw
}

// wantConflict checks that err wraps stores.ErrConflict and that current is
// want.
func wantConflict(t *testing.T, op string, current []byte, err error, want []byte) {
	t.Helper()
	if !errors.Is(err, stores.ErrConflict) {
		t.Fatalf("%s = %.40q, %v; want ErrConflict", op, current, err)
	}
	if errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("%s = %v: a conflict must not also be ErrNotFound", op, err)
	}
	if !bytes.Equal(current, want) {
		t.Fatalf("%s returned current data %d bytes %.40q, want %d bytes %.40q", op, len(current), current, len(want), want)
	}
}

// testSwapMatch checks that CompareAndSwap of the data as loaded replaces
// data and expiry.
func testSwapMatch(t *testing.T, s stores.Store) {
	sw := swapper(t, s)
	k := shortLived(t, s, []byte(`{"n":1}`), 1500*time.Millisecond, func(k string) error {
		old, err := s.Load(ctx(t), k)
		if err != nil {
			return fmt.Errorf("Load: %w", err)
		}
		if cur, err := sw.CompareAndSwap(ctx(t), k, old, []byte(`{"n":2}`), later()); err != nil {
			return fmt.Errorf("CompareAndSwap of the loaded data = %.40q, %w", cur, err)
		}
		return nil
	})
	wantData(t, s, k, []byte(`{"n":2}`))
	// The new expiry (an hour) must have replaced the old one (1.5 s).
	time.Sleep(2 * time.Second)
	wantData(t, s, k, []byte(`{"n":2}`))

	// Data equal to what the record holds is a successful swap too (MySQL
	// counts such a row as unchanged).
	if cur, err := sw.CompareAndSwap(ctx(t), k, []byte(`{"n":2}`), []byte(`{"n":2}`), later()); err != nil {
		t.Fatalf("CompareAndSwap to identical data = %.40q, %v; want nil", cur, err)
	}
	// An expiry moved by Touch or Update is not a conflict: only data counts.
	if err := s.Update(ctx(t), k, []byte(`{"n":2}`), later().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if cur, err := sw.CompareAndSwap(ctx(t), k, []byte(`{"n":2}`), []byte(`{"n":3}`), later()); err != nil {
		t.Fatalf("CompareAndSwap after an expiry-only Update = %.40q, %v; want nil", cur, err)
	}
	wantData(t, s, k, []byte(`{"n":3}`))
	// An expiry already past removes the record, as Update's does.
	if cur, err := sw.CompareAndSwap(ctx(t), k, []byte(`{"n":3}`), []byte(`{"n":4}`), time.Now().Add(-time.Minute)); err != nil {
		t.Fatalf("CompareAndSwap to a past expiry = %.40q, %v; want nil", cur, err)
	}
	wantNotFound(t, s, k)
}

// testSwapMismatch checks that CompareAndSwap of anything but the data as
// stored, byte for byte, changes nothing and hands back the stored data.
func testSwapMismatch(t *testing.T, s stores.Store) {
	sw := swapper(t, s)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	tests := []struct {
		name        string
		stored, old []byte
	}{
		{"other data", []byte(`{"a":"1"}`), []byte(`{"a":"2"}`)},
		{"a case difference", []byte(`{"a":"X"}`), []byte(`{"a":"x"}`)},
		{"a trailing space in old", []byte(`{"a":"x"}`), []byte(`{"a":"x"} `)},
		{"a trailing space in the record", []byte(`{"a":"x"} `), []byte(`{"a":"x"}`)},
		{"a prefix", []byte(`{"a":"xyz"}`), []byte(`{"a":"x`)},
		{"empty old", []byte(`{}`), []byte{}},
		{"an empty record", []byte{}, []byte(`{}`)},
		{"an accent difference", []byte("caf\u00e9"), []byte("cafe")},
		{"binary data", all, append(bytes.Clone(all[:255]), 0)},
		{"NUL against nothing", []byte("a\x00"), []byte("a")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k := stores.NewKey()
			mustCreate(t, s, k, tc.stored, later())
			cur, err := sw.CompareAndSwap(ctx(t), k, tc.old, []byte("new"), later())
			wantConflict(t, "CompareAndSwap", cur, err, tc.stored)
			wantData(t, s, k, tc.stored)
			cur, err = sw.CompareAndDelete(ctx(t), k, tc.old)
			wantConflict(t, "CompareAndDelete", cur, err, tc.stored)
			wantData(t, s, k, tc.stored)
		})
	}
	t.Run("the current data is the caller's", func(t *testing.T) {
		k := stores.NewKey()
		mustCreate(t, s, k, []byte("stored"), later())
		cur, err := sw.CompareAndSwap(ctx(t), k, []byte("other"), []byte("new"), later())
		wantConflict(t, "CompareAndSwap", cur, err, []byte("stored"))
		for i := range cur {
			cur[i] = 'X'
		}
		wantData(t, s, k, []byte("stored"))
		cur, err = sw.CompareAndSwap(ctx(t), k, []byte("other"), []byte("new"), later())
		wantConflict(t, "second CompareAndSwap", cur, err, []byte("stored"))
	})
}

// testSwapLarge checks a swap of a 1 MiB record, which a backend may carry
// twice in one statement (old and new).
func testSwapLarge(t *testing.T, s stores.Store) {
	sw := swapper(t, s)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	k := stores.NewKey()
	mustCreate(t, s, k, big, later())
	next := bytes.Clone(big)
	next[len(next)-1] = 'X'
	if cur, err := sw.CompareAndSwap(ctx(t), k, big, next, later()); err != nil {
		t.Fatalf("CompareAndSwap of 1 MiB = %d bytes, %v", len(cur), err)
	}
	cur, err := sw.CompareAndSwap(ctx(t), k, big, []byte("small"), later())
	wantConflict(t, "CompareAndSwap of a stale 1 MiB", cur, err, next)
	wantData(t, s, k, next)
}

// testSwapVanished checks that neither method creates a record that was
// never made, was deleted or has expired.
func testSwapVanished(t *testing.T, s stores.Store) {
	sw := swapper(t, s)
	never, deleted, expired := stores.NewKey(), stores.NewKey(), stores.NewKey()
	mustCreate(t, s, deleted, []byte("gone"), later())
	if err := s.Delete(ctx(t), deleted); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, expired, []byte("old"), time.Now().Add(-time.Minute))
	for name, k := range map[string]string{"never created": never, "deleted": deleted, "expired": expired} {
		for _, old := range [][]byte{[]byte("gone"), []byte("old"), nil} {
			if cur, err := sw.CompareAndSwap(ctx(t), k, old, []byte("resurrected"), later()); !errors.Is(err, stores.ErrNotFound) || cur != nil {
				t.Fatalf("CompareAndSwap(%q) of a %s record = %q, %v; want nil, ErrNotFound", old, name, cur, err)
			}
			wantNotFound(t, s, k)
			if cur, err := sw.CompareAndDelete(ctx(t), k, old); !errors.Is(err, stores.ErrNotFound) || cur != nil {
				t.Fatalf("CompareAndDelete(%q) of a %s record = %q, %v; want nil, ErrNotFound", old, name, cur, err)
			}
		}
	}
	// The expired record was not revived by a swap, so a purge clears it
	// and its key is free.
	if err := s.ClearExpired(ctx(t)); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, expired, []byte("reborn"), later())
	wantData(t, s, expired, []byte("reborn"))
}

// testCompareAndDelete checks that CompareAndDelete of the data as loaded
// removes the record, for good.
func testCompareAndDelete(t *testing.T, s stores.Store) {
	sw := swapper(t, s)
	for _, data := range [][]byte{[]byte(`{"user":"alice"}`), {}} {
		k := stores.NewKey()
		mustCreate(t, s, k, data, later())
		if cur, err := sw.CompareAndDelete(ctx(t), k, data); err != nil {
			t.Fatalf("CompareAndDelete(%q) of the stored data = %q, %v; want nil", data, cur, err)
		}
		wantNotFound(t, s, k)
		if cur, err := sw.CompareAndDelete(ctx(t), k, data); !errors.Is(err, stores.ErrNotFound) {
			t.Fatalf("second CompareAndDelete = %q, %v; want ErrNotFound", cur, err)
		}
		if err := s.Update(ctx(t), k, data, later()); !errors.Is(err, stores.ErrNotFound) {
			t.Fatalf("Update after CompareAndDelete = %v, want ErrNotFound", err)
		}
	}
}

// testSwapInvalidKeys checks that both methods refuse keys that break the
// key rules, as every write does.
func testSwapInvalidKeys(t *testing.T, s stores.Store) {
	sw := swapper(t, s)
	for _, k := range invalidKeys {
		if _, err := sw.CompareAndSwap(ctx(t), k, []byte("x"), []byte("y"), later()); !errors.Is(err, stores.ErrInvalidKey) {
			t.Errorf("CompareAndSwap(%q) = %v, want an error wrapping ErrInvalidKey", k, err)
		}
		if _, err := sw.CompareAndDelete(ctx(t), k, []byte("x")); !errors.Is(err, stores.ErrInvalidKey) {
			t.Errorf("CompareAndDelete(%q) = %v, want an error wrapping ErrInvalidKey", k, err)
		}
	}
}

// testSwapCancelledContext checks that both methods give up at once, with
// the context's error, and change nothing.
func testSwapCancelledContext(t *testing.T, s stores.Store) {
	sw := swapper(t, s)
	k := stores.NewKey()
	mustCreate(t, s, k, []byte("x"), later())
	c, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sw.CompareAndSwap(c, k, []byte("x"), []byte("y"), later()); !errors.Is(err, context.Canceled) {
		t.Errorf("CompareAndSwap with a cancelled context = %v, want an error wrapping context.Canceled", err)
	}
	if _, err := sw.CompareAndDelete(c, k, []byte("x")); !errors.Is(err, context.Canceled) {
		t.Errorf("CompareAndDelete with a cancelled context = %v, want an error wrapping context.Canceled", err)
	}
	wantData(t, s, k, []byte("x"))
}

// SwapIncrements runs workers goroutines that each add rounds to a counter
// held in one record by a compare-and-swap loop, retrying from the current
// data each conflict hands back, and checks the final count: a store whose
// swap is not atomic loses increments. Tests of a store call it directly
// with their own numbers; the suite runs it with a few.
func SwapIncrements(t *testing.T, s stores.Store, workers, rounds int) {
	t.Helper()
	swapper(t, s)
	k := stores.NewKey()
	mustCreate(t, s, k, []byte("0"), later())
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	conflicts := make([]int, workers)
	start := make(chan struct{})
	var loaded sync.WaitGroup
	loaded.Add(workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := context.Background()
			cur, err := s.Load(c, k)
			loaded.Done()
			if err != nil {
				errs <- fmt.Errorf("worker %d: Load: %w", w, err)
				return
			}
			<-start // every worker starts from the same data
			if err := incrementFrom(c, s.(stores.Swapper), k, cur, rounds, &conflicts[w]); err != nil {
				errs <- fmt.Errorf("worker %d: %w", w, err)
			}
		}()
	}
	loaded.Wait()
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := 0
	for _, n := range conflicts {
		total += n
	}
	want := strconv.Itoa(workers * rounds)
	wantData(t, s, k, []byte(want))
	t.Logf("%d increments by %d workers, %d conflicts retried", workers*rounds, workers, total)
}

// Increment adds n to the decimal counter stored under key by a
// load/compare-and-swap loop that retries from the data each conflict hands
// back, counting the conflicts in *conflicts. It is the loop SwapIncrements
// runs, exported so that tests of a store can run it in other processes.
func Increment(ctx context.Context, s stores.Store, key string, n int, conflicts *int) error {
	sw, ok := s.(stores.Swapper)
	if !ok {
		return errors.New("store does not implement stores.Swapper")
	}
	cur, err := s.Load(ctx, key)
	if err != nil {
		return fmt.Errorf("Load: %w", err)
	}
	return incrementFrom(ctx, sw, key, cur, n, conflicts)
}

// incrementFrom is Increment's loop from the data cur, as loaded.
func incrementFrom(ctx context.Context, sw stores.Swapper, key string, cur []byte, n int, conflicts *int) error {
	for done, tries := 0, 0; done < n; tries++ {
		if tries > 1000*n {
			return fmt.Errorf("%d tries for %d increments: the store keeps reporting conflicts", tries, n)
		}
		v, err := strconv.Atoi(string(cur))
		if err != nil {
			return fmt.Errorf("the counter holds %q, not a number (a torn record)", cur)
		}
		next := []byte(strconv.Itoa(v + 1))
		got, err := sw.CompareAndSwap(ctx, key, cur, next, time.Now().Add(time.Hour))
		switch {
		case err == nil:
			cur = next
			done++
		case errors.Is(err, stores.ErrConflict):
			cur = got
			*conflicts++
		default:
			return fmt.Errorf("CompareAndSwap(%q -> %q): %w", cur, next, err)
		}
	}
	return nil
}

func testSwapIncrements(t *testing.T, s stores.Store) {
	SwapIncrements(t, s, 8, 12)
}

// testSwapMerges runs goroutines that each add an item of their own to one
// shared record, as concurrent requests setting different session keys do:
// every item must be there at the end.
func testSwapMerges(t *testing.T, s stores.Store) {
	sw := swapper(t, s)
	const workers = 12
	k := stores.NewKey()
	mustCreate(t, s, k, []byte("|"), later())
	start := make(chan struct{})
	var wg, loaded sync.WaitGroup
	loaded.Add(workers)
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := context.Background()
			item := fmt.Appendf(nil, "item-%d|", w)
			cur, err := s.Load(c, k)
			loaded.Done()
			if err != nil {
				errs <- err
				return
			}
			<-start // every worker has loaded the same record
			for tries := 0; ; tries++ {
				if tries == 1000 {
					errs <- fmt.Errorf("worker %d: 1000 conflicts", w)
					return
				}
				got, err := sw.CompareAndSwap(c, k, cur, append(bytes.Clone(cur), item...), later())
				if err == nil {
					return
				}
				if !errors.Is(err, stores.ErrConflict) {
					errs <- fmt.Errorf("worker %d: %w", w, err)
					return
				}
				cur = got
			}
		}()
	}
	loaded.Wait()
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := s.Load(ctx(t), k)
	if err != nil {
		t.Fatal(err)
	}
	for w := range workers {
		if !bytes.Contains(got, fmt.Appendf(nil, "|item-%d|", w)) {
			t.Errorf("item-%d was lost: the record holds %q", w, got)
		}
	}
}

// testSwapNeverResurrects races compare-and-swap loops against a Delete:
// once Delete has returned, no swap succeeds and the record stays gone.
func testSwapNeverResurrects(t *testing.T, s stores.Store) {
	sw := swapper(t, s)
	const workers, rounds = 4, 5
	for round := range rounds {
		k := stores.NewKey()
		mustCreate(t, s, k, []byte("0"), later())
		var wg sync.WaitGroup
		var deleted atomic.Bool // set once the Delete has returned
		errs := make(chan error, workers+1)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := context.Background()
				cur := []byte("0")
				for i := 0; ; i++ {
					if i == 1_000_000 {
						errs <- fmt.Errorf("worker %d: a million swaps without the Delete", w)
						return
					}
					next := fmt.Appendf(nil, "%d-%d", w, i)
					after := deleted.Load() // read before the swap starts
					got, err := sw.CompareAndSwap(c, k, cur, next, later())
					switch {
					case err == nil && after:
						errs <- fmt.Errorf("worker %d: a swap started after the Delete returned and succeeded", w)
						return
					case err == nil:
						cur = next
					case errors.Is(err, stores.ErrConflict):
						cur = got
					case errors.Is(err, stores.ErrNotFound):
						return
					default:
						errs <- fmt.Errorf("worker %d: %w", w, err)
						return
					}
					if i == 3 && w == 0 {
						if err := s.Delete(c, k); err != nil {
							errs <- err
						}
						deleted.Store(true)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("round %d: %v", round, err)
		}
		wantNotFound(t, s, k)
		if err := s.Create(ctx(t), k, []byte("new"), later()); err != nil && !errors.Is(err, stores.ErrExists) {
			t.Fatalf("round %d: Create after the race: %v", round, err)
		}
	}
}
