package sqlstore

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Dialect is the SQL flavour a Store speaks: placeholders, identifier
// quoting, column types, error codes and the batched purge differ.
type Dialect int

// The supported dialects.
const (
	// DialectUnknown is the zero value: New detects the dialect from
	// the driver name, and fails if it cannot.
	DialectUnknown Dialect = iota
	// MySQL covers MySQL and MariaDB through github.com/go-sql-driver/mysql.
	MySQL
	// Postgres covers PostgreSQL through github.com/lib/pq or pgx's stdlib.
	Postgres
	// SQLite covers SQLite through modernc.org/sqlite (pure Go, driver
	// "sqlite") or github.com/mattn/go-sqlite3 (cgo, driver "sqlite3").
	SQLite
)

// dialectSQL is what differs between the dialects' SQL, in one place.
type dialectSQL struct {
	name  string
	quote string // identifier quote
	bind  int    // sqlx bind type
	// same compares session_data with a parameter byte for byte, whatever
	// the column's collation: MySQL's text collations (Django's default,
	// such as utf8mb4_general_ci) ignore case and trailing spaces.
	same string
	// purge deletes a batch of the rows of table %[1]s matching %[2]s,
	// at most %[3]s of them, selected by their column %[4]s.
	purge string
	// rowid names a row of any table, for purge.
	rowid string
	// upsert is the tail of an INSERT of an index entry that replaces
	// the entry for the same user and key; insertNew (%s: the table and
	// values) adds an entry unless there is one.
	upsert, insertNew string
	// ts is the type of a time column, maxName the longest name Django
	// gives an index.
	ts      string
	maxName int
	schema  string
}

// The upsert of PostgreSQL and SQLite.
const (
	onConflict     = " ON CONFLICT (user_id, session_key) DO "
	upsertExcluded = onConflict + "UPDATE SET created = excluded.created, last_active = excluded.last_active, " +
		"user_agent = excluded.user_agent, ip = excluded.ip, backend = excluded.backend"
	insertOnConflict = "INSERT INTO %s" + onConflict + "NOTHING"
)

var dialects = [...]dialectSQL{
	MySQL: {name: "mysql", quote: "`", bind: sqlx.QUESTION,
		same:  "CAST(session_data AS BINARY) = CAST(? AS BINARY)",
		purge: "DELETE FROM %[1]s WHERE %[2]s LIMIT %[3]s",
		upsert: " ON DUPLICATE KEY UPDATE created = VALUES(created), last_active = VALUES(last_active), " +
			"user_agent = VALUES(user_agent), ip = VALUES(ip), backend = VALUES(backend)",
		insertNew: "INSERT IGNORE INTO %s",
		ts:        "datetime(6)", maxName: 64, schema: MySQLSchema},
	Postgres: {name: "postgres", quote: `"`, bind: sqlx.DOLLAR,
		same: `session_data = ? COLLATE "C"`,
		// SKIP LOCKED lets janitors on several instances purge side by side.
		purge:  "DELETE FROM %[1]s WHERE %[4]s IN (SELECT %[4]s FROM %[1]s WHERE %[2]s LIMIT %[3]s FOR UPDATE SKIP LOCKED)",
		rowid:  "ctid",
		upsert: upsertExcluded, insertNew: insertOnConflict,
		ts: "timestamp with time zone", maxName: 63, schema: PostgresSchema},
	// DELETE ... LIMIT needs a compile-time option most SQLite builds lack.
	SQLite: {name: "sqlite", quote: `"`, bind: sqlx.QUESTION,
		same:   "session_data = ? COLLATE BINARY",
		purge:  "DELETE FROM %[1]s WHERE %[4]s IN (SELECT %[4]s FROM %[1]s WHERE %[2]s LIMIT %[3]s)",
		rowid:  "rowid",
		upsert: upsertExcluded, insertNew: insertOnConflict,
		// Django's limit for generated names, as SQLite sets none.
		ts: "datetime", maxName: 200, schema: SQLiteSchema},
}

func (d Dialect) sql() *dialectSQL { return &dialects[d] }

func (d Dialect) valid() bool { return d >= MySQL && d <= SQLite }

func (d Dialect) quote(name string) string { q := d.sql().quote; return q + name + q }

// String returns the dialect's name.
func (d Dialect) String() string {
	if d.valid() {
		return d.sql().name
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// dialectOf tells db's dialect from its driver's name or else, for a
// *sqlx.DB made with sqlx.NewDb under another name (sql.OpenDB has none),
// from the driver's type. Matching the type's name rather than the type
// keeps the SQLite drivers out of this package's dependencies.
func dialectOf(db *sqlx.DB) Dialect {
	if d := dialectNamed(db.DriverName()); d != DialectUnknown || db.DB == nil {
		return d
	}
	return dialectNamed(fmt.Sprintf("%T", db.Driver()))
}

func dialectNamed(name string) Dialect {
	switch name {
	case "mysql", "nrmysql", "*mysql.MySQLDriver":
		return MySQL
	case "postgres", "pgx", "pgx/v4", "pgx/v5", "cloudsqlpostgres", "nrpostgres", "*pq.Driver", "*stdlib.Driver":
		return Postgres
	case "sqlite", "sqlite3", "*sqlite.Driver", "*sqlite3.SQLiteDriver":
		return SQLite
	}
	return DialectUnknown
}

// buildQueries makes every statement of a store on table (and index, when
// not "") in dialect d.
func buildQueries(d Dialect, table, index string, batch int) [numOps]string {
	t, ix, n, dl := d.quote(table), d.quote(index), strconv.Itoa(batch), d.sql()
	live := " WHERE session_key = ? AND expire_date > ?"
	in := " IN (?" + strings.Repeat(", ?", batchKeys-1) + ")" // batch.go
	q := [numOps]string{
		opLoad:          "SELECT session_data, expire_date FROM " + t + live,
		opCreate:        "INSERT INTO " + t + " (session_key, session_data, expire_date) VALUES (?, ?, ?)",
		opUpdate:        "UPDATE " + t + " SET session_data = ?, expire_date = ?" + live,
		opTouch:         "UPDATE " + t + " SET expire_date = ?" + live,
		opDelete:        "DELETE FROM " + t + " WHERE session_key = ?",
		opDeleteMany:    "DELETE FROM " + t + " WHERE session_key" + in,
		opExists:        "SELECT 1 FROM " + t + live,
		opPurge:         fmt.Sprintf(dl.purge, t, "expire_date <= ?", n, "session_key"),
		opSwap:          "UPDATE " + t + " SET session_data = ?, expire_date = ?" + live + " AND " + dl.same,
		opCompareDelete: "DELETE FROM " + t + live + " AND " + dl.same,
	}
	if index != "" {
		entry := " WHERE user_id = ? AND session_key = ?"
		values := ix + " (user_id, session_key, created, last_active, user_agent, ip, backend) VALUES (?, ?, ?, ?, ?, ?, ?)"
		q[opIndexAdd] = "INSERT INTO " + values + dl.upsert
		q[opIndexAddNew] = fmt.Sprintf(dl.insertNew, values)
		q[opIndexTouch] = "UPDATE " + ix + " SET last_active = ?" + entry
		q[opIndexHas] = "SELECT 1 FROM " + ix + entry
		q[opIndexMove] = "UPDATE " + ix + " SET session_key = ?, last_active = ?" + entry
		q[opIndexRemove] = "DELETE FROM " + ix + " WHERE user_id = ? AND session_key" + in
		q[opIndexList] = "SELECT i.session_key, i.created, i.last_active, i.user_agent, i.ip, i.backend, " +
			"CASE WHEN s.session_key IS NULL THEN 0 ELSE 1 END FROM " + ix + " i LEFT JOIN " + t +
			" s ON s.session_key = i.session_key AND s.expire_date > ? WHERE i.user_id = ?"
		// The entry's table is named in full, not by an alias: MySQL's
		// DELETE ... LIMIT takes none.
		dead := "NOT EXISTS (SELECT 1 FROM " + t + " s WHERE s.session_key = " + ix + ".session_key AND s.expire_date > ?)"
		q[opIndexPurge] = fmt.Sprintf(dl.purge, ix, dead, n, dl.rowid)
		q[opIndexLock] = "SELECT 1 FROM " + ix + " WHERE user_id = ? AND session_key = '' FOR UPDATE"
		q[opRebuildScan] = "SELECT session_key, session_data FROM " + t + " WHERE session_key > ? AND expire_date > ? ORDER BY session_key LIMIT " + n
	}
	for i := range q {
		q[i] = sqlx.Rebind(dl.bind, q[i])
	}
	return q
}

// DefaultTable is the table Django's db engine uses.
const DefaultTable = "django_session"

// tableName is the rule WithTable enforces: a plain SQL identifier, so a
// table name can be spliced into a statement without any way to inject SQL.
var tableName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// MySQLSchema is the DDL CreateTable runs on MySQL and MariaDB for the
// default table: Django's django_session (migration sessions.0001_initial)
// with Django's own index name, in utf8mb4.
const MySQLSchema = "CREATE TABLE IF NOT EXISTS `django_session` (" +
	"`session_key` varchar(40) NOT NULL, " +
	"`session_data` longtext NOT NULL, " +
	"`expire_date` datetime(6) NOT NULL, " +
	"PRIMARY KEY (`session_key`), " +
	"KEY `django_session_expire_date_a5c62663` (`expire_date`)" +
	") DEFAULT CHARSET=utf8mb4"

// PostgresSchema is the DDL CreateTable runs on PostgreSQL for the default
// table, two statements separated by ";\n": Django's django_session with a
// timestamp-with-time-zone expiry and Django's index name. (Django also adds
// a varchar_pattern_ops index for LIKE queries, which no store query needs.)
const PostgresSchema = `CREATE TABLE IF NOT EXISTS "django_session" (` +
	`"session_key" varchar(40) NOT NULL PRIMARY KEY, ` +
	`"session_data" text NOT NULL, ` +
	`"expire_date" timestamp with time zone NOT NULL);
CREATE INDEX IF NOT EXISTS "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`

// SQLiteSchema is the DDL CreateTable runs on SQLite for the default table,
// two statements separated by ";\n": Django's django_session as its
// migration creates it on SQLite (the text in sqlite_master is the same),
// with a datetime column that holds Django's UTC text times.
const SQLiteSchema = `CREATE TABLE IF NOT EXISTS "django_session" (` +
	`"session_key" varchar(40) NOT NULL PRIMARY KEY, ` +
	`"session_data" text NOT NULL, ` +
	`"expire_date" datetime NOT NULL);
CREATE INDEX IF NOT EXISTS "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`

// Schema returns the DDL statements that create table for dialect d,
// idempotently; for DefaultTable they are MySQLSchema, PostgresSchema or
// SQLiteSchema, and for another table the same with its name and the index
// name Django's migration would give it.
func Schema(d Dialect, table string) ([]string, error) {
	if err := errors.Join(checkDialect("Schema", d), checkName("Schema", table)); err != nil {
		return nil, err
	}
	ddl := strings.ReplaceAll(d.sql().schema, "django_session_expire_date_a5c62663", indexName(table, "expire_date", d.sql().maxName))
	return strings.Split(strings.ReplaceAll(ddl, d.quote(DefaultTable), d.quote(table)), ";\n"), nil
}

// IndexSchema returns the DDL statements that create the index table
// table for dialect d, idempotently. User ids and keys compare byte for
// byte, whatever the database's collation: on MySQL and MariaDB the user id
// is varbinary, since even utf8mb4_bin ignores trailing spaces there.
func IndexSchema(d Dialect, table string) ([]string, error) {
	if err := errors.Join(checkDialect("IndexSchema", d), checkName("IndexSchema", table)); err != nil {
		return nil, err
	}
	user, bin, ts := "varchar(255)", "", d.sql().ts
	if d == MySQL {
		user, bin = "varbinary(255)", " COLLATE utf8mb4_bin"
	}
	cols := d.quote(table) + " (`user_id` " + user + " NOT NULL, `session_key` varchar(40)" + bin + " NOT NULL, " +
		"`created` " + ts + " NOT NULL, `last_active` " + ts + " NOT NULL, " +
		"`user_agent` text NOT NULL, `ip` text NOT NULL, `backend` text NOT NULL, PRIMARY KEY (`user_id`, `session_key`)"
	idx := d.quote(indexName(table, "session_key", d.sql().maxName))
	if d == MySQL {
		return []string{"CREATE TABLE IF NOT EXISTS " + cols + ", KEY " + idx + " (`session_key`)) DEFAULT CHARSET=utf8mb4"}, nil
	}
	return []string{
		"CREATE TABLE IF NOT EXISTS " + strings.ReplaceAll(cols, "`", `"`) + ")",
		"CREATE INDEX IF NOT EXISTS " + idx + " ON " + d.quote(table) + ` ("session_key")`,
	}, nil
}

// checkName enforces tableName on the name given to fn.
func checkName(fn, name string) error {
	if !tableName.MatchString(name) {
		return fmt.Errorf("sqlstore: %s(%q): the name must match %s", fn, name, tableName)
	}
	return nil
}

// checkDialect refuses a dialect given to fn that is not one of the three.
func checkDialect(fn string, d Dialect) error {
	if !d.valid() {
		return fmt.Errorf("sqlstore: %s(%v): use sqlstore.MySQL, sqlstore.Postgres or sqlstore.SQLite", fn, d)
	}
	return nil
}

// indexName is Django's BaseDatabaseSchemaEditor._create_index_name, so a
// table created here has the index name Django's migration would give it.
func indexName(table, column string, maxLen int) string {
	sum := md5.Sum([]byte(table + column))
	hash := hex.EncodeToString(sum[:])[:8]
	name := table + "_" + column + "_" + hash
	if len(name) <= maxLen {
		return name
	}
	other := (maxLen-len(hash))/2 - 1
	name = table[:min(len(table), other)] + "_" + column[:min(len(column), other)] + "_" + hash
	if name[0] == '_' || (name[0] >= '0' && name[0] <= '9') {
		name = "D" + name[:len(name)-1]
	}
	return name
}

// CreateTable creates the store's table and its expiry index if they do not
// exist yet; it is safe to call at every start-up. Use it, or the DDL of
// Schema, or Django's own migration: all three make the same table. On
// SQLite it also switches the database file to WAL (see SQLiteDSN).
func (s *Store) CreateTable(ctx context.Context) error {
	ddl, err := Schema(s.dialect, s.table)
	if err != nil {
		return err
	}
	if s.dialect == SQLite {
		if err := s.enableWAL(ctx); err != nil {
			return err
		}
	}
	if s.indexTable != "" {
		more, err := IndexSchema(s.dialect, s.indexTable)
		if err != nil {
			return err
		}
		ddl = append(ddl, more...)
	}
	for _, q := range ddl {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("sqlstore: create table %s: %s: %w", s.table, strings.SplitN(q, "(", 2)[0], err)
		}
	}
	return nil
}
