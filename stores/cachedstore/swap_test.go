package cachedstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

func TestConformanceMemoryOverFiles(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) stores.Store {
		db, err := filestore.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return newStore(t, testenv.Must(memstore.New()), db)
	})
}

// swap is CompareAndSwap with an hour's expiry.
func swap(s stores.Swapper, key, old, data string) ([]byte, error) {
	return s.CompareAndSwap(context.Background(), key, []byte(old), []byte(data), time.Now().Add(time.Hour))
}

// wantTrue fails the test unless the store, the database and (unless it
// holds a marker or nothing) the cache all say key holds want, and a swap
// from want succeeds: the cache holds no copy the database has lost.
func wantTrue(t *testing.T, s *Store, cache, db stores.Store, key, want string) {
	t.Helper()
	ctx := context.Background()
	if got, err := db.Load(ctx, key); string(got) != want || err != nil {
		t.Fatalf("the database holds %q, %v; want %q", got, err, want)
	}
	got, err := cache.Load(ctx, key)
	if err == nil && !isMarker(got) && string(got) != want {
		t.Fatalf("the cache holds %q while the database holds %q", got, want)
	}
	if err != nil && !errors.Is(err, stores.ErrNotFound) {
		t.Fatal(err)
	}
	if got, err := s.Load(ctx, key); string(got) != want || err != nil {
		t.Fatalf("Load = %q, %v; want %q", got, err, want)
	}
	if cur, err := swap(s, key, want, want+"+"); err != nil {
		t.Fatalf("a swap from what Load returned = %q, %v; want it to succeed", cur, err)
	}
}

// eachPairing runs test on every pairing, made with opts, with a record
// holding seed under key k.
func eachPairing(t *testing.T, seed string, test func(t *testing.T, s *Store, cache, db stores.Store, k string), opts ...Option) {
	for _, p := range pairings() {
		t.Run(p.name, func(t *testing.T) {
			s, cache, db := p.make(t, opts...)
			k := stores.NewKey()
			if err := s.Create(context.Background(), k, []byte(seed), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			test(t, s, cache, db, k)
		})
	}
}

// pausedSwap starts a swap of key from old to data that stops between its
// database step and its cache step, and returns once it is there; finish
// lets it go on and fails the test if it fails. Other calls meanwhile run
// without a pause.
func pausedSwap(t *testing.T, s *Store, key, old, data string) (finish func()) {
	t.Helper()
	reached, release := pauseAt(s, "compare and swap", key)
	done := make(chan error, 1)
	go func() { _, err := swap(s, key, old, data); done <- err }()
	<-reached
	s.afterDB = nil
	return func() {
		t.Helper()
		release()
		if err := <-done; err != nil {
			t.Fatalf("the paused swap %s to %s: %v", old, data, err)
		}
	}
}

// Writer A swaps X to A in the database and pauses; writer B swaps A to AB,
// database and cache; then A's cache step comes. It must not put A in the
// cache: every later Load would serve A, and every swap from it conflict.
func TestALateSwapCacheStepLeavesNoDataTheDatabaseLost(t *testing.T) {
	eachPairing(t, "X", func(t *testing.T, s *Store, cache, db stores.Store, k string) {
		finishA := pausedSwap(t, s, k, "X", "A")
		if cur, err := swap(s, k, "A", "AB"); err != nil {
			t.Fatalf("B's swap = %q, %v", cur, err)
		}
		finishA()
		wantTrue(t, s, cache, db, k, "AB")
	})
}

// The same with the cache empty at the start (evicted) and data that goes
// back to what it was: A swaps X to A and pauses; a reader refills A; B
// swaps A back to X, which a step of "A to X" would cache over the refill;
// then A's late step "X to A" would find X and put A back. The marks stop
// it: the reader finds A's mark and refills nothing, and A's step finds B's
// data, not its own mark.
func TestAnEvictedCacheAndDataThatGoesBackStayTrue(t *testing.T) {
	eachPairing(t, "X", func(t *testing.T, s *Store, cache, db stores.Store, k string) {
		ctx := context.Background()
		if err := cache.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
		finishA := pausedSwap(t, s, k, "X", "A")
		if got, err := s.Load(ctx, k); string(got) != "A" || err != nil {
			t.Fatalf("the reader's Load = %q, %v; want A from the database", got, err)
		}
		if cur, err := swap(s, k, "A", "X"); err != nil {
			t.Fatalf("B's swap = %q, %v", cur, err)
		}
		finishA()
		wantTrue(t, s, cache, db, k, "X")
	})
}

// A swap from a stale cached copy (put there behind the store's back)
// conflicts with the database's data, not the cache's, and heals the cache.
func TestASwapConflictAnswersWithTheDatabasesData(t *testing.T) {
	eachPairing(t, "v1", func(t *testing.T, s *Store, cache, db stores.Store, k string) {
		ctx := context.Background()
		if err := db.Update(ctx, k, []byte("v2"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Load(ctx, k); string(got) != "v1" {
			t.Fatalf("Load = %q; want the stale cached v1 (the test's premise)", got)
		}
		cur, err := swap(s, k, "v1", "v1+")
		if !errors.Is(err, stores.ErrConflict) || string(cur) != "v2" {
			t.Fatalf("swap from the stale copy = %q, %v; want the database's v2 and ErrConflict", cur, err)
		}
		if got, err := s.Load(ctx, k); string(got) != "v2" || err != nil {
			t.Fatalf("Load after the conflict = %q, %v; want v2 (the stale copy gone)", got, err)
		}
		wantTrue(t, s, cache, db, k, "v2")
	})
}

// A logout landing between a swap's database step and its cache step is
// final: the step finds the tombstone, not its mark.
func TestALogoutDuringASwapIsNotUndone(t *testing.T) {
	const ttl = 400 * time.Millisecond
	eachPairing(t, "v1", func(t *testing.T, s *Store, cache, db stores.Store, k string) {
		finish := pausedSwap(t, s, k, "v1", "v2")
		if err := s.Delete(context.Background(), k); err != nil {
			t.Fatal(err)
		}
		finish()
		wantLoggedOut(t, s, cache, db, k, ttl)
	}, WithTombstoneTTL(ttl))
}

// A swap's cache step later than half a tombstone's life is not sent: the
// cache holds no data (its mark, or nothing once the mark expired) and Load
// answers from the database.
func TestALateSwapCacheStepIsNotSent(t *testing.T) {
	const ttl = 200 * time.Millisecond
	eachPairing(t, "v1", func(t *testing.T, s *Store, cache, db stores.Store, k string) {
		s.afterDB = func(string, string) { time.Sleep(ttl) }
		if cur, err := swap(s, k, "v1", "v2"); err != nil {
			t.Fatalf("swap = %q, %v", cur, err)
		}
		s.afterDB = nil
		if got, err := cache.Load(context.Background(), k); err == nil && !isMarker(got) {
			t.Fatalf("cache after a late step = %q; want no data", got)
		}
		wantTrue(t, s, cache, db, k, "v2")
	}, WithTombstoneTTL(ttl))
}

// Over a database store without the capability, both methods say so with
// errors.ErrUnsupported and touch neither store.
func TestSwapOverADatabaseWithoutItIsUnsupported(t *testing.T) {
	cache := testenv.Must(memstore.New())
	db := testenv.Must(memstore.New())
	s := newStore(t, cache, plain{db})
	ctx := context.Background()
	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := swap(s, k, "v1", "v2"); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("CompareAndSwap = %v, want errors.ErrUnsupported", err)
	}
	if _, err := s.CompareAndDelete(ctx, k, []byte("v1")); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("CompareAndDelete = %v, want errors.ErrUnsupported", err)
	}
	for name, st := range map[string]stores.Store{"cache": cache, "database": db} {
		if got, err := st.Load(ctx, k); string(got) != "v1" || err != nil {
			t.Errorf("the %s holds %q, %v; want v1 untouched", name, got, err)
		}
	}
}

// The cache's markers are refused as data, as the tombstone is.
func TestTheUnsettledMarkersAreRefusedAsData(t *testing.T) {
	s := newStore(t, testenv.Must(memstore.New()), testenv.Must(memstore.New()))
	ctx := context.Background()
	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, m := range [][]byte{unsettled, newMark()} {
		if err := s.Create(ctx, stores.NewKey(), m, time.Now().Add(time.Hour)); err == nil {
			t.Errorf("Create of %q succeeded", m)
		}
		if err := s.Update(ctx, k, m, time.Now().Add(time.Hour)); err == nil {
			t.Errorf("Update to %q succeeded", m)
		}
		if _, err := s.CompareAndSwap(ctx, k, []byte("v1"), m, time.Now().Add(time.Hour)); err == nil || errors.Is(err, stores.ErrConflict) {
			t.Errorf("CompareAndSwap to %q = %v, want a plain error", m, err)
		}
	}
	if got, err := s.Load(ctx, k); string(got) != "v1" || err != nil {
		t.Fatalf("Load = %q, %v; want v1", got, err)
	}
}

// Writers add to a counter by swap loops while readers load it and the
// cache loses the record now and then: no increment is lost, and at the
// end the cache holds the database's data, a marker, or nothing.
func TestConcurrentSwapsKeepTheCacheTrue(t *testing.T) {
	const writers, each, rounds = 6, 15, 4
	for _, p := range pairings() {
		t.Run(p.name, func(t *testing.T) {
			if p.slow {
				t.Skip("slow pairing: covered by the deterministic tests")
			}
			s, cache, db := p.make(t)
			ctx := context.Background()
			for round := range rounds {
				k := stores.NewKey()
				if err := s.Create(ctx, k, []byte("0"), time.Now().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				stop := make(chan struct{})
				errs := make(chan error, writers)
				for range writers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						conflicts := 0
						if err := storetest.Increment(ctx, s, k, each, &conflicts); err != nil {
							errs <- err
						}
					}()
				}
				var readers sync.WaitGroup
				readers.Add(1)
				go func() { // a reader that also evicts
					defer readers.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						if _, err := s.Load(ctx, k); err != nil {
							errs <- fmt.Errorf("reader: %w", err)
							return
						}
						if i%3 == 0 {
							_ = cache.Delete(ctx, k)
						}
					}
				}()
				wg.Wait()
				close(stop)
				readers.Wait()
				close(errs)
				for err := range errs {
					t.Fatalf("round %d: %v", round, err)
				}
				wantTrue(t, s, cache, db, k, strconv.Itoa(writers*each))
			}
		})
	}
}

// The pairings' databases really are Swappers (the tests above would skip
// nothing otherwise, but say so plainly).
func TestThePairingsSwap(t *testing.T) {
	for _, p := range pairings() {
		t.Run(p.name, func(t *testing.T) {
			s, _, db := p.make(t)
			if _, ok := db.(stores.Swapper); !ok {
				t.Fatalf("the database store %T is not a stores.Swapper", db)
			}
			if _, err := swap(s, stores.NewKey(), "x", "y"); !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("swap of an unknown key = %v, want ErrNotFound", err)
			}
		})
	}
}
