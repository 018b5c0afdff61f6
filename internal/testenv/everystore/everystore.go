// Package everystore opens each of the module's stores on the real servers
// for a test, on a table, key prefix or directory of the test's own that is
// removed when the test ends, so a behaviour can be proved on all of them.
//
// A store whose server is missing skips the test, or fails it under CI=true
// (testenv decides). It is separate from testenv because the stores' own
// tests use testenv.
package everystore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redis9store"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// Store names a store and opens one for a test.
type Store struct {
	Name string
	Open func(t *testing.T) stores.Store
}

// All returns every store: memory, file, Redis, MySQL, PostgreSQL, Redis in
// front of MySQL, and the signed cookie (which needs ginsession.WithSecretKey).
// Names made from base keep one test's tables and keys apart from another's.
func All(base string) []Store {
	return []Store{
		{"memory", func(t *testing.T) stores.Store { return must(t)(memstore.New()) }},
		{"file", func(t *testing.T) stores.Store {
			st, err := filestore.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
		{"redis", func(t *testing.T) stores.Store { return Redis(t, base) }},
		{"mysql", func(t *testing.T) stores.Store { return SQL(t, testenv.MySQL(t), base) }},
		{"postgres", func(t *testing.T) stores.Store { return SQL(t, testenv.Postgres(t), base) }},
		{"cached", func(t *testing.T) stores.Store {
			st, err := cachedstore.New(Redis(t, base), SQL(t, testenv.MySQL(t), base))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
		{"cookie", func(t *testing.T) stores.Store { return must(t)(cookiestore.New()) }},
	}
}

// Server returns every server store: memory, file, Redis (go-redis v8 and
// v9), MySQL, PostgreSQL, SQLite, and Redis in front of MySQL.
func Server(base string) []Store {
	return servers(base, func(t *testing.T, db *sqlx.DB) stores.Store { return SQL(t, db, base) })
}

// Indexed returns the stores of Server with the per-user index on.
func Indexed(base string) []Store {
	return servers(base, func(t *testing.T, db *sqlx.DB) stores.Store { return IndexedSQL(t, db, base) })
}

// servers are the stores of Server, with sql opening the SQL ones.
func servers(base string, sql func(t *testing.T, db *sqlx.DB) stores.Store) []Store {
	return []Store{
		{"memory", func(t *testing.T) stores.Store { return must(t)(memstore.New()) }},
		{"file", func(t *testing.T) stores.Store { return must(t)(filestore.New(t.TempDir())) }},
		{"redis", func(t *testing.T) stores.Store { return Redis(t, base) }},
		{"redis9", func(t *testing.T) stores.Store {
			client := testenv.Redis9(t)
			return must(t)(redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, base))))
		}},
		{"mysql", func(t *testing.T) stores.Store { return sql(t, testenv.MySQL(t)) }},
		{"postgres", func(t *testing.T) stores.Store { return sql(t, testenv.Postgres(t)) }},
		{"sqlite", func(t *testing.T) stores.Store {
			return sql(t, testenv.OpenSQLite(t, sqlstore.SQLiteDSN(filepath.Join(t.TempDir(), "db.sqlite3"))))
		}},
		{"cached", func(t *testing.T) stores.Store {
			return must(t)(cachedstore.New(Redis(t, base), sql(t, testenv.MySQL(t))))
		}},
	}
}

// SQL returns an sqlstore on a table of the test's own (named from base) in
// db, created now and dropped when the test ends, with opts after the table.
func SQL(t testing.TB, db *sqlx.DB, base string, opts ...sqlstore.Option) *sqlstore.Store {
	t.Helper()
	table := testenv.Name(base)
	st, err := sqlstore.New(db, append([]sqlstore.Option{sqlstore.WithTable(table)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		// The name is testenv.Name's: letters, digits and '_', no quoting
		// needed in either dialect.
		if _, err := db.Exec("DROP TABLE IF EXISTS " + table); err != nil {
			t.Errorf("drop %s: %v", table, err)
		}
	})
	return st
}

// IndexedSQL is SQL with the per-user index on, in a table of its own
// beside the session table, dropped too when the test ends.
func IndexedSQL(t testing.TB, db *sqlx.DB, base string) *sqlstore.Store {
	t.Helper()
	table, index := testenv.Name(base), testenv.Name(base+"idx_")
	st, err := sqlstore.New(db, sqlstore.WithTable(table), sqlstore.WithIndexTable(index))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateTable(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		for _, name := range []string{table, index} {
			if _, err := db.Exec("DROP TABLE IF EXISTS " + name); err != nil {
				t.Errorf("drop %s: %v", name, err)
			}
		}
	})
	return st
}

// Redis returns a redisstore on the test Redis under a key prefix of the
// test's own, emptied when the test ends, with opts.
func Redis(t testing.TB, base string, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	client := testenv.Redis(t)
	st, err := redisstore.New(client, append(opts, redisstore.WithPrefix(testenv.RedisPrefix(t, client, base)))...)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// must fails t on a constructor's error and otherwise returns its store.
func must(t *testing.T) func(stores.Store, error) stores.Store {
	return func(s stores.Store, err error) stores.Store {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}
