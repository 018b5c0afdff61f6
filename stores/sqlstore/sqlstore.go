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
// Django's migration.
//
// # Per-user index
//
// [WithIndexTable] keeps a per-user index of logged-in sessions
// (stores.Indexer, for ginsession.WithUserIndex and auth.Sessions) in a
// table of its own, so django_session stays exactly Django's. A listing
// joins the two tables, so it shows only live sessions; [RebuildIndex]
// adds the sessions a Django site sharing the table created.
//
// # SQLite
//
// Open the file with [SQLiteDSN]'s DSN (busy timeout and WAL), and the store
// is safe for many goroutines and many processes on one file, Django's
// db.sqlite3 included: every operation is one autocommit statement, SQLite
// runs one writer at a time, and a writer that finds the lock taken waits
// up to the busy timeout instead of failing. The writes of one Store go to
// SQLite one at a time, in the order they came, so its goroutines queue
// rather than poll for the lock, and none starves behind the others; the
// busy timeout is then the wait for other processes and other Stores.
// Create is insert-only and Update update-only as on the other databases. ":memory:" gives every
// pooled connection a database of its own: use a file.
//
// # Round trips
//
// Every operation is one statement and, in steady state, one round trip to
// the server. By default the store prepares each statement once (per pooled
// connection, which database/sql does for it) and executes the prepared
// statement thereafter; without that, go-sql-driver/mysql would prepare,
// execute and close every parameterised query, two round trips each. Behind a
// proxy that cannot hold prepared statements (ProxySQL, pgbouncer in
// transaction mode) use [WithoutPreparedStatements] together with
// interpolateParams=true in the MySQL DSN, which keeps one round trip.
//
// A statement is prepared by the first call that needs it, under a context
// of its own (the caller's values, a 30-second timeout, no cancellation):
// calls arriving meanwhile wait for that one prepare, each only as long as
// its own context allows, calls of other statements do not wait at all, and
// a failed prepare is tried again by the next call.
//
// # Contexts
//
// database/sql watches a call's context, and go-sql-driver/mysql aborts a
// statement when the context ends: at the store timeout
// (ginsession.WithStoreTimeout) or when the request's client goes away,
// whichever is first. A statement waiting on a row or table lock ends then
// too. The watch is a hand-off to a goroutine per connection, about 15 µs
// a query on a loopback MySQL (a third of a primary-key SELECT there); it
// is kept because the driver does not bound a statement by the context's
// deadline (only by the DSN's readTimeout and writeTimeout, per socket
// read and write), so without it a lock wait would outlive the store
// timeout.
//
// # Conditional writes
//
// The store is a [stores.Swapper]: CompareAndSwap is one UPDATE whose WHERE
// also requires session_data to hold, byte for byte, what the caller
// loaded (CompareAndDelete one such DELETE), so the database's row lock
// makes the compare and the write one step for every client of the table,
// Django and other processes included, with no change to Django's schema.
// The compare is of bytes whatever the column's collation: on MySQL and
// MariaDB, whose default collations take 'X' for 'x' and ignore trailing
// spaces, it compares CAST(... AS BINARY); on PostgreSQL it uses COLLATE
// "C", on SQLite COLLATE BINARY. An uncontended swap is one round trip;
// only when the statement changes no row does a SELECT follow, to return
// the current data of a changed record (stores.ErrConflict) or report a
// vanished one (stores.ErrNotFound).
//
// # Times
//
// expire_date is UTC, as Django writes it with USE_TZ=True. The store
// passes the current time from Go into every query, so the database
// server's time zone and clock do not matter, and it reads MySQL's zoneless
// datetime as UTC whatever the DSN's parseTime and loc say. On SQLite the
// column holds text, written exactly as Django writes it
// ("2006-01-02 15:04:05.000000", the fraction left out when it is zero),
// and compared as text, as Django's queries compare it.
//
// # Data
//
// session_data is a text column, as Django has it, so that Django and Go can
// share the table. A text column cannot hold every byte string: PostgreSQL
// rejects NUL and invalid UTF-8, MySQL rejects invalid UTF-8 in strict mode
// and silently truncates it otherwise, and a utf8mb3 table (what older
// Django setups created) cannot hold characters beyond the BMP. So the store
// writes data verbatim only when it is ASCII without NUL, which every
// charset keeps faithfully, and otherwise writes "!base64:" followed by the
// standard padded base64 of the data.
//
// Both codecs ginsession ships produce ASCII (Django's signed format is
// base64url with ':' and '.'; JSONCodec escapes non-ASCII as \uXXXX), so their
// records are always stored verbatim: Django reads Go's rows and Go reads
// Django's. No Django record can start with '!', so none is mistaken for an
// escaped value, and data that itself starts with "!base64:" is escaped, so
// reading back is never ambiguous. A binary column (longblob, bytea) would
// have taken any bytes, but Django could no longer read the shared table.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
	db       *sqlx.DB
	dialect  Dialect
	table    string
	prepared bool
	batch    int64
	// indexTable holds the per-user index, "" when it is off (index.go).
	indexTable string
	queries    [numOps]string
	now        func() time.Time
	// writes lets one write at a time at an SQLite database, nil on the
	// other dialects (sqlite.go).
	writes writeGate
	// djangoCache is nil unless WithDjangoCache (djangocache.go).
	djangoCache *djangoCache

	// prepare is db.PrepareContext; tests wrap it to hold or fail a prepare.
	prepare func(ctx context.Context, query string) (*sql.Stmt, error)

	mu       sync.Mutex // guards closed and inflight; never held across I/O
	closed   bool
	inflight [numOps]*preparing
	stmts    [numOps]atomic.Pointer[sql.Stmt]
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
	opRebuildScan
	numOps
)

// Option configures a Store.
type Option func(*config) error

type config struct {
	dialect    Dialect
	table      string
	batch      int
	prepared   bool
	indexTable string
	now        func() time.Time
	// djangoCache is WithDjangoCache's (djangocache.go).
	djangoCache *djangoCache
}

// WithTable sets the table name, DefaultTable ("django_session") by default.
// The name must be a plain identifier (letters, digits, underscore; at most
// 64 characters; not starting with a digit) because it is spliced into SQL.
func WithTable(name string) Option {
	return func(c *config) error {
		if !tableName.MatchString(name) {
			return fmt.Errorf("sqlstore: WithTable(%q): the name must match %s", name, tableName)
		}
		c.table = name
		return nil
	}
}

// WithDialect sets the SQL dialect; by default it is detected from the
// driver name ("mysql"; "postgres", "pgx"; "sqlite", "sqlite3") or else the
// driver's type, and New fails for other drivers unless this option names
// the dialect.
func WithDialect(d Dialect) Option {
	return func(c *config) error {
		if d != MySQL && d != Postgres && d != SQLite {
			return fmt.Errorf("sqlstore: WithDialect(%v): use sqlstore.MySQL, sqlstore.Postgres or sqlstore.SQLite", d)
		}
		c.dialect = d
		return nil
	}
}

// WithPurgeBatch sets how many expired rows one DELETE of DeleteExpired
// removes at most (DefaultPurgeBatch by default). Small batches keep each
// statement's locks brief while millions of rows are purged.
func WithPurgeBatch(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 1_000_000 {
			return fmt.Errorf("sqlstore: WithPurgeBatch(%d): want 1 to 1000000", n)
		}
		c.batch = n
		return nil
	}
}

// WithoutPreparedStatements makes the store send plain parameterised queries
// instead of prepared statements, for proxies that cannot keep prepared
// statements. With go-sql-driver/mysql, add interpolateParams=true to the
// DSN as well, or every query costs two round trips.
func WithoutPreparedStatements() Option {
	return func(c *config) error {
		c.prepared = false
		return nil
	}
}

// New returns a store on db. It does not touch the database: statements are
// prepared on first use, and the table is made by CreateTable (or Django).
func New(db *sqlx.DB, opts ...Option) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: New: db is nil")
	}
	c := config{table: DefaultTable, batch: DefaultPurgeBatch, prepared: true, now: time.Now}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	if c.dialect == DialectUnknown {
		c.dialect = dialectOf(db.DriverName())
		if c.dialect == DialectUnknown && db.DB != nil {
			c.dialect = dialectOfDriver(db.Driver())
		}
		if c.dialect == DialectUnknown {
			return nil, fmt.Errorf("sqlstore: New: unknown driver %q; pass sqlstore.WithDialect(sqlstore.MySQL), (sqlstore.Postgres) or (sqlstore.SQLite)", db.DriverName())
		}
	}
	s := &Store{db: db, dialect: c.dialect, table: c.table, prepared: c.prepared, batch: int64(c.batch), now: c.now}
	s.prepare = db.PrepareContext
	if c.dialect == SQLite {
		s.writes = make(writeGate, 1)
	}
	s.queries = buildQueries(c.dialect, c.table, c.batch)
	s.indexTable = c.indexTable
	s.djangoCache = c.djangoCache
	buildIndexQueries(&s.queries, c.dialect, c.table, c.indexTable, c.batch)
	buildBatchQueries(&s.queries, c.dialect, c.table, c.indexTable)
	return s, nil
}

func buildQueries(d Dialect, table string, batch int) [numOps]string {
	var q [numOps]string
	n := strconv.Itoa(batch)
	switch d {
	case MySQL, SQLite:
		t := "`" + table + "`"
		if d == SQLite {
			t = `"` + table + `"`
		}
		q[opLoad] = "SELECT session_data, expire_date FROM " + t + " WHERE session_key = ? AND expire_date > ?"
		q[opCreate] = "INSERT INTO " + t + " (session_key, session_data, expire_date) VALUES (?, ?, ?)"
		q[opUpdate] = "UPDATE " + t + " SET session_data = ?, expire_date = ? WHERE session_key = ? AND expire_date > ?"
		q[opTouch] = "UPDATE " + t + " SET expire_date = ? WHERE session_key = ? AND expire_date > ?"
		q[opDelete] = "DELETE FROM " + t + " WHERE session_key = ?"
		q[opExists] = "SELECT 1 FROM " + t + " WHERE session_key = ? AND expire_date > ?"
		q[opPurge] = "DELETE FROM " + t + " WHERE expire_date <= ? LIMIT " + n
		// The compare is of bytes: MySQL's text collations (Django's
		// session_data is longtext in the table's default, such as
		// utf8mb4_general_ci) ignore case and trailing spaces. SQLite's
		// default BINARY collation is made explicit against a column
		// declared otherwise.
		same := "CAST(session_data AS BINARY) = CAST(? AS BINARY)"
		if d == SQLite {
			same = "session_data = ? COLLATE BINARY"
		}
		q[opSwap] = "UPDATE " + t + " SET session_data = ?, expire_date = ? WHERE session_key = ? AND expire_date > ? AND " + same
		q[opCompareDelete] = "DELETE FROM " + t + " WHERE session_key = ? AND expire_date > ? AND " + same
		if d == SQLite {
			// DELETE ... LIMIT needs a compile-time option most builds lack.
			q[opPurge] = "DELETE FROM " + t + " WHERE session_key IN (SELECT session_key FROM " + t +
				" WHERE expire_date <= ? LIMIT " + n + ")"
		}
	case Postgres:
		t := `"` + table + `"`
		q[opLoad] = "SELECT session_data, expire_date FROM " + t + " WHERE session_key = $1 AND expire_date > $2"
		q[opCreate] = "INSERT INTO " + t + " (session_key, session_data, expire_date) VALUES ($1, $2, $3)"
		q[opUpdate] = "UPDATE " + t + " SET session_data = $1, expire_date = $2 WHERE session_key = $3 AND expire_date > $4"
		q[opTouch] = "UPDATE " + t + " SET expire_date = $1 WHERE session_key = $2 AND expire_date > $3"
		q[opDelete] = "DELETE FROM " + t + " WHERE session_key = $1"
		q[opExists] = "SELECT 1 FROM " + t + " WHERE session_key = $1 AND expire_date > $2"
		// SKIP LOCKED lets janitors on several instances purge side by side.
		q[opPurge] = "DELETE FROM " + t + " WHERE session_key IN (SELECT session_key FROM " + t +
			" WHERE expire_date <= $1 LIMIT " + n + " FOR UPDATE SKIP LOCKED)"
		// "C" compares bytes, whatever collation the column was given.
		q[opSwap] = "UPDATE " + t + ` SET session_data = $1, expire_date = $2 WHERE session_key = $3 AND expire_date > $4 AND session_data = $5 COLLATE "C"`
		q[opCompareDelete] = "DELETE FROM " + t + ` WHERE session_key = $1 AND expire_date > $2 AND session_data = $3 COLLATE "C"`
	}
	return q
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
	for i := range s.stmts {
		if st := s.stmts[i].Swap(nil); st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

var errClosed = errors.New("sqlstore: store is closed")

func (s *Store) queryRow(ctx context.Context, o op, args ...any) (*sql.Row, error) {
	if !s.prepared {
		return s.db.QueryRowContext(ctx, s.queries[o], args...), nil
	}
	st, err := s.stmt(ctx, o)
	if err != nil {
		return nil, err
	}
	return st.QueryRowContext(ctx, args...), nil
}

func (s *Store) exec(ctx context.Context, o op, args ...any) (int64, error) {
	var st *sql.Stmt
	if s.prepared {
		// Prepared before the write gate: a prepare takes no write lock,
		// and the writes queued behind this one need not wait for it.
		var err error
		if st, err = s.stmt(ctx, o); err != nil {
			return 0, err
		}
	}
	if s.writes != nil {
		if err := s.writes.enter(ctx); err != nil {
			return 0, err
		}
		defer s.writes.leave()
	}
	var res sql.Result
	var err error
	if st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = s.db.ExecContext(ctx, s.queries[o], args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// timeArg converts an instant to the query argument for expire_date.
//
// t is clamped to stores.MaxExpiry/MinExpiry: an expiry centuries ahead
// would be refused by MySQL's DATETIME (years 1000 to 9999) and fail the
// request, and one before 1000 is just as past as 1970.
func (s *Store) timeArg(t time.Time) any {
	t = stores.ClampExpiry(t)
	switch s.dialect {
	case MySQL:
		var buf [len(mysqlTimeLayout)]byte
		return string(t.UTC().AppendFormat(buf[:0], mysqlTimeLayout))
	case SQLite:
		return sqliteTime(t)
	}
	return t.UTC()
}

// dataArg converts stored bytes to the query argument for session_data. On
// PostgreSQL a []byte argument would be sent as bytea, and on SQLite stored
// as a BLOB that Django would read as bytes, so there it goes as text.
func (s *Store) dataArg(stored []byte) any {
	if s.dialect == Postgres || s.dialect == SQLite {
		return string(stored)
	}
	return stored
}

// Load implements stores.Store with one SELECT of the live row.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	data, _, err := s.LoadWithExpiry(ctx, key)
	return data, err
}

// LoadWithExpiry is Load that also returns the record's expiry. The
// cached_db store (stores/cachedstore) uses it to give a cache refill the
// record's own lifetime.
func (s *Store) LoadWithExpiry(ctx context.Context, key string) ([]byte, time.Time, error) {
	return s.loadAt(ctx, key, s.now())
}

// loadAt is LoadWithExpiry, live rows being those expiring after now.
func (s *Store) loadAt(ctx context.Context, key string, now time.Time) ([]byte, time.Time, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, time.Time{}, fmt.Errorf("sqlstore: load: %w (%w)", stores.ErrNotFound, err)
	}
	row, err := s.queryRow(ctx, opLoad, key, s.timeArg(now))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("sqlstore: load %s: %w", stores.Redact(key), err)
	}
	var stored []byte
	exp := expiryScanner{wallClock: s.dialect != Postgres}
	if err := row.Scan(&stored, &exp); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, time.Time{}, stores.ErrNotFound
		}
		return nil, time.Time{}, fmt.Errorf("sqlstore: load %s: %w", stores.Redact(key), err)
	}
	data, ok := fromStored(stored)
	if !ok {
		return nil, time.Time{}, stores.ErrNotFound
	}
	if data == nil {
		data = []byte{}
	}
	return data, exp.t, nil
}

// Create implements stores.Store with one INSERT; a duplicate key (even of
// an expired row not purged yet) is stores.ErrExists.
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("sqlstore: create: %w", err)
	}
	_, err := s.exec(ctx, opCreate, key, s.dataArg(storedForm(data)), s.timeArg(expiry))
	if err != nil {
		if isDuplicate(err) {
			return fmt.Errorf("sqlstore: create %s: %w", stores.Redact(key), stores.ErrExists)
		}
		return fmt.Errorf("sqlstore: create %s: %w", stores.Redact(key), err)
	}
	return s.dropDjangoCache(ctx, "create", key)
}

// Update implements stores.Store with one UPDATE of the live row. MySQL
// counts only rows it changed, so when an UPDATE reports none (the data and
// expiry were already the same, or the row is gone) one more query tells
// the two apart; PostgreSQL and SQLite count the rows matched.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("sqlstore: update: %w", err)
	}
	now := s.timeArg(s.now())
	n, err := s.exec(ctx, opUpdate, s.dataArg(storedForm(data)), s.timeArg(expiry), key, now)
	if err != nil {
		return fmt.Errorf("sqlstore: update %s: %w", stores.Redact(key), err)
	}
	if err := s.checkUpdated(ctx, "update", key, n, now); err != nil {
		return err
	}
	return s.dropDjangoCache(ctx, "update", key)
}

// Touch implements stores.Toucher with one UPDATE of expire_date alone.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("sqlstore: touch: %w", err)
	}
	now := s.timeArg(s.now())
	n, err := s.exec(ctx, opTouch, s.timeArg(expiry), key, now)
	if err != nil {
		return fmt.Errorf("sqlstore: touch %s: %w", stores.Redact(key), err)
	}
	if err := s.checkUpdated(ctx, "touch", key, n, now); err != nil {
		return err
	}
	return s.dropDjangoCache(ctx, "touch", key)
}

func (s *Store) checkUpdated(ctx context.Context, what, key string, n int64, now any) error {
	if n > 0 {
		return nil
	}
	if s.dialect == MySQL {
		// Zero changed rows may mean "matched but identical".
		ok, err := s.exists(ctx, key, now)
		if err != nil {
			return fmt.Errorf("sqlstore: %s %s: %w", what, stores.Redact(key), err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("sqlstore: %s %s: %w", what, stores.Redact(key), stores.ErrNotFound)
}

// Delete implements stores.Store with one DELETE.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("sqlstore: delete: %w", err)
	}
	if _, err := s.exec(ctx, opDelete, key); err != nil {
		return fmt.Errorf("sqlstore: delete %s: %w", stores.Redact(key), err)
	}
	return s.dropDjangoCache(ctx, "delete", key)
}

// Exists implements stores.Store; an expired row counts as absent, and so
// does an invalid key, without a query.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if !stores.ValidKey(key) {
		return false, nil
	}
	ok, err := s.exists(ctx, key, s.timeArg(s.now()))
	if err != nil {
		return false, fmt.Errorf("sqlstore: exists %s: %w", stores.Redact(key), err)
	}
	return ok, nil
}

func (s *Store) exists(ctx context.Context, key string, now any) (bool, error) {
	row, err := s.queryRow(ctx, opExists, key, now)
	if err != nil {
		return false, err
	}
	var one int
	if err := row.Scan(&one); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// ClearExpired implements stores.Store (Django's clearsessions) with
// DeleteExpired.
func (s *Store) ClearExpired(ctx context.Context) error {
	if _, err := s.DeleteExpired(ctx); err != nil {
		return err
	}
	_, err := s.clearIndex(ctx, s.timeArg(s.now()))
	return err
}

// DeleteExpired deletes expired rows in batches of at most the purge batch
// size (WithPurgeBatch), one short statement each, until a batch comes back
// short, and returns how many went. It stops early, with the count so far, when ctx
// ends.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	var total int64
	now := s.timeArg(s.now())
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("sqlstore: delete expired: %w", err)
		}
		n, err := s.exec(ctx, opPurge, now)
		total += n
		if err != nil {
			return total, fmt.Errorf("sqlstore: delete expired: %w", err)
		}
		if n < s.batch {
			// A short batch means nothing expired is left (or, on
			// PostgreSQL, the rest is locked by a concurrent purge).
			return total, nil
		}
	}
}

// isDuplicate reports a primary-key violation: MySQL error 1062, SQLSTATE
// 23505 (PostgreSQL through lib/pq or pgx), or SQLite's extended codes
// SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067).
func isDuplicate(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	var st interface{ SQLState() string }
	if errors.As(err, &st) {
		return st.SQLState() == "23505"
	}
	// modernc.org/sqlite's *sqlite.Error has Code() with the extended code.
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		c := lite.Code()
		return c == 1555 || c == 2067
	}
	// mattn/go-sqlite3's sqlite3.Error carries its codes in fields, which
	// only an import would reach; its message is SQLite's own.
	return strings.HasPrefix(err.Error(), "UNIQUE constraint failed: ")
}

var (
	_ stores.Store     = (*Store)(nil)
	_ stores.Toucher   = (*Store)(nil)
	_ stores.Swapper   = (*Store)(nil)
	_ stores.TTLLoader = (*Store)(nil)
)
