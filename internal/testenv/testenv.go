// Package testenv connects tests to the real servers they run against
// (MariaDB/MySQL, PostgreSQL, Redis) and decides what happens when one is
// missing: outside CI the test is skipped with a message saying how to point
// it at a server; with CI=true a missing server fails the test, so CI can
// never pass by skipping.
//
// Addresses come from the environment:
//
//	GINSESSION_MYSQL_DSN     default root@tcp(127.0.0.1:3306)/test
//	GINSESSION_POSTGRES_DSN  default postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//	GINSESSION_REDIS_ADDR    default 127.0.0.1:6379
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/go-redis/redis/v8"
	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Defaults used when the environment names no server.
const (
	DefaultMySQLDSN    = "root@tcp(127.0.0.1:3306)/test"
	DefaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	DefaultRedisAddr   = "127.0.0.1:6379"
)

// pingTimeout bounds how long a test waits to learn that a server is absent.
const pingTimeout = 3 * time.Second

// InCI reports whether the tests run under CI (CI=true), where a missing
// server is a failure rather than a skip.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable skips the test, or fails it under CI, because a server it needs
// did not answer.
func Unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is not available (CI=true, so this is a failure; .ci/setup.d/10-servers.sh starts it): %v", what, err)
	}
	t.Skipf("%s is not available, skipping (start it or set the variable named in internal/testenv): %v", what, err)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// MySQLDSN returns the DSN the tests use for MySQL/MariaDB.
func MySQLDSN() string { return env("GINSESSION_MYSQL_DSN", DefaultMySQLDSN) }

// PostgresDSN returns the DSN the tests use for PostgreSQL.
func PostgresDSN() string { return env("GINSESSION_POSTGRES_DSN", DefaultPostgresDSN) }

// RedisAddr returns the address of the standalone Redis the tests use.
func RedisAddr() string { return env("GINSESSION_REDIS_ADDR", DefaultRedisAddr) }

// MySQLConfig parses MySQLDSN, failing the test if it is malformed; tests
// adjust the result (a counting dialer, parseTime) and pass it to
// OpenMySQL.
func MySQLConfig(t testing.TB) *mysql.Config {
	t.Helper()
	cfg, err := mysql.ParseDSN(MySQLDSN())
	if err != nil {
		t.Fatalf("GINSESSION_MYSQL_DSN: %v", err)
	}
	return cfg
}

// MySQL returns a connection pool to the test MySQL/MariaDB, closed at the
// end of the test.
func MySQL(t testing.TB) *sqlx.DB {
	t.Helper()
	return OpenMySQL(t, MySQLConfig(t))
}

// OpenMySQL opens a pool with cfg, pings it, and closes it at the end of the
// test.
func OpenMySQL(t testing.TB, cfg *mysql.Config) *sqlx.DB {
	t.Helper()
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatalf("mysql connector: %v", err)
	}
	return OpenDB(t, "MySQL/MariaDB at "+cfg.Addr, conn, "mysql")
}

// Postgres returns a connection pool to the test PostgreSQL, closed at the
// end of the test.
func Postgres(t testing.TB) *sqlx.DB {
	t.Helper()
	return OpenDB(t, "PostgreSQL", PostgresConnector(t), "postgres")
}

// PostgresConnector returns a lib/pq connector for PostgresDSN; tests may
// set its Dialer before passing it to OpenDB.
func PostgresConnector(t testing.TB) *pq.Connector {
	t.Helper()
	conn, err := pq.NewConnector(PostgresDSN())
	if err != nil {
		t.Fatalf("GINSESSION_POSTGRES_DSN: %v", err)
	}
	return conn
}

// OpenDB opens a pool on conn under driverName (what sqlx and the stores
// see as DriverName), pings it (skipping or failing the test, as
// Unavailable does, when it does not answer) and closes it at the end of
// the test.
func OpenDB(t testing.TB, what string, conn driver.Connector, driverName string) *sqlx.DB {
	t.Helper()
	db := sqlx.NewDb(sql.OpenDB(conn), driverName)
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		Unavailable(t, what, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// RedisOptions returns client options for the test Redis; tests may add a
// Dialer before passing them to OpenRedis.
func RedisOptions() *redis.Options {
	return &redis.Options{Addr: RedisAddr()}
}

// Redis returns a client for the test Redis, closed at the end of the test.
func Redis(t testing.TB) *redis.Client {
	t.Helper()
	return OpenRedis(t, RedisOptions())
}

// RedisPrefix returns a key prefix of the test's own (base, a random part
// and ":") and deletes every key under it, on each master of a cluster, when
// the test ends. Call it after the client is made, so the keys go before the
// client closes.
func RedisPrefix(t testing.TB, client redis.UniversalClient, base string) string {
	t.Helper()
	return redisPrefix(t, base, func(ctx context.Context, match string) error {
		clean := func(ctx context.Context, c *redis.Client) error {
			return cleanKeys(ctx, match, func(ctx context.Context, cursor uint64) ([]string, uint64, error) {
				return c.Scan(ctx, cursor, match, 1000).Result()
			}, func(ctx context.Context, keys []string) error { return c.Del(ctx, keys...).Err() })
		}
		switch c := client.(type) {
		case *redis.ClusterClient:
			return c.ForEachMaster(ctx, clean)
		case *redis.Client:
			return clean(ctx, c)
		}
		return nil
	})
}

// redisPrefix makes the prefix and, when the test ends, calls clean with
// the pattern matching its keys.
func redisPrefix(t testing.TB, base string, clean func(ctx context.Context, match string) error) string {
	prefix := Name(base) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := clean(ctx, prefix+"*"); err != nil {
			t.Errorf("cleaning up %s*: %v", prefix, err)
		}
	})
	return prefix
}

// cleanKeys deletes the keys one server's SCAN finds for match. Keys are
// deleted one at a time: a cluster node refuses a DEL of keys in several
// slots.
func cleanKeys(ctx context.Context, match string, scan func(context.Context, uint64) ([]string, uint64, error), del func(context.Context, []string) error) error {
	var cursor uint64
	for {
		keys, next, err := scan(ctx, cursor)
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := del(ctx, []string{k}); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// OpenRedis makes a client with opts, pings the server, and closes the
// client at the end of the test.
func OpenRedis(t testing.TB, opts *redis.Options) *redis.Client {
	t.Helper()
	c := redis.NewClient(opts)
	ping(t, "Redis at "+opts.Addr, func(ctx context.Context) error { return c.Ping(ctx).Err() }, c.Close)
	return c
}

// ping checks a server answers (skipping or failing the test, as
// Unavailable does, when it does not; close is called then) and calls close
// at the end of the test.
func ping(t testing.TB, what string, ping func(context.Context) error, close func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), pingTimeout)
	defer cancel()
	if err := ping(ctx); err != nil {
		close()
		Unavailable(t, what, err)
	}
	t.Cleanup(func() { close() })
}

// Name returns prefix followed by 12 random hex digits, for a table name or
// key prefix no other test (or test run) shares.
func Name(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Must returns v and panics on err: for constructors given arguments the
// test knows to be valid, so that a call stays one expression.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
