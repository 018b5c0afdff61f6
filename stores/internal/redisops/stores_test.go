package redisops_test

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	redis8 "github.com/go-redis/redis/v8"
	redis9 "github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/gintest"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/internal/redisops/redisopstest"
	"github.com/ginsession/ginsession/stores/redis9store"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

// The tests of the two Redis stores, stores/redisstore (go-redis v8) and
// stores/redis9store (go-redis v9), as one table over both clients: the
// stores share their code, so each test runs once per client. What only
// one client has stays in its package (v8's Redis 7 Cluster patch, v9's
// ContextTimeoutEnabled check).

// store is what both Redis stores are.
type store interface {
	redisopstest.Store
	storetest.GuardedStore
	Prefix() string
}

// dialer replaces a client's dialer; a client given one keeps a single
// connection, so what it counts or sees is every command.
type dialer = func(ctx context.Context, network, addr string) (net.Conn, error)

// client makes a client of one go-redis major on each deployment the tests
// use, closed when the test ends, and returns what opens stores on it.
type client struct {
	name       string // the store's package
	standalone func(t testing.TB, dial dialer) opener
	cluster    func(t testing.TB, dial dialer) (opener, cluster)
	sentinel   func(t testing.TB) opener
	universal  func(t testing.TB) opener // NewUniversalClient given a master name
	// at is a store on addr, with the default prefix, whose client waits a
	// minute for a reply, a second for a connection, and never retries.
	at func(t testing.TB, addr string) store
}

// opener returns a store on one client with a key prefix of its own,
// emptied when t ends.
type opener func(t testing.TB) store

// cluster is what the tests do on every master of a cluster.
type cluster struct {
	mastersHolding func(match string) (int, error) // how many hold a key matching match
	flushScripts   func() error
}

var clients = []client{v8(), v9()}

func v8() client {
	on := func(c redis8.UniversalClient) opener {
		return func(t testing.TB) store {
			s, err := redisstore.New(c, redisstore.WithPrefix(testenv.RedisPrefix(t, c, "gs_test_")))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	open := func(t testing.TB, c redis8.UniversalClient) store {
		s, err := redisstore.New(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	closing := func(t testing.TB, c redis8.UniversalClient) redis8.UniversalClient {
		t.Cleanup(func() { c.Close() })
		return c
	}
	sentinel := func(t testing.TB) string { return testenv.RedisSentinel(t, 7401, 7500) }
	return client{
		name: "redisstore",
		standalone: func(t testing.TB, dial dialer) opener {
			o := testenv.RedisOptions()
			if dial != nil {
				o.Dialer, o.PoolSize = dial, 1
			}
			return on(testenv.OpenRedis(t, o))
		},
		cluster: func(t testing.TB, dial dialer) (opener, cluster) {
			o := &redis8.ClusterOptions{Addrs: testenv.RedisCluster(t, 7301, 7400)}
			if dial != nil {
				o.Dialer, o.PoolSize = dial, 1
			}
			c := redis8.NewClusterClient(redisstore.Redis7ClusterOptions(o))
			closing(t, c)
			each := func(f func(context.Context, *redis8.Client) error) error {
				return c.ForEachMaster(context.Background(), f)
			}
			return on(c), cluster{
				mastersHolding: func(match string) (int, error) {
					var n atomic.Int32 // ForEachMaster runs its function concurrently
					err := each(func(ctx context.Context, m *redis8.Client) error {
						keys, _, err := m.Scan(ctx, 0, match, 1000).Result()
						if len(keys) > 0 {
							n.Add(1)
						}
						return err
					})
					return int(n.Load()), err
				},
				flushScripts: func() error {
					return each(func(ctx context.Context, m *redis8.Client) error { return m.ScriptFlush(ctx).Err() })
				},
			}
		},
		sentinel: func(t testing.TB) opener {
			return on(closing(t, redis8.NewFailoverClient(&redis8.FailoverOptions{
				MasterName: "ginsession", SentinelAddrs: []string{sentinel(t)},
			})))
		},
		universal: func(t testing.TB) opener {
			return on(closing(t, redis8.NewUniversalClient(&redis8.UniversalOptions{
				MasterName: "ginsession", Addrs: []string{sentinel(t)},
			})))
		},
		at: func(t testing.TB, addr string) store {
			return open(t, closing(t, redis8.NewClient(&redis8.Options{
				Addr: addr, ReadTimeout: time.Minute, DialTimeout: time.Second, MaxRetries: -1,
			})))
		},
	}
}

// v9 is v8 for go-redis v9, whose clients all set ContextTimeoutEnabled
// (which redis9store requires) and, on a server that never answers, speak
// RESP2 (RESP3's HELLO would wait out the dial instead of the command).
func v9() client {
	on := func(c redis9.UniversalClient) opener {
		return func(t testing.TB) store {
			s, err := redis9store.New(c, redis9store.WithPrefix(testenv.Redis9Prefix(t, c, "gs_test9_")))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
	}
	open := func(t testing.TB, c redis9.UniversalClient) store {
		s, err := redis9store.New(c)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	closing := func(t testing.TB, c redis9.UniversalClient) redis9.UniversalClient {
		t.Cleanup(func() { c.Close() })
		return c
	}
	sentinel := func(t testing.TB) string { return testenv.RedisSentinel(t, 7701, 7800) }
	return client{
		name: "redis9store",
		standalone: func(t testing.TB, dial dialer) opener {
			o := testenv.Redis9Options()
			if dial != nil {
				o.Dialer, o.PoolSize = dial, 1
			}
			return on(testenv.OpenRedis9(t, o))
		},
		cluster: func(t testing.TB, dial dialer) (opener, cluster) {
			o := &redis9.ClusterOptions{Addrs: testenv.RedisCluster(t, 7601, 7700), ContextTimeoutEnabled: true}
			if dial != nil {
				o.Dialer, o.PoolSize = dial, 1
			}
			c := redis9.NewClusterClient(o)
			closing(t, c)
			each := func(f func(context.Context, *redis9.Client) error) error {
				return c.ForEachMaster(context.Background(), f)
			}
			return on(c), cluster{
				mastersHolding: func(match string) (int, error) {
					var n atomic.Int32 // ForEachMaster runs its function concurrently
					err := each(func(ctx context.Context, m *redis9.Client) error {
						keys, _, err := m.Scan(ctx, 0, match, 1000).Result()
						if len(keys) > 0 {
							n.Add(1)
						}
						return err
					})
					return int(n.Load()), err
				},
				flushScripts: func() error {
					return each(func(ctx context.Context, m *redis9.Client) error { return m.ScriptFlush(ctx).Err() })
				},
			}
		},
		sentinel: func(t testing.TB) opener {
			return on(closing(t, redis9.NewFailoverClient(&redis9.FailoverOptions{
				MasterName: "ginsession", SentinelAddrs: []string{sentinel(t)}, ContextTimeoutEnabled: true,
			})))
		},
		universal: func(t testing.TB) opener {
			return on(closing(t, redis9.NewUniversalClient(&redis9.UniversalOptions{
				MasterName: "ginsession", Addrs: []string{sentinel(t)}, ContextTimeoutEnabled: true,
			})))
		},
		at: func(t testing.TB, addr string) store {
			return open(t, closing(t, redis9.NewClient(&redis9.Options{
				Addr: addr, ReadTimeout: time.Minute, DialTimeout: time.Second, MaxRetries: -1,
				ContextTimeoutEnabled: true, Protocol: 2,
			})))
		},
	}
}

// eachClient runs test as a subtest per client.
func eachClient(t *testing.T, test func(t *testing.T, c client)) {
	for _, c := range clients {
		t.Run(c.name, func(t *testing.T) { test(t, c) })
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	eachClient(t, func(t *testing.T, c client) {
		t.Run("standalone", func(t *testing.T) {
			t.Parallel()
			open := c.standalone(t, nil)
			storetest.Run(t, func(t *testing.T) stores.Store { return open(t) })
		})
		t.Run("cluster", func(t *testing.T) {
			t.Parallel()
			open, cl := c.cluster(t, nil)
			storetest.Run(t, func(t *testing.T) stores.Store { return open(t) })

			// The records really are spread over the three masters.
			s := open(t)
			for range 30 {
				if err := s.Create(context.Background(), stores.NewKey(), []byte("x"), time.Now().Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := cl.mastersHolding(s.Prefix() + "*"); err != nil || n != 3 {
				t.Errorf("30 records landed on %d masters (%v), want all 3", n, err)
			}
		})
		t.Run("sentinel", func(t *testing.T) {
			t.Parallel()
			open := c.sentinel(t)
			storetest.Run(t, func(t *testing.T) stores.Store { return open(t) })
		})
		t.Run("universal client", func(t *testing.T) {
			t.Parallel()
			open := c.universal(t)
			storetest.Run(t, func(t *testing.T) stores.Store { return open(t) })
		})
	})
}

func TestGuardedWritesLeaveTheGuardAlone(t *testing.T) {
	eachClient(t, func(t *testing.T, c client) { storetest.Guarded(t, c.standalone(t, nil)(t)) })
}

// TestRoundTripsPerOperation counts request/response turns on the wire (see
// testenv.RoundTrips) once the client's connections are warm: every
// operation is one command, so one round trip, on a standalone server and on
// a Redis 7 cluster (where the command must go straight to the key's
// master, with no MOVED redirect and no COMMAND lookup).
func TestRoundTripsPerOperation(t *testing.T) {
	eachClient(t, func(t *testing.T, c client) {
		t.Run("standalone", func(t *testing.T) {
			rt := new(testenv.RoundTrips)
			redisopstest.OneRoundTripEach(t, c.standalone(t, rt.DialContext)(t), rt)
		})
		t.Run("cluster", func(t *testing.T) {
			rt := new(testenv.RoundTrips)
			open, _ := c.cluster(t, rt.DialContext)
			redisopstest.OneRoundTripEach(t, open(t), rt)
		})
	})
}

// TestRoundTripsPerRequest serves requests through a real gin.Engine and
// counts what each costs Redis.
func TestRoundTripsPerRequest(t *testing.T) {
	eachClient(t, func(t *testing.T, c client) {
		rt := new(testenv.RoundTrips)
		s := c.standalone(t, rt.DialContext)(t)
		gintest.Expect(t, gintest.RoundTripsPerRequest(t, s, rt), map[string]int64{
			gintest.Untouched: 0, gintest.Read: 1, gintest.Write: 2, gintest.New: 1,
		})
		// SaveEveryRequest, unchanged session: GET, then PEXPIRE (Touch).
		if n := gintest.RoundTripsUnchangedSaveEveryRequest(t, s, rt); n != 2 {
			t.Errorf("an unchanged request under SaveEveryRequest took %d round trips, want 2 (GET, PEXPIRE)", n)
		}
	})
}

// TestScriptsAreSentAgainAfterAFlush empties the script cache of a cluster
// of its own (a SCRIPT FLUSH on the shared server would cost other tests
// round trips).
func TestScriptsAreSentAgainAfterAFlush(t *testing.T) {
	eachClient(t, func(t *testing.T, c client) {
		rt := new(testenv.RoundTrips)
		open, cl := c.cluster(t, rt.DialContext)
		redisopstest.ScriptsAreSentAgainAfterAFlush(t, open(t), rt, func() {
			if err := cl.flushScripts(); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestTheContextDeadlineIsHonoured(t *testing.T) {
	const deadline = 200 * time.Millisecond
	eachClient(t, func(t *testing.T, c client) {
		s := c.at(t, redisopstest.SilentServer(t))
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		start := time.Now()
		_, err := s.Load(ctx, stores.NewKey())
		if took := time.Since(start); took > deadline+2*time.Second {
			t.Errorf("Load on a silent server took %v despite a %v deadline", took, deadline)
		}
		if err == nil || errors.Is(err, stores.ErrNotFound) {
			t.Errorf("Load on a silent server = %v, want a failure that is not ErrNotFound", err)
		}
	})
}

func TestFailuresAreErrorsThatNameOnlyTheKeysPrefix(t *testing.T) {
	eachClient(t, func(t *testing.T, c client) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		redisopstest.FailuresNameOnlyTheKeysPrefix(t, c.at(t, addr), c.name)
	})
}

// callerConn records, for every write to Redis, whether it was made on the
// goroutine of a store method (its stack holds the method's frame), or on
// one the client started.
type callerConn struct {
	net.Conn
	mu      sync.Mutex
	writes  int
	foreign []string // the stacks of writes made elsewhere
}

func (c *callerConn) Write(b []byte) (int, error) {
	stack := make([]byte, 16<<10)
	stack = stack[:runtime.Stack(stack, false)]
	c.mu.Lock()
	c.writes++
	if !strings.Contains(string(stack), "redisops.(*Store).") {
		c.foreign = append(c.foreign, string(stack))
	}
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// TestCommandsRunOnTheCallersGoroutine sends every kind of call (a command,
// a pipeline, a script) with a context that can be cancelled and has a
// deadline, as a request's store call has: neither store has its client
// start a goroutine for it (go-redis v8 would for such a context, were it
// handed one: redisops.New hands it the deadline alone).
func TestCommandsRunOnTheCallersGoroutine(t *testing.T) {
	eachClient(t, func(t *testing.T, c client) {
		conn := new(callerConn)
		s := c.standalone(t, func(ctx context.Context, network, addr string) (net.Conn, error) {
			nc, err := new(net.Dialer).DialContext(ctx, network, addr)
			conn.Conn = nc
			return conn, err
		})(t)
		k, exp := stores.NewKey(), time.Now().Add(time.Hour)
		if _, err := s.Exists(context.Background(), k); err != nil { // dial: the client may do it elsewhere
			t.Fatal(err)
		}
		conn.mu.Lock()
		conn.writes, conn.foreign = 0, nil
		conn.mu.Unlock()
		request, cancel := context.WithCancel(context.Background())
		defer cancel()
		ctx, stop := context.WithTimeout(request, time.Minute)
		defer stop()
		if err := s.Create(ctx, k, []byte("a"), exp); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ctx, k); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.LoadWithTTL(ctx, k); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndSwap(ctx, k, []byte("a"), []byte("b"), exp); err != nil {
			t.Fatal(err)
		}
		conn.mu.Lock()
		defer conn.mu.Unlock()
		if conn.writes < 4 {
			t.Fatalf("%d writes to Redis seen, want one per call at least", conn.writes)
		}
		for _, stack := range conn.foreign {
			t.Errorf("a command was written on a goroutine of the client's:\n%s", stack)
		}
	})
}

func BenchmarkStore(b *testing.B) {
	for _, c := range clients {
		b.Run(c.name, func(b *testing.B) { storetest.Bench(b, c.standalone(b, nil)(b)) })
	}
}
