// Package sqlstore keeps sessions in a SQL table, as Django's database
// session engine (django.contrib.sessions.backends.db) does, in Django's own
// django_session schema, so a Go service and a Django site can share one
// table and one set of logins.
//
// # Databases
//
// MySQL and MariaDB (github.com/go-sql-driver/mysql), PostgreSQL
// (github.com/lib/pq or pgx's stdlib) and SQLite (modernc.org/sqlite, pure
// Go, or github.com/mattn/go-sqlite3) are supported through the same code;
// the dialect is detected from the driver of the *sqlx.DB or set with
// [WithDialect]. The table is created by [Store.CreateTable] (see
// [MySQLSchema], [PostgresSchema] and [SQLiteSchema] for the DDL) or by
// Django's migration. On SQLite, open the file with [SQLiteDSN]'s DSN, and
// the store is safe for many goroutines and processes on one file, Django's
// db.sqlite3 included (":memory:" gives every pooled connection a database
// of its own: use a file).
//
// [WithIndexTable] keeps a per-user index of logged-in sessions
// (stores.Indexer, for ginsession.WithUserIndex and auth.Sessions) in a
// table of its own, so django_session stays exactly Django's. A listing
// joins the two tables, so it shows only live sessions; [RebuildIndex]
// adds the sessions a Django site sharing the table created.
//
// # Round trips and contexts
//
// Every operation is one statement and, in steady state, one round trip:
// each statement is prepared once per pooled connection, on first use (with
// the caller's context values, a 30-second timeout and no cancellation),
// where go-sql-driver/mysql would otherwise prepare, execute and close every
// parameterised query. Behind a proxy that cannot hold prepared statements
// (ProxySQL, pgbouncer in transaction mode) use [WithoutPreparedStatements].
//
// A statement ends when its context does (the store timeout, or the
// request's client going away), a statement waiting on a row lock included.
//
// # Conditional writes
//
// The store is a [stores.Swapper]: CompareAndSwap is one UPDATE whose WHERE
// also requires session_data to hold, byte for byte whatever the column's
// collation, what the caller loaded (CompareAndDelete one such DELETE), so
// the row lock makes the compare and the write one step for every client of
// the table, Django included. Only when the statement changes no row does a
// SELECT follow, to return the current data of a changed record
// (stores.ErrConflict) or report a vanished one (stores.ErrNotFound).
//
// # Times and data
//
// expire_date is UTC, as Django writes it with USE_TZ=True. The store
// passes the current time from Go into every query, so the database
// server's time zone and clock do not matter, and it reads MySQL's zoneless
// datetime as UTC whatever the DSN's parseTime and loc say.
//
// session_data is a text column, as Django has it, which cannot hold every
// byte string (PostgreSQL rejects NUL and invalid UTF-8, MySQL rejects or
// truncates invalid UTF-8, utf8mb3 holds nothing beyond the BMP). So the
// store writes data verbatim only when it is ASCII without NUL, as both
// codecs ginsession ships produce, and otherwise as "!base64:" followed by
// the standard padded base64 of the data (no Django record starts with '!',
// and data that itself starts with "!base64:" is escaped).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/stores"
)

// DefaultPurgeBatch is how many expired rows one DELETE of DeleteExpired
// removes at most.
const DefaultPurgeBatch = 1000

// Store is a stores.Store backed by a SQL table. It is safe for concurrent
// use. Close releases its prepared statements; it does not close the
// *sqlx.DB, which the caller owns.
type Store struct {
	db         *sqlx.DB
	dialect    Dialect
	table      string
	prepared   bool
	batch      int
	indexTable string // "" when the per-user index is off (index.go)
	queries    [numOps]string
	now        func() time.Time
	writes     writeGate // SQLite's (sqlite.go), nil on the other dialects
	// djangoCache deletes Django's cached_db entry of a session
	// (WithDjangoCache), nil without it.
	djangoCache func(ctx context.Context, sessionKey string) error

	// prepare is db.PrepareContext; tests wrap it to hold or fail a prepare.
	prepare func(ctx context.Context, query string) (*sql.Stmt, error)

	mu     sync.Mutex // guards closed and stmts; never held across I/O
	closed bool
	stmts  [numOps]*preparing // prepare.go
}

type op int

const (
	opLoad op = iota
	opCreate
	opUpdate
	opTouch
	opDelete
	opDeleteMany
	opExists
	opPurge
	opSwap
	opCompareDelete
	// The per-user index (index.go).
	opIndexAdd
	opIndexAddNew
	opIndexTouch
	opIndexHas
	opIndexMove
	opIndexRemove
	opIndexList
	opIndexPurge
	opIndexLock
	opRebuildScan
	numOps
)

// Option configures a Store.
type Option func(*Store) error

// WithTable sets the table name, DefaultTable ("django_session") by default.
// The name must be a plain identifier (letters, digits, underscore; at most
// 64 characters; not starting with a digit) because it is spliced into SQL.
func WithTable(name string) Option {
	return func(s *Store) error {
		s.table = name
		return checkName("WithTable", name)
	}
}

// WithDialect sets the SQL dialect; by default it is detected from the
// driver name ("mysql"; "postgres", "pgx"; "sqlite", "sqlite3") or else the
// driver's type, and New fails for other drivers unless this option names
// the dialect.
func WithDialect(d Dialect) Option {
	return func(s *Store) error {
		s.dialect = d
		return checkDialect("WithDialect", d)
	}
}

// WithPurgeBatch sets how many expired rows one DELETE of DeleteExpired
// removes at most (DefaultPurgeBatch by default). Small batches keep each
// statement's locks brief while millions of rows are purged.
func WithPurgeBatch(n int) Option {
	return func(s *Store) error {
		s.batch = n
		if n < 1 || n > 1_000_000 {
			return fmt.Errorf("sqlstore: WithPurgeBatch(%d): want 1 to 1000000", n)
		}
		return nil
	}
}

// WithoutPreparedStatements makes the store send plain parameterised queries
// instead of prepared statements, for proxies that cannot keep prepared
// statements. With go-sql-driver/mysql, add interpolateParams=true to the
// DSN as well, or every query costs two round trips.
func WithoutPreparedStatements() Option {
	return func(s *Store) error {
		s.prepared = false
		return nil
	}
}

// WithClock sets where the store reads the current time, which every query
// that tells live rows from expired ones compares expire_date with (the
// database server's clock is never used). Optional. Default value is
// time.Now; tests pass a clock they move (and the same one to
// ginsession.WithClock), so nothing sleeps.
func WithClock(now func() time.Time) Option {
	return func(s *Store) error {
		s.now = now
		if now == nil {
			return errors.New("sqlstore: WithClock(nil): pass a function, or leave the option out for time.Now")
		}
		return nil
	}
}

// New returns a store on db. It does not touch the database: statements are
// prepared on first use, and the table is made by CreateTable (or Django).
func New(db *sqlx.DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New: db is nil")
	}
	s := &Store{db: db, table: DefaultTable, batch: DefaultPurgeBatch, prepared: true, now: time.Now, prepare: db.PrepareContext}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.dialect == DialectUnknown {
		if s.dialect = dialectOf(db); s.dialect == DialectUnknown {
			return nil, fmt.Errorf("sqlstore: New: unknown driver %q; pass sqlstore.WithDialect(sqlstore.MySQL), (sqlstore.Postgres) or (sqlstore.SQLite)", db.DriverName())
		}
	}
	s.queries = buildQueries(s.dialect, s.table, s.indexTable, s.batch)
	if s.dialect == SQLite {
		s.writes = make(writeGate, 1)
	}
	return s, nil
}

// Table returns the name of the store's table.
func (s *Store) Table() string { return s.table }

// Dialect returns the SQL dialect the store speaks.
func (s *Store) Dialect() Dialect { return s.dialect }

// Close releases the store's prepared statements. The store cannot be used
// afterwards; the *sqlx.DB stays open.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	var errs []error
	for _, p := range s.stmts {
		if p != nil && p.st != nil {
			errs = append(errs, p.st.Close())
		}
	}
	return errors.Join(errs...)
}

var errClosed = errors.New("sqlstore: store is closed")

// query runs o in tx when there is one, else as a prepared statement
// (unless WithoutPreparedStatements), and calls scan on each row it returns.
func (s *Store) query(ctx context.Context, tx *sql.Tx, o op, args []any, scan func(*sql.Rows) error) error {
	var rows *sql.Rows
	var err error
	switch {
	case tx != nil:
		rows, err = tx.QueryContext(ctx, s.queries[o], args...)
	case !s.prepared:
		rows, err = s.db.QueryContext(ctx, s.queries[o], args...)
	default:
		var st *sql.Stmt
		if st, err = s.stmt(ctx, o); err == nil {
			rows, err = st.QueryContext(ctx, args...)
		}
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// has reports whether query o, in tx when there is one, finds a row.
func (s *Store) has(ctx context.Context, tx *sql.Tx, o op, args ...any) (found bool, err error) {
	err = s.query(ctx, tx, o, args, func(*sql.Rows) error { found = true; return nil })
	return found, err
}

func (s *Store) exec(ctx context.Context, o op, args ...any) (int64, error) {
	send := func() (sql.Result, error) { return s.db.ExecContext(ctx, s.queries[o], args...) }
	if s.prepared {
		// Prepared before the write gate: a prepare takes no write lock,
		// and the writes queued behind this one need not wait for it.
		st, err := s.stmt(ctx, o)
		if err != nil {
			return 0, err
		}
		send = func() (sql.Result, error) { return st.ExecContext(ctx, args...) }
	}
	if s.writes != nil {
		if err := s.writes.enter(ctx); err != nil {
			return 0, err
		}
		defer s.writes.leave()
	}
	res, err := send()
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// gone returns err, or stores.ErrNotFound for an UPDATE that counted no
// row (n). MySQL counts only rows it changed, so there zero rows (the values
// were already the same, or the row is gone) is told apart by query o;
// PostgreSQL and SQLite count the rows matched.
func (s *Store) gone(ctx context.Context, n int64, err error, o op, args ...any) error {
	if err != nil || n > 0 {
		return err
	}
	if s.dialect == MySQL {
		if ok, err := s.has(ctx, nil, o, args...); ok || err != nil {
			return err
		}
	}
	return stores.ErrNotFound
}

// timeArg converts an instant to the query argument for expire_date,
// clamped to stores.MaxExpiry/MinExpiry: an expiry centuries ahead would be
// refused by MySQL's DATETIME (years 1000 to 9999) and fail the request.
func (s *Store) timeArg(t time.Time) any {
	t = stores.ClampExpiry(t)
	switch s.dialect {
	case MySQL:
		return t.UTC().Format(mysqlTimeLayout)
	case SQLite:
		return sqliteTime(t)
	}
	return t.UTC()
}

// dataArg converts stored bytes to the query argument for session_data. On
// PostgreSQL a []byte argument would be sent as bytea, and on SQLite stored
// as a BLOB that Django would read as bytes, so there it goes as text.
func (s *Store) dataArg(stored []byte) any {
	if s.dialect == MySQL {
		return stored
	}
	return string(stored)
}

// Load implements stores.Store with one SELECT of the live row.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	data, _, err := s.LoadWithExpiry(ctx, key)
	return data, err
}

// LoadWithExpiry is Load that also returns the record's expiry.
func (s *Store) LoadWithExpiry(ctx context.Context, key string) ([]byte, time.Time, error) {
	return s.loadAt(ctx, key, s.now())
}

// LoadWithTTL implements stores.TTLLoader: the SELECT of LoadWithExpiry,
// with the time left from the clock reading the query compared with.
func (s *Store) LoadWithTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	now := s.now()
	data, exp, err := s.loadAt(ctx, key, now)
	if err != nil {
		return nil, 0, err
	}
	return data, exp.Sub(now), nil
}

// loadAt is LoadWithExpiry, live rows being those expiring after now.
func (s *Store) loadAt(ctx context.Context, key string, now time.Time) ([]byte, time.Time, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, time.Time{}, fmt.Errorf("sqlstore: load: %w (%w)", stores.ErrNotFound, err)
	}
	_, data, exp, err := s.loadStored(ctx, key, s.timeArg(now))
	if err != nil && !errors.Is(err, stores.ErrNotFound) {
		err = fmt.Errorf("sqlstore: load %s: %w", stores.Redact(key), err)
	}
	return data, exp, err
}

// loadStored reads the live row under key: session_data as stored (raw)
// and decoded, and expire_date. A row that is missing or does not decode is
// stores.ErrNotFound.
func (s *Store) loadStored(ctx context.Context, key string, now any) (raw, data []byte, exp time.Time, err error) {
	found, e := false, s.timeScanner()
	err = s.query(ctx, nil, opLoad, []any{key, now}, func(r *sql.Rows) error {
		found = true
		return r.Scan(&raw, e)
	})
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	data, ok := fromStored(raw)
	if !found || !ok {
		return nil, nil, time.Time{}, stores.ErrNotFound
	}
	return raw, data, e.t, nil
}

// Create implements stores.Store with one INSERT; a duplicate key (even of
// an expired row not purged yet) is stores.ErrExists.
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("sqlstore: create: %w", err)
	}
	_, err := s.exec(ctx, opCreate, key, s.dataArg(storedForm(data)), s.timeArg(expiry))
	if err != nil && isDuplicate(err) {
		err = stores.ErrExists
	}
	return s.written(ctx, "create", key, err)
}

// written finishes a write of key's row: it wraps err, or else deletes
// Django's cached_db entry of the session (WithDjangoCache).
func (s *Store) written(ctx context.Context, op, key string, err error) error {
	if err != nil {
		return fmt.Errorf("sqlstore: %s %s: %w", op, stores.Redact(key), err)
	}
	return s.dropDjangoCache(ctx, op, key)
}

// Update implements stores.Store with one UPDATE of the live row; a row
// that is gone or expired is stores.ErrNotFound.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	return s.update(ctx, "update", key, opUpdate, s.dataArg(storedForm(data)), s.timeArg(expiry))
}

// Touch implements stores.Toucher with one UPDATE of expire_date alone.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	return s.update(ctx, "touch", key, opTouch, s.timeArg(expiry))
}

// update runs o, an UPDATE of the live row given args followed by key and
// the current time.
func (s *Store) update(ctx context.Context, what, key string, o op, args ...any) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	now := s.timeArg(s.now())
	n, err := s.exec(ctx, o, append(args, key, now)...)
	return s.written(ctx, what, key, s.gone(ctx, n, err, opExists, key, now))
}

// Delete implements stores.Store with one DELETE.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("sqlstore: delete: %w", err)
	}
	_, err := s.exec(ctx, opDelete, key)
	return s.written(ctx, "delete", key, err)
}

// Exists implements stores.Store; an expired row counts as absent, and so
// does an invalid key, without a query.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if !stores.ValidKey(key) {
		return false, nil
	}
	ok, err := s.has(ctx, nil, opExists, key, s.timeArg(s.now()))
	if err != nil {
		return false, fmt.Errorf("sqlstore: exists %s: %w", stores.Redact(key), err)
	}
	return ok, nil
}

// ClearExpired implements stores.Store (Django's clearsessions) with
// DeleteExpired, then purges the index entries of rows that are gone.
func (s *Store) ClearExpired(ctx context.Context) error {
	if _, err := s.DeleteExpired(ctx); err != nil || s.indexTable == "" {
		return err
	}
	_, err := s.purge(ctx, "clear index", opIndexPurge)
	return err
}

// DeleteExpired deletes expired rows, one short statement per purge batch
// (WithPurgeBatch), and returns how many went. It stops early, with the
// count so far, when ctx ends.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	return s.purge(ctx, "delete expired", opPurge)
}

// purge runs o, a batched DELETE given the current time, until a batch
// comes back short: nothing is left (or, on PostgreSQL, the rest is locked
// by a concurrent purge).
func (s *Store) purge(ctx context.Context, what string, o op) (int64, error) {
	var total int64
	now := s.timeArg(s.now())
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		n, err := s.exec(ctx, o, now)
		total += n
		if err != nil {
			return total, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		if n < int64(s.batch) {
			return total, nil
		}
	}
}

// isDuplicate reports a primary-key violation: MySQL error 1062, SQLSTATE
// 23505 (PostgreSQL through lib/pq or pgx), or SQLite's extended codes
// SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067).
func isDuplicate(err error) bool {
	var me *mysql.MySQLError
	var st interface{ SQLState() string }
	// modernc.org/sqlite's *sqlite.Error has Code() with the extended code.
	var lite interface{ Code() int }
	switch {
	case errors.As(err, &me):
		return me.Number == 1062
	case errors.As(err, &st):
		return st.SQLState() == "23505"
	case errors.As(err, &lite):
		return lite.Code() == 1555 || lite.Code() == 2067
	}
	// mattn/go-sqlite3's sqlite3.Error carries its codes in fields, which
	// only an import would reach; its message is SQLite's own.
	return strings.HasPrefix(err.Error(), "UNIQUE constraint failed: ")
}

var (
	_ stores.Toucher   = (*Store)(nil)
	_ stores.Swapper   = (*Store)(nil)
	_ stores.TTLLoader = (*Store)(nil)
)
