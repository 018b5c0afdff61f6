package bench

import (
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // the pure-Go "sqlite" driver

	"github.com/ginsession/ginsession/stores/sqlstore"
)

// The SQLite contender runs in the file group (BenchmarkFile), as
// "ginsession-sqlite": both are the embedded, serverless choices, measured
// seconds apart in one run.
func init() {
	fileContenders = append(fileContenders, contender{"ginsession-sqlite", ginsessionSQLite})
}

// ginsessionSQLite is sqlstore on a fresh SQLite file, opened as its doc
// says (sqlstore.SQLiteDSN: busy timeout, WAL; SQLite's default
// synchronous=FULL, so every commit is durable).
func ginsessionSQLite(tb testing.TB) *instance {
	db, err := sqlx.Open("sqlite", sqlstore.SQLiteDSN(filepath.Join(tb.TempDir(), "db.sqlite3")))
	if err != nil {
		tb.Fatalf("sqlite: %v", err)
	}
	store := newSQLStore(tb, db)
	tb.Cleanup(func() {
		store.Close()
		db.Close()
	})
	return ginsessionInstance(store, nil)
}
