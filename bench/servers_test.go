package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/go-redis/redis/v8"
	"github.com/go-sql-driver/mysql"
	redigo "github.com/gomodule/redigo/redis"
	goredis9 "github.com/redis/go-redis/v9"
)

// The servers, at their default addresses.
const (
	redisAddr = "127.0.0.1:6379"
	mysqlAddr = "127.0.0.1:3306"
	mysqlDB   = "test"
	// scsDB holds scs's table, whose name ("sessions") scs fixes: a
	// database of its own keeps it clear of anyone else's "sessions".
	scsDB = "ginsession_bench_scs"
)

// runID keeps this process's keys and tables apart from any other run's.
var runID = fmt.Sprintf("%d_%d", os.Getpid(), time.Now().UnixNano()%1e6)

// needServer skips tb when nothing listens at addr, except under CI=true,
// where a missing server is a failure.
func needServer(tb testing.TB, what, addr string) {
	tb.Helper()
	c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	if err == nil {
		c.Close()
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s at %s is needed under CI: %v", what, addr, err)
	}
	tb.Skipf("%s at %s is not running: %v", what, addr, err)
}

// goRedis returns a go-redis v8 client whose connections count round trips
// into rt, and deletes every key under prefix when tb ends.
func goRedis(tb testing.TB, rt *rtCounter, prefix string) *goredis.Client {
	tb.Helper()
	c := goredis.NewClient(&goredis.Options{Addr: redisAddr, Dialer: rt.dial})
	pingRedis(tb, prefix, func(ctx context.Context) error { return c.Ping(ctx).Err() }, c.Close)
	return c
}

// goRedis9 is goRedis for go-redis v9, with ContextTimeoutEnabled (which
// redis9store requires) and otherwise the client's defaults.
func goRedis9(tb testing.TB, rt *rtCounter, prefix string) *goredis9.Client {
	tb.Helper()
	c := goredis9.NewClient(&goredis9.Options{Addr: redisAddr, Dialer: rt.dial, ContextTimeoutEnabled: true})
	pingRedis(tb, prefix, func(ctx context.Context) error { return c.Ping(ctx).Err() }, c.Close)
	return c
}

// pingRedis fails tb unless Redis answers, and when tb ends deletes every
// key under prefix and closes the client.
func pingRedis(tb testing.TB, prefix string, ping func(context.Context) error, close func() error) {
	tb.Helper()
	needServer(tb, "Redis", redisAddr)
	if err := ping(context.Background()); err != nil {
		tb.Fatalf("redis: %v", err)
	}
	tb.Cleanup(func() {
		deleteRedisPrefix(tb, prefix)
		close()
	})
}

// redigoPool returns a redigo pool whose connections count round trips into
// rt, and deletes every key under prefix when tb ends.
func redigoPool(tb testing.TB, rt *rtCounter, prefix string) *redigo.Pool {
	tb.Helper()
	needServer(tb, "Redis", redisAddr)
	dial := func(network, addr string) (net.Conn, error) {
		return rt.dial(context.Background(), network, addr)
	}
	p := &redigo.Pool{
		MaxIdle:     64,
		IdleTimeout: time.Minute,
		Dial: func() (redigo.Conn, error) {
			return redigo.Dial("tcp", redisAddr, redigo.DialNetDial(dial))
		},
	}
	conn := p.Get()
	_, err := conn.Do("PING")
	conn.Close()
	if err != nil {
		tb.Fatalf("redis: %v", err)
	}
	tb.Cleanup(func() {
		deleteRedisPrefix(tb, prefix)
		p.Close()
	})
	return p
}

func deleteRedisPrefix(tb testing.TB, prefix string) {
	c := goredis.NewClient(&goredis.Options{Addr: redisAddr})
	defer c.Close()
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	flush := func() {
		if len(keys) > 0 {
			if err := c.Unlink(ctx, keys...).Err(); err != nil {
				tb.Errorf("redis cleanup: %v", err)
			}
			keys = keys[:0]
		}
	}
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
		if len(keys) == 1000 {
			flush()
		}
	}
	flush()
	if err := iter.Err(); err != nil {
		tb.Errorf("redis cleanup: %v", err)
	}
}

var dialSeq atomic.Int64

// openMySQL opens database db with connections that count round trips into
// rt. interpolateParams=true, for every contender and the floor alike:
// without it each parameterised query is a prepare, an execute and a close.
func openMySQL(tb testing.TB, rt *rtCounter, db string) *sql.DB {
	tb.Helper()
	needServer(tb, "MySQL", mysqlAddr)
	network := fmt.Sprintf("benchcount%d", dialSeq.Add(1))
	mysql.RegisterDialContext(network, func(ctx context.Context, addr string) (net.Conn, error) {
		return rt.dial(ctx, "tcp", addr)
	})
	dsn := fmt.Sprintf("root@%s(%s)/%s?parseTime=true&interpolateParams=true", network, mysqlAddr, db)
	d, err := sql.Open("mysql", dsn)
	if err != nil {
		tb.Fatalf("mysql: %v", err)
	}
	d.SetMaxIdleConns(16)
	if err := d.Ping(); err != nil {
		d.Close()
		tb.Fatalf("mysql: %v", err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// mysqlExec runs statements as root on the server, outside any counter.
func mysqlExec(tb testing.TB, stmts ...string) {
	tb.Helper()
	needServer(tb, "MySQL", mysqlAddr)
	d, err := sql.Open("mysql", fmt.Sprintf("root@tcp(%s)/?parseTime=true", mysqlAddr))
	if err != nil {
		tb.Fatalf("mysql: %v", err)
	}
	defer d.Close()
	for _, s := range stmts {
		if _, err := d.Exec(s); err != nil {
			tb.Fatalf("mysql: %s: %v", s, err)
		}
	}
}

var identRE = regexp.MustCompile(`[^a-z0-9_]`)

var tableSeq atomic.Int64

// tableName returns a new table name of this run for what.
func tableName(what string) string {
	return identRE.ReplaceAllString(fmt.Sprintf("bench_%s_%s_%d", what, runID, tableSeq.Add(1)), "_")
}
