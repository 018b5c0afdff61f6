package sqlstore

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// DefaultBusyTimeout is how long SQLiteDSN lets a statement wait for another
// connection's write lock before it fails with SQLITE_BUSY: five seconds,
// what Python's sqlite3 module, and so Django, waits by default.
const DefaultBusyTimeout = 5 * time.Second

// SQLiteDSN returns the data source name to open the SQLite database file at
// path with, for modernc.org/sqlite (driver "sqlite") and
// github.com/mattn/go-sqlite3 (driver "sqlite3") alike:
//
//	file:PATH?_busy_timeout=5000&_journal_mode=WAL
//
// Both settings matter for a store shared by many goroutines or processes.
// busy_timeout is per connection, and database/sql opens connections as it
// pleases, so it has to be in the DSN, which the driver applies to each new
// connection; without it a write that meets another write fails at once
// with "database is locked". WAL lets readers go on while one connection
// writes; it is a setting of the file, so once set it holds for every
// process (Django's included), and CreateTable sets it too.
func SQLiteDSN(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_busy_timeout=" + strconv.FormatInt(DefaultBusyTimeout.Milliseconds(), 10) + "&_journal_mode=WAL"
}

// enableWAL switches the database to write-ahead logging, which the file
// keeps: readers never wait for the writer and the writer never waits for
// readers. An in-memory database answers "memory" and stays as it is.
func (s *Store) enableWAL(ctx context.Context) error {
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		return fmt.Errorf("sqlstore: create table %s: PRAGMA journal_mode=WAL: %w", s.table, err)
	}
	if mode != "wal" && mode != "memory" {
		return fmt.Errorf("sqlstore: create table %s: PRAGMA journal_mode=WAL left the database in %q mode", s.table, mode)
	}
	return nil
}

// writeGate lets one write of a Store at a time at an SQLite database, in
// the order they came: a channel's waiting senders are served first come,
// first served. SQLite itself runs one writer at a time, but a writer that
// finds the lock taken polls for it, sleeping longer between tries, and
// under a steady stream of writes from other goroutines it can miss every
// opening for longer than the busy timeout and fail with "database is
// locked". Queued here, a write meets only the locks of other processes
// and other Stores. Reads do not pass the gate: under WAL they never wait
// for the writer.
type writeGate chan struct{}

// enter waits for the gate, or for ctx to end, whose error it returns.
func (g writeGate) enter(ctx context.Context) error {
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave lets the next write in.
func (g writeGate) leave() { <-g }
