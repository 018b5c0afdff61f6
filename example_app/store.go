package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-redis/redis/v8"
	_ "github.com/go-sql-driver/mysql" // the "mysql" database/sql driver
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the "postgres" database/sql driver
	redis9 "github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redis9store"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// connectTimeout bounds the start-up check that a database answers.
const connectTimeout = 5 * time.Second

// closers are what an open store needs closed at exit, in order.
type closers []func() error

func (cs closers) close() error {
	var errs []error
	for _, c := range cs {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}

// openStore opens the store cfg.Store names, checking that its server
// answers, and returns what must be closed at exit.
func openStore(cfg config) (stores.Store, closers, error) {
	switch cfg.Store {
	case "memory":
		s, err := memstore.New()
		return s, nil, err
	case "file":
		return openFileStore(cfg)
	case "cookie":
		s, err := cookiestore.New()
		return s, nil, err
	case "mysql":
		return openMySQL(cfg)
	case "sqlite":
		return openSQLiteStore(cfg)
	case "postgres":
		return openPostgres(cfg)
	case "redis":
		return openRedis(cfg, cmp.Or(cfg.redisPrefix, redis9store.DefaultPrefix))
	case "redis-v8":
		return openRedisV8(cfg)
	case "cached":
		return openCached(cfg)
	}
	return nil, nil, fmt.Errorf("unknown store %q: use one of %v", cfg.Store, storeNames)
}

// openMySQL connects to cfg.MySQLDSN and creates Django's django_session
// table if it is missing.
func openMySQL(cfg config) (*sqlstore.Store, closers, error) {
	db, err := openMySQLDB(cfg)
	if err != nil {
		return nil, nil, err
	}
	return openSQLStore(db, "mysql")
}

func openMySQLDB(cfg config) (*sqlx.DB, error) {
	return openServerDB("mysql", cfg.MySQLDSN, "-mysql-dsn", "MySQL")
}

// openServerDB opens a pool on the database server dsn names and checks
// that it answers; flag and product make the error say what to fix.
func openServerDB(driver, dsn, flag, product string) (*sqlx.DB, error) {
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", driver, flag, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%s: cannot reach the server of %s (is %s running, and does the database exist?): %w", driver, flag, product, err)
	}
	return db, nil
}

// openPostgres connects to cfg.PostgresDSN and creates Django's
// django_session table if it is missing.
func openPostgres(cfg config) (*sqlstore.Store, closers, error) {
	db, err := openPostgresDB(cfg)
	if err != nil {
		return nil, nil, err
	}
	return openSQLStore(db, "postgres")
}

func openPostgresDB(cfg config) (*sqlx.DB, error) {
	return openServerDB("postgres", cfg.PostgresDSN, "-postgres-dsn", "PostgreSQL")
}

// openSQLiteStore keeps sessions in Django's django_session table of the
// app's SQLite file, cfg.DataDir/db.sqlite3.
func openSQLiteStore(cfg config) (*sqlstore.Store, closers, error) {
	db, err := openSQLiteDB(cfg)
	if err != nil {
		return nil, nil, err
	}
	return openSQLStore(db, "sqlite")
}

// sqliteFile is the app's embedded database in the data directory, named
// as Django names its default one.
const sqliteFile = "db.sqlite3"

// openSQLiteDB opens (creating it if need be) cfg.DataDir/db.sqlite3 with
// the busy timeout and WAL that many requests, and several processes, need.
func openSQLiteDB(cfg config) (*sqlx.DB, error) {
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return nil, err
	}
	path := filepath.Join(cfg.DataDir, sqliteFile)
	db, err := sqlx.Open("sqlite", sqlstore.SQLiteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// openSQLStore puts a sqlstore on db's django_session, creating the table
// if it is missing; the store owns db from here on.
func openSQLStore(db *sqlx.DB, what string) (*sqlstore.Store, closers, error) {
	// The per-user index (the Devices page) in a table of its own beside
	// django_session, which stays Django's.
	st, err := sqlstore.New(db, sqlstore.WithIndexTable(sqlstore.DefaultIndexTable))
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	cs := closers{st.Close, db.Close}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := st.CreateTable(ctx); err != nil {
		cs.close()
		return nil, nil, fmt.Errorf("%s: create the django_session table: %w", what, err)
	}
	return st, cs, nil
}

// openUsers opens Django's auth_user in the database cfg.Users names.
func openUsers(cfg config) (*userDB, closers, error) {
	var db *sqlx.DB
	var dialect sqlstore.Dialect
	var err error
	switch cfg.Users {
	case "sqlite", "":
		db, err = openSQLiteDB(cfg)
		dialect = sqlstore.SQLite
	case "mysql":
		db, err = openMySQLDB(cfg)
		dialect = sqlstore.MySQL
	case "postgres":
		db, err = openPostgresDB(cfg)
		dialect = sqlstore.Postgres
	default:
		return nil, nil, fmt.Errorf("-users %q: use sqlite, mysql or postgres", cfg.Users)
	}
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	users, err := newUserDB(ctx, db, dialect, cfg.hashIterations)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return users, closers{db.Close}, nil
}

// openRedis connects to cfg.RedisAddr (one address for a standalone Redis,
// several, comma-separated, for a Cluster) with go-redis v9 and keeps
// sessions under prefix.
func openRedis(cfg config, prefix string) (*redis9store.Store, closers, error) {
	client := redis9.NewUniversalClient(&redis9.UniversalOptions{
		Addrs: strings.Split(cfg.RedisAddr, ","),
		// So that -store-timeout bounds Redis calls; redis9store requires it.
		ContextTimeoutEnabled: true,
	})
	if err := pingRedis(cfg, func(ctx context.Context) error { return client.Ping(ctx).Err() }, client.Close); err != nil {
		return nil, nil, err
	}
	st, err := redis9store.New(client, redis9store.WithPrefix(prefix))
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return st, closers{client.Close}, nil
}

// openRedisV8 is openRedis on go-redis v8 (stores/redisstore), for
// -store redis-v8. The records are the same, so a deployment can switch.
func openRedisV8(cfg config) (*redisstore.Store, closers, error) {
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: strings.Split(cfg.RedisAddr, ",")})
	if err := pingRedis(cfg, func(ctx context.Context) error { return client.Ping(ctx).Err() }, client.Close); err != nil {
		return nil, nil, err
	}
	st, err := redisstore.New(client, redisstore.WithPrefix(cmp.Or(cfg.redisPrefix, redisstore.DefaultPrefix)))
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return st, closers{client.Close}, nil
}

// pingRedis checks that Redis answers, closing the client when it does not.
func pingRedis(cfg config, ping func(context.Context) error, close func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := ping(ctx); err != nil {
		close()
		return fmt.Errorf("redis: cannot reach -redis-addr %s (is Redis running?): %w", cfg.RedisAddr, err)
	}
	return nil
}

// openCached puts Redis in front of MySQL, Django's cached_db: the table
// holds the truth, Redis serves the reads, and a Redis outage only slows
// the site down.
func openCached(cfg config) (stores.Store, closers, error) {
	db, dbClosers, err := openMySQL(cfg)
	if err != nil {
		return nil, nil, err
	}
	cache, cacheClosers, err := openRedis(cfg, redis9store.DefaultPrefix+"cached:")
	if err != nil {
		dbClosers.close()
		return nil, nil, err
	}
	cs := append(cacheClosers, dbClosers...)
	st, err := cachedstore.New(cache, db, cachedstore.WithLogger(cfg.Log))
	if err != nil {
		cs.close()
		return nil, nil, err
	}
	return st, cs, nil
}

// openFileStore keeps one file per session in cfg.DataDir, Django's file
// engine.
func openFileStore(cfg config) (stores.Store, closers, error) {
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return nil, nil, err
	}
	st, err := filestore.New(cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	return st, nil, nil
}

// ensureDataDir creates the data directory with mode 0700 and refuses one
// that others may write.
func ensureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("data directory %s: make it private (chmod 0700): %w", dir, err)
		}
	}
	return nil
}
