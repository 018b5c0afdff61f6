package sqlstore

import (
	"context"
	"crypto/md5"
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
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

// String returns the dialect's name.
func (d Dialect) String() string {
	switch d {
	case MySQL:
		return "mysql"
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// dialectOf maps a database/sql driver name to its dialect.
func dialectOf(driverName string) Dialect {
	switch driverName {
	case "mysql", "nrmysql":
		return MySQL
	case "postgres", "pgx", "pgx/v4", "pgx/v5", "cloudsqlpostgres", "nrpostgres":
		return Postgres
	case "sqlite", "sqlite3":
		return SQLite
	}
	return DialectUnknown
}

// dialectOfDriver maps the type of a database/sql driver to its dialect,
// for a *sqlx.DB made with sqlx.NewDb under a name dialectOf does not know
// (sql.OpenDB has no name at all). Matching the type's name rather than the
// type keeps the SQLite drivers out of this package's dependencies.
func dialectOfDriver(d driver.Driver) Dialect {
	switch fmt.Sprintf("%T", d) {
	case "*sqlite.Driver", "*sqlite3.SQLiteDriver":
		return SQLite
	case "*mysql.MySQLDriver":
		return MySQL
	case "*pq.Driver", "*stdlib.Driver":
		return Postgres
	}
	return DialectUnknown
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

// sqliteMaxName is Django's limit on generated names for SQLite, which sets
// no limit of its own (BaseDatabaseSchemaEditor falls back to 200).
const sqliteMaxName = 200

// Schema returns the DDL statements that create table for dialect d,
// idempotently; for DefaultTable they are MySQLSchema, PostgresSchema or
// SQLiteSchema.
func Schema(d Dialect, table string) ([]string, error) {
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("sqlstore: table name %q is not a plain identifier (%s)", table, tableName)
	}
	switch d {
	case MySQL:
		idx := indexName(table, "expire_date", 64)
		return []string{"CREATE TABLE IF NOT EXISTS `" + table + "` (" +
			"`session_key` varchar(40) NOT NULL, " +
			"`session_data` longtext NOT NULL, " +
			"`expire_date` datetime(6) NOT NULL, " +
			"PRIMARY KEY (`session_key`), " +
			"KEY `" + idx + "` (`expire_date`)" +
			") DEFAULT CHARSET=utf8mb4"}, nil
	case Postgres:
		idx := indexName(table, "expire_date", 63)
		return []string{
			`CREATE TABLE IF NOT EXISTS "` + table + `" (` +
				`"session_key" varchar(40) NOT NULL PRIMARY KEY, ` +
				`"session_data" text NOT NULL, ` +
				`"expire_date" timestamp with time zone NOT NULL)`,
			`CREATE INDEX IF NOT EXISTS "` + idx + `" ON "` + table + `" ("expire_date")`,
		}, nil
	case SQLite:
		idx := indexName(table, "expire_date", sqliteMaxName)
		return []string{
			`CREATE TABLE IF NOT EXISTS "` + table + `" (` +
				`"session_key" varchar(40) NOT NULL PRIMARY KEY, ` +
				`"session_data" text NOT NULL, ` +
				`"expire_date" datetime NOT NULL)`,
			`CREATE INDEX IF NOT EXISTS "` + idx + `" ON "` + table + `" ("expire_date")`,
		}, nil
	}
	return nil, fmt.Errorf("sqlstore: unsupported dialect %v", d)
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
	name = truncate(table, other) + "_" + truncate(column, other) + "_" + hash
	if name[0] == '_' || (name[0] >= '0' && name[0] <= '9') {
		name = "D" + name[:len(name)-1]
	}
	return name
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
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
