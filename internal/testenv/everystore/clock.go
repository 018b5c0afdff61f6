package everystore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

// ClockedStore names a store that reads the time from a test's clock.
type ClockedStore struct {
	Name string
	// Open returns the store, reading the time from clock, and the
	// function that moves time on for it: clock.Advance, and for a
	// backend that keeps time itself (Redis TTLs) the same shortening of
	// its records' times to live, so they expire as the clock says.
	Open func(t *testing.T, clock *storetest.Clock) (stores.Store, func(time.Duration))
}

// WithClock returns the stores of All, and SQLite: memory, file, Redis,
// MySQL, PostgreSQL, SQLite, Redis in front of MySQL, and the signed
// cookie (which needs ginsession.WithSecretKey, and the same clock there).
func WithClock(base string) []ClockedStore {
	goSide := func(open func(t *testing.T, now func() time.Time) stores.Store) func(*testing.T, *storetest.Clock) (stores.Store, func(time.Duration)) {
		return func(t *testing.T, c *storetest.Clock) (stores.Store, func(time.Duration)) {
			return open(t, c.Now), c.Advance
		}
	}
	return []ClockedStore{
		{"memory", goSide(func(t *testing.T, now func() time.Time) stores.Store {
			return must(t)(memstore.New(memstore.WithClock(now)))
		})},
		{"file", goSide(func(t *testing.T, now func() time.Time) stores.Store {
			return must(t)(filestore.New(t.TempDir(), filestore.WithClock(now)))
		})},
		{"redis", func(t *testing.T, c *storetest.Clock) (stores.Store, func(time.Duration)) {
			st, advance := redisClocked(t, base, c)
			return st, advance
		}},
		{"mysql", goSide(func(t *testing.T, now func() time.Time) stores.Store {
			return SQL(t, testenv.MySQL(t), base, sqlstore.WithClock(now))
		})},
		{"postgres", goSide(func(t *testing.T, now func() time.Time) stores.Store {
			return SQL(t, testenv.Postgres(t), base, sqlstore.WithClock(now))
		})},
		{"sqlite", goSide(func(t *testing.T, now func() time.Time) stores.Store {
			db := testenv.OpenSQLite(t, sqlstore.SQLiteDSN(filepath.Join(t.TempDir(), "db.sqlite3")))
			return SQL(t, db, base, sqlstore.WithClock(now))
		})},
		{"cached", func(t *testing.T, c *storetest.Clock) (stores.Store, func(time.Duration)) {
			cache, advance := redisClocked(t, base, c)
			st, err := cachedstore.New(cache, SQL(t, testenv.MySQL(t), base, sqlstore.WithClock(c.Now)), cachedstore.WithClock(c.Now))
			if err != nil {
				t.Fatal(err)
			}
			return st, advance
		}},
		{"cookie", goSide(func(t *testing.T, now func() time.Time) stores.Store {
			return must(t)(cookiestore.New(cookiestore.WithClock(now)))
		})},
	}
}

// redisClocked is Redis reading the time from c, and the function that
// moves c and the store's TTLs on together.
func redisClocked(t *testing.T, base string, c *storetest.Clock) (*redisstore.Store, func(time.Duration)) {
	t.Helper()
	client := testenv.Redis(t)
	prefix := testenv.RedisPrefix(t, client, base)
	st, err := redisstore.New(client, redisstore.WithPrefix(prefix), redisstore.WithClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	return st, func(d time.Duration) {
		c.Advance(d)
		if err := testenv.AgeRedisKeys(context.Background(), client, prefix, d); err != nil {
			t.Fatal(err)
		}
	}
}
