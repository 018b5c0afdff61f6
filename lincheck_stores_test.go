package ginsession_test

import (
	"bufio"
	"context"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-redis/redis/v8"
	"github.com/jmoiron/sqlx"
	redis9 "github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redis9store"
	"github.com/ginsession/ginsession/stores/redisstore"
)

// TestLinearizableOnEveryStore checks random histories of concurrent
// requests on every server store, with faults that lose no acknowledged
// data: store calls cut by short deadlines on every store, Redis and MySQL
// connections killed by the server, and a private Redis paused with
// SIGSTOP. A request a fault cut must answer 5xx (may or may not have
// happened), never 2xx for a change that was not saved.
func TestLinearizableOnEveryStore(t *testing.T) {
	const base = "gs_lincheck_"
	// One Cluster for both clients, started when first needed, on ports
	// apart from the other tests' (7301-7500, 7601-7950).
	var cluster []string
	linCluster := func() []string {
		if cluster == nil {
			cluster = testenv.RedisCluster(t, 7951, 8050)
		}
		return cluster
	}
	plain := func(open func(t *testing.T) stores.Store) func(t *testing.T) (stores.Store, []linFault) {
		return func(t *testing.T) (stores.Store, []linFault) { return open(t), nil }
	}
	cases := []struct {
		name string
		open func(t *testing.T) (stores.Store, []linFault)
		opts []ginsession.Option
	}{
		{"memory", plain(func(t *testing.T) stores.Store { return linNew(memstore.New()) }), nil},
		{"file", plain(func(t *testing.T) stores.Store { return linNew(filestore.New(t.TempDir())) }), nil},
		{"sqlite", plain(func(t *testing.T) stores.Store { return everystore.SQL(t, sqliteDB(t), base) }), nil},
		{"postgres", plain(func(t *testing.T) stores.Store { return everystore.SQL(t, testenv.Postgres(t), base) }), nil},
		{"mysql, connections killed", func(t *testing.T) (stores.Store, []linFault) {
			db, kill := linMySQL(t)
			return everystore.SQL(t, db, base), []linFault{kill}
		}, nil},
		{"redis-v8, connections killed", func(t *testing.T) (stores.Store, []linFault) {
			name := linClientName()
			client := testenv.OpenRedis(t, &redis.Options{Addr: testenv.RedisAddr(), OnConnect: setName8(name)})
			// The prefix's keys are removed through a client the fault leaves alone.
			return linNew(redisstore.New(client, redisstore.WithPrefix(testenv.RedisPrefix(t, testenv.Redis(t), base)))),
				[]linFault{redisKiller(t, name, testenv.RedisAddr())}
		}, nil},
		{"redis-v9, connections killed", func(t *testing.T) (stores.Store, []linFault) {
			name := linClientName()
			client := testenv.OpenRedis9(t, &redis9.Options{Addr: testenv.RedisAddr(), ClientName: name, ContextTimeoutEnabled: true})
			return linNew(redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, base)))),
				[]linFault{redisKiller(t, name, testenv.RedisAddr())}
		}, nil},
		{"redis-v8-cluster, connections killed", func(t *testing.T) (stores.Store, []linFault) {
			addrs, name := linCluster(), linClientName()
			client := redis.NewClusterClient(redisstore.Redis7ClusterOptions(&redis.ClusterOptions{Addrs: addrs, OnConnect: setName8(name)}))
			t.Cleanup(func() { client.Close() })
			admin := redis.NewClusterClient(redisstore.Redis7ClusterOptions(&redis.ClusterOptions{Addrs: addrs}))
			t.Cleanup(func() { admin.Close() })
			return linNew(redisstore.New(client, redisstore.WithPrefix(testenv.RedisPrefix(t, admin, base)))),
				[]linFault{redisKiller(t, name, addrs...)}
		}, nil},
		{"redis-v9-cluster, connections killed", func(t *testing.T) (stores.Store, []linFault) {
			addrs, name := linCluster(), linClientName()
			client := redis9.NewClusterClient(&redis9.ClusterOptions{Addrs: addrs, ClientName: name, ContextTimeoutEnabled: true})
			t.Cleanup(func() { client.Close() })
			return linNew(redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, base)))),
				[]linFault{redisKiller(t, name, addrs...)}
		}, nil},
		{"redis-v8, private server paused", func(t *testing.T) (stores.Store, []linFault) {
			addr, pause := privateRedis(t)
			client := testenv.OpenRedis(t, &redis.Options{Addr: addr})
			return linNew(redisstore.New(client, redisstore.WithPrefix(testenv.RedisPrefix(t, client, base)))), []linFault{pause}
		}, []ginsession.Option{ginsession.WithStoreTimeout(50 * time.Millisecond)}},
		{"redis-v9, private server paused", func(t *testing.T) (stores.Store, []linFault) {
			addr, pause := privateRedis(t)
			client := testenv.OpenRedis9(t, &redis9.Options{Addr: addr, ContextTimeoutEnabled: true})
			return linNew(redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, base)))), []linFault{pause}
		}, []ginsession.Option{ginsession.WithStoreTimeout(50 * time.Millisecond)}},
		{"cached redis+mysql, connections killed", func(t *testing.T) (stores.Store, []linFault) {
			name := linClientName()
			client := testenv.OpenRedis9(t, &redis9.Options{Addr: testenv.RedisAddr(), ClientName: name, ContextTimeoutEnabled: true})
			cache := linNew(redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, base))))
			db, kill := linMySQL(t)
			var logs testenv.LogBuffer // the cache failures the kills cause
			st := linNew(cachedstore.New(cache, everystore.SQL(t, db, base), cachedstore.WithLogger(logs.Logger())))
			return st, []linFault{kill, redisKiller(t, name, testenv.RedisAddr())}
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			linCheckStore(t, tc.open, linRun{browsers: 3, clients: 3, timeouts: linTimeouts, opts: tc.opts})
		})
	}
}

func linClientName() string { return "lincheck" + strconv.FormatUint(rand.Uint64(), 36) }

func setName8(name string) func(context.Context, *redis.Conn) error {
	return func(ctx context.Context, cn *redis.Conn) error { return cn.ClientSetName(ctx, name).Err() }
}

// redisKiller kills, every few milliseconds, the connections named name on
// the servers at addrs (CLIENT KILL).
func redisKiller(t *testing.T, name string, addrs ...string) linFault {
	var admins []*redis9.Client
	for _, a := range addrs {
		admins = append(admins, testenv.OpenRedis9(t, &redis9.Options{Addr: a}))
	}
	return func(ctx context.Context) int {
		killed := 0
		for linSleep(ctx, 20, 80) {
			for _, admin := range admins {
				list, err := admin.ClientList(ctx).Result()
				if err != nil {
					continue
				}
				for _, line := range strings.Split(list, "\n") {
					f := clientFields(line)
					if f["name"] == name && rand.IntN(2) == 0 {
						if admin.Do(ctx, "CLIENT", "KILL", "ID", f["id"]).Err() == nil {
							killed++
						}
					}
				}
			}
		}
		return killed
	}
}

func clientFields(line string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Fields(line) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// linSleep waits a random time between lo and hi milliseconds, reporting
// false once ctx is done.
func linSleep(ctx context.Context, lo, hi int) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(time.Duration(lo+rand.IntN(hi-lo)) * time.Millisecond):
		return true
	}
}

// linMySQL opens a pool to MySQL whose connections a fault kills every few
// milliseconds on the server (KILL CONNECTION): only the pool's own open
// connections (testenv.OwnConns), never another test process's.
func linMySQL(t *testing.T) (*sqlx.DB, linFault) {
	var own testenv.OwnConns
	cfg := testenv.MySQLConfig(t)
	cfg.DialFunc = own.Dial
	db := testenv.OpenMySQL(t, cfg)
	admin := testenv.MySQL(t)
	return db, func(ctx context.Context) int {
		killed := 0
		for linSleep(ctx, 20, 80) {
			ids, err := own.IDs(ctx, admin)
			if err != nil {
				continue
			}
			for _, id := range ids {
				if rand.IntN(2) == 0 {
					if _, err := admin.ExecContext(ctx, "KILL CONNECTION "+strconv.FormatInt(id, 10)); err == nil {
						killed++
					}
				}
			}
		}
		return killed
	}
}

// privateRedis starts a Redis of the test's own (free port, own temporary
// directory, nothing saved) and returns its address and a fault that
// pauses it with SIGSTOP for a few tens of milliseconds and resumes it.
func privateRedis(t *testing.T) (string, linFault) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		testenv.Unavailable(t, "redis-server", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--dir", t.TempDir(), "--save", "", "--appendonly", "no")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		testenv.Unavailable(t, "redis-server", err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				ready <- true
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("private redis-server on %d did not start", port)
	}
	var mu sync.Mutex
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), func(ctx context.Context) int {
		mu.Lock()
		defer mu.Unlock()
		paused := 0
		for linSleep(ctx, 50, 200) {
			if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
				t.Errorf("SIGSTOP: %v", err)
				return paused
			}
			paused++
			time.Sleep(time.Duration(20+rand.IntN(100)) * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
				t.Errorf("SIGCONT: %v", err)
			}
		}
		return paused
	}
}

var linTimeouts = func() float64 {
	if os.Getenv("LINCHECK_NOTIMEOUTS") != "" {
		return 0
	}
	return 0.03
}()
