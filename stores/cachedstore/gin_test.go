package cachedstore_test

import (
	"context"
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/gintest"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// TestRoundTripsPerRequest serves requests through a real gin.Engine and
// counts what each costs Redis and MariaDB together: reads are served by
// the cache alone; a save is the database's write plus the cache's steps.
func TestRoundTripsPerRequest(t *testing.T) {
	rt := new(testenv.RoundTrips)
	cfg := testenv.MySQLConfig(t)
	cfg.DialFunc = rt.DialContext
	db := testenv.OpenMySQL(t, cfg)
	db.SetMaxOpenConns(1)
	o := testenv.RedisOptions()
	o.Dialer, o.PoolSize = rt.DialContext, 1
	client := testenv.OpenRedis(t, o)

	dbs, err := sqlstore.New(db, sqlstore.WithTable(testenv.Name("gs_test_")))
	if err != nil {
		t.Fatal(err)
	}
	if err := dbs.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dbs.Close()
		db.Exec("DROP TABLE IF EXISTS `" + dbs.Table() + "`")
	})
	prefix := testenv.RedisPrefix(t, client, "gs_test_")
	cache, err := redisstore.New(client, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	s, err := cachedstore.New(cache, dbs)
	if err != nil {
		t.Fatal(err)
	}
	got := gintest.RoundTripsPerRequest(t, s, rt)
	gintest.Expect(t, got, map[string]int64{
		// A write: the cache's read, then the merging save (swap.go): the
		// call's mark in the cache, the database's compare-and-swap, the
		// cache's swap of the mark for the data. One more than an
		// unconditional save, the price of a cache that never keeps data
		// the database lost.
		gintest.Untouched: 0, gintest.Read: 1, gintest.Write: 4, gintest.New: 2,
	})
}
