package testenv

import (
	"testing"

	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // the pure-Go driver, registered as "sqlite"
)

// OpenSQLite opens a pool on dsn (sqlstore.SQLiteDSN of a file, usually in
// t.TempDir(), which other pools, processes or Django may share) through
// modernc.org/sqlite, pings it, and closes it at the end of the test. It
// needs no server, so it never skips. (testenv cannot call SQLiteDSN
// itself: sqlstore's own tests import testenv.)
func OpenSQLite(t testing.TB, dsn string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
