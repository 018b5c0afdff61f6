package cachedstore

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-redis/redis/v8"
	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

// newDB returns a sqlstore with a table of its own, dropped at the end.
func newDB(t testing.TB, db *sqlx.DB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(db, sqlstore.WithTable(testenv.Name("gs_test_")))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		q := "DROP TABLE IF EXISTS `" + s.Table() + "`"
		if s.Dialect() == sqlstore.Postgres {
			q = `DROP TABLE IF EXISTS "` + s.Table() + `"`
		}
		if _, err := db.Exec(q); err != nil {
			t.Errorf("drop %s: %v", s.Table(), err)
		}
	})
	return s
}

// newCache returns a redisstore with a prefix of its own, emptied at the end.
func newCache(t testing.TB, client *redis.Client) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(client, redisstore.WithPrefix(testenv.RedisPrefix(t, client, "gs_test_")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// deadRedis returns a client for a port nothing listens on.
func deadRedis(t testing.TB) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 500 * time.Millisecond})
	t.Cleanup(func() { c.Close() })
	return c
}

// logBuffer is a concurrency-safe slog sink for asserting on logs.
type logBuffer = testenv.LogBuffer

func newStore(t testing.TB, cache, db stores.Store, opts ...Option) *Store {
	t.Helper()
	s, err := New(cache, db, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformanceRedisOverMariaDB(t *testing.T) {
	t.Parallel()
	db, rc := testenv.MySQL(t), testenv.Redis(t)
	storetest.Run(t, func(t *testing.T) stores.Store {
		return newStore(t, newCache(t, rc), newDB(t, db))
	})
}

// Plain stores (no Set on the cache; no LoadWithTTL or Touch on the
// database) take the fallback paths, which must be just as correct.
func TestConformanceWithoutOptionalInterfaces(t *testing.T) {
	t.Parallel()
	db, rc := testenv.MySQL(t), testenv.Redis(t)
	storetest.Run(t, func(t *testing.T) stores.Store {
		s := newStore(t, plain{newCache(t, rc)}, plain{newDB(t, db)}, WithFallbackTTL(time.Second))
		// A hit in a plain cache has no time to live to give (see
		// TestLoadWithTTLOfAPlainCacheHitIsUnknown): the suite's
		// TTLLoader cases are for the other setups.
		return struct {
			stores.Store
			stores.Toucher
		}{s, s}
	})
}

// plain hides every method beyond stores.Store.
type plain struct{ stores.Store }

func TestReadsAreServedByTheCache(t *testing.T) {
	db := newDB(t, testenv.MySQL(t))
	rc := testenv.Redis(t)
	cache := newCache(t, rc)
	s := newStore(t, cache, db)
	ctx := context.Background()
	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Remove the row behind the cache's back: Load and Exists still answer
	// from the cache, so they did not ask the database.
	if err := db.Delete(ctx, k); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(ctx, k); string(got) != "v1" || err != nil {
		t.Errorf("Load = %q, %v; want the cached v1", got, err)
	}
	if ok, err := s.Exists(ctx, k); !ok || err != nil {
		t.Errorf("Exists = %v, %v; want true from the cache", ok, err)
	}
	// Update asks the database, which no longer has the record.
	if err := s.Update(ctx, k, []byte("v2"), time.Now().Add(time.Hour)); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Update = %v, want the database's ErrNotFound", err)
	}
}

func TestAMissRefillsTheCacheForTheRecordsRemainingLife(t *testing.T) {
	db := newDB(t, testenv.MySQL(t))
	rc := testenv.Redis(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		db      stores.Store
		wantTTL time.Duration
	}{
		{"with LoadWithTTL", db, 90 * time.Second},
		{"without it, the fallback TTL", plain{db}, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := newCache(t, rc)
			s := newStore(t, cache, tc.db, WithFallbackTTL(5*time.Second))
			k := stores.NewKey()
			if err := db.Create(ctx, k, []byte("from-db"), time.Now().Add(90*time.Second)); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Load(ctx, k); string(got) != "from-db" || err != nil {
				t.Fatalf("Load = %q, %v", got, err)
			}
			if got, err := cache.Load(ctx, k); string(got) != "from-db" || err != nil {
				t.Fatalf("cache after a miss = %q, %v; want the refilled record", got, err)
			}
			ttl, err := rc.PTTL(ctx, cache.Prefix()+k).Result()
			if err != nil || ttl > tc.wantTTL || ttl < tc.wantTTL-2*time.Second {
				t.Errorf("cached TTL = %v, %v; want about %v", ttl, err, tc.wantTTL)
			}
		})
	}
}

func TestSavesLeaveTheNewDataInTheCache(t *testing.T) {
	db := newDB(t, testenv.MySQL(t))
	rc := testenv.Redis(t)
	ctx := context.Background()
	for name, cache := range map[string]func() stores.Store{
		"a Setter cache": func() stores.Store { return newCache(t, rc) },
		"a plain cache":  func() stores.Store { return plain{newCache(t, rc)} },
	} {
		t.Run(name, func(t *testing.T) {
			c := cache()
			s := newStore(t, c, db)
			k := stores.NewKey()
			exp := time.Now().Add(time.Hour)
			if err := s.Create(ctx, k, []byte("v1"), exp); err != nil {
				t.Fatal(err)
			}
			if got, _ := c.Load(ctx, k); string(got) != "v1" {
				t.Errorf("cache after Create = %q", got)
			}
			// A cache that lost the record (eviction) gets it back.
			if err := c.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if err := s.Update(ctx, k, []byte("v2"), exp); err != nil {
				t.Fatal(err)
			}
			// A plain cache cannot take data in place of a mark only: it
			// keeps the marker, and the database answers.
			wantCached := func(want string) {
				t.Helper()
				got, _ := c.Load(ctx, k)
				if name == "a plain cache" && isMarker(got) {
					got, _ = s.Load(ctx, k)
				}
				if string(got) != want {
					t.Errorf("after Update to %s the cache (or, past its marker, Load) gives %q", want, got)
				}
			}
			wantCached("v2")
			if err := s.Update(ctx, k, []byte("v3"), exp); err != nil {
				t.Fatal(err)
			}
			wantCached("v3")
			if err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if got, err := c.Load(ctx, k); err != nil || !isTombstone(got) {
				t.Errorf("cache after Delete = %q, %v; want the tombstone", got, err)
			}
		})
	}
}

func TestNewRefusesBadArguments(t *testing.T) {
	m := plain{}
	if _, err := New(nil, m); err == nil {
		t.Error("New without a cache succeeded")
	}
	if _, err := New(m, nil); err == nil {
		t.Error("New without a database succeeded")
	}
	if _, err := New(m, m, WithFallbackTTL(0)); err == nil {
		t.Error("a zero fallback TTL was accepted")
	}
	if _, err := New(m, m, WithTombstoneTTL(0)); err == nil {
		t.Error("a zero tombstone TTL was accepted")
	}
	if _, err := New(m, m, WithLogger(nil)); err == nil {
		t.Error("a nil logger was accepted")
	}
	cookie, err := cookiestore.New()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(cookie, m); err == nil || !strings.Contains(err.Error(), "cookie") {
		t.Errorf("New with a cookie store as the cache = %v, want an error naming the cookie", err)
	}
	if _, err := New(m, cookie); err == nil || !strings.Contains(err.Error(), "cookie") {
		t.Errorf("New with a cookie store as the database = %v, want an error naming the cookie", err)
	}
}

// An invalid key is refused before either store is asked, so it is not
// logged as a cache failure.
func TestInvalidKeysAreRefusedWithoutNoise(t *testing.T) {
	logs := new(logBuffer)
	s := newStore(t, plain{}, plain{}, WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	ctx := context.Background()
	if _, err := s.Load(ctx, "NOT/a key"); !errors.Is(err, stores.ErrNotFound) || !errors.Is(err, stores.ErrInvalidKey) {
		t.Errorf("Load = %v, want ErrNotFound and ErrInvalidKey", err)
	}
	if ok, err := s.Exists(ctx, "short"); ok || err != nil {
		t.Errorf("Exists = %v, %v; want false, nil (the rule in package stores)", ok, err)
	}
	if logs.String() != "" {
		t.Errorf("logged: %s", logs)
	}
}
