package cachedstore

import (
	"context"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

// With one clock given to the cache, the database and the cached store,
// records live and die by it: in the cache, in the database on a miss,
// and for the tombstone of a Delete.
func TestExpiryFollowsWithClock(t *testing.T) {
	t.Parallel()
	db := testenv.MySQL(t)
	storetest.RunClock(t, func(t *testing.T, now func() time.Time) stores.Store {
		cache, err := memstore.New(memstore.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		sq := newDB(t, db)
		clocked, err := sqlstore.New(db, sqlstore.WithTable(sq.Table()), sqlstore.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { clocked.Close() })
		return newStore(t, cache, clocked, WithClock(now))
	})
}

// A hit in a cache that cannot load an expiry gives the zero expiry
// (unknown) rather than one made up; a miss gives the database's.
func TestLoadWithExpiryOfAPlainCacheHitIsUnknown(t *testing.T) {
	cache, db := mustMem(t), mustMem(t)
	s := newStore(t, plain{cache}, db)
	ctx := context.Background()
	k := stores.NewKey()
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, k, []byte("d"), exp); err != nil {
		t.Fatal(err)
	}
	if data, got, err := s.LoadWithExpiry(ctx, k); err != nil || string(data) != "d" || !got.IsZero() {
		t.Fatalf("a plain cache's hit: %q, %v, %v; want d, the zero time, nil", data, got, err)
	}
	if err := cache.Delete(ctx, k); err != nil {
		t.Fatal(err)
	}
	if data, got, err := s.LoadWithExpiry(ctx, k); err != nil || string(data) != "d" || !got.Equal(exp) {
		t.Fatalf("a miss: %q, %v, %v; want d, %v, nil", data, got, err, exp)
	}
}

func mustMem(t *testing.T) *memstore.Store {
	t.Helper()
	s, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
