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

// A hit in a cache that cannot load a time to live gives 0 (unknown)
// rather than one made up; a miss gives the database's.
func TestLoadWithTTLOfAPlainCacheHitIsUnknown(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	cache := mustMem(t)
	db, err := memstore.New(memstore.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	s := newStore(t, plain{cache}, db, WithClock(clock))
	ctx := context.Background()
	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte("d"), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if data, ttl, err := s.LoadWithTTL(ctx, k); err != nil || string(data) != "d" || ttl != 0 {
		t.Fatalf("a plain cache's hit: %q, %v, %v; want d, 0, nil", data, ttl, err)
	}
	if err := cache.Delete(ctx, k); err != nil {
		t.Fatal(err)
	}
	if data, ttl, err := s.LoadWithTTL(ctx, k); err != nil || string(data) != "d" || ttl != time.Hour {
		t.Fatalf("a miss: %q, %v, %v; want d, 1h, nil", data, ttl, err)
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
