package bench

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

func init() { addGinsession(&cachedContenders, ginsessionCached) }

// cachedRT is what Django's cached_db costs: a read is a cache hit; a write
// loads from the cache, then swaps the record (a mark in the cache, the
// database's compare-and-swap, the cache's swap of the mark for the data,
// so that the cache never keeps what the database lost); a new session is
// inserted in the database, then cached.
var cachedRT = map[string]int64{"untouched": 0, "read": 1, "write": 4, "new": 2}

// ginsessionCached is cachedstore with Redis (redisstore) in front of MySQL
// (sqlstore), both counted by one rtCounter.
func ginsessionCached(tb testing.TB) *instance {
	rt := new(rtCounter)
	prefix := "bench:cached:" + runID + ":"
	cache, err := redisstore.New(goRedis(tb, rt, prefix), redisstore.WithPrefix(prefix))
	if err != nil {
		tb.Fatalf("redisstore: %v", err)
	}
	db := sqlx.NewDb(openMySQL(tb, rt, mysqlDB), "mysql")
	table := tableName("cached")
	sql := newSQLStore(tb, db, sqlstore.WithTable(table))
	tb.Cleanup(func() {
		sql.Close()
		mysqlExec(tb, "DROP TABLE IF EXISTS "+mysqlDB+"."+table)
	})
	store, err := cachedstore.New(cache, sql)
	if err != nil {
		tb.Fatalf("cachedstore: %v", err)
	}
	return ginsessionInstance(store, rt)
}
