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
// busy_timeout is per connection, so it must be in the DSN, which the driver
// applies to each connection database/sql opens; without it a write that
// meets another fails at once with "database is locked". WAL lets readers
// go on while one connection writes; the file keeps it, for every process
// (Django's included), and CreateTable sets it too.
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

// writeGate lets the writes of a Store reach an SQLite database one at a
// time, first come, first served (as a channel serves waiting senders).
// SQLite runs one writer at a time, but a writer that finds the lock taken
// polls for it with growing sleeps, and under a steady stream of writes it
// can miss every opening past the busy timeout. Queued here, a write meets
// only the locks of other processes and Stores. Reads do not pass the gate:
// under WAL they never wait for the writer.
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
