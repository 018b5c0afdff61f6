package ginsession_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

// callCounter wraps a server store that has every capability the
// middleware looks for here (stores.Toucher, stores.TTLLoader), counts its
// calls by name, and runs afterLoad (when set) once after a load returns,
// to force an interleaving.
type callCounter struct {
	stores.Store
	mu        sync.Mutex
	calls     map[string]int
	afterLoad func()
}

func newCallCounter(st stores.Store) *callCounter {
	return &callCounter{Store: st, calls: map[string]int{}}
}

func (c *callCounter) count(op string) {
	c.mu.Lock()
	c.calls[op]++
	c.mu.Unlock()
}

// take returns the counts so far and starts again from zero.
func (c *callCounter) take() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.calls
	c.calls = map[string]int{}
	return out
}

func (c *callCounter) loaded() {
	c.mu.Lock()
	f := c.afterLoad
	c.afterLoad = nil
	c.mu.Unlock()
	if f != nil {
		f()
	}
}

func (c *callCounter) Load(ctx context.Context, key string) ([]byte, error) {
	c.count("Load")
	defer c.loaded()
	return c.Store.Load(ctx, key)
}

func (c *callCounter) LoadWithTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	c.count("LoadWithTTL")
	defer c.loaded()
	return c.Store.(stores.TTLLoader).LoadWithTTL(ctx, key)
}

func (c *callCounter) Create(ctx context.Context, key string, data []byte, exp time.Time) error {
	c.count("Create")
	return c.Store.Create(ctx, key, data, exp)
}

func (c *callCounter) Update(ctx context.Context, key string, data []byte, exp time.Time) error {
	c.count("Update")
	return c.Store.Update(ctx, key, data, exp)
}

func (c *callCounter) Touch(ctx context.Context, key string, exp time.Time) error {
	c.count("Touch")
	return c.Store.(stores.Toucher).Touch(ctx, key, exp)
}

func (c *callCounter) Delete(ctx context.Context, key string) error {
	c.count("Delete")
	return c.Store.Delete(ctx, key)
}

// TestStoreCommandsPerRequestWithAnIdleTimeout is issue #14's measurement:
// 1,000 requests a second apart (on the test's clock, which moves Redis's
// TTLs with it), each reading the session, on Redis and on MySQL, counting
// the store's calls and the round trips on its one connection. With
// WithIdleTimeout(30*time.Minute) the reads are what they are without the
// option, one round trip each, and the writes (expiry-only touches) at
// most one per minute of session time; SaveEveryRequest writes on every
// request.
func TestStoreCommandsPerRequestWithAnIdleTimeout(t *testing.T) {
	type setup struct {
		name string
		open func(t *testing.T, rt *testenv.RoundTrips, clock *storetest.Clock) (stores.Store, func(time.Duration))
	}
	setups := []setup{
		{"redis", func(t *testing.T, rt *testenv.RoundTrips, clock *storetest.Clock) (stores.Store, func(time.Duration)) {
			o := testenv.RedisOptions()
			o.Dialer, o.PoolSize = rt.DialContext, 1
			client := testenv.OpenRedis(t, o)
			prefix := testenv.RedisPrefix(t, client, "gs_idle_rt_")
			st := testenv.Must(redisstore.New(client, redisstore.WithPrefix(prefix), redisstore.WithClock(clock.Now)))
			aging := testenv.Redis(t) // its own connection: not counted
			return st, func(d time.Duration) {
				clock.Advance(d)
				if err := testenv.AgeRedisKeys(context.Background(), aging, prefix, d); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"mysql", func(t *testing.T, rt *testenv.RoundTrips, clock *storetest.Clock) (stores.Store, func(time.Duration)) {
			cfg := testenv.MySQLConfig(t)
			cfg.DialFunc = rt.DialContext
			db := testenv.OpenMySQL(t, cfg)
			db.SetMaxOpenConns(1) // one warm connection: no handshake mid-count
			return everystore.SQL(t, db, "gs_idle_rt_", sqlstore.WithClock(clock.Now)), clock.Advance
		}},
	}
	configs := []struct {
		name       string
		opts       []ginsession.Option
		minW, maxW int // writes over the 1,000 requests
		ttlLoaded  bool
	}{
		{"default options", nil, 0, 0, false},
		{"WithIdleTimeout(30m)", []ginsession.Option{ginsession.WithIdleTimeout(30 * time.Minute)}, 15, 17, true},
		{"WithSaveEveryRequest", []ginsession.Option{ginsession.WithSaveEveryRequest(true)}, 1000, 1000, false},
	}
	for _, su := range setups {
		for _, cf := range configs {
			t.Run(su.name+"/"+cf.name, func(t *testing.T) {
				rt := new(testenv.RoundTrips)
				clock := storetest.NewClock(time.Now())
				inner, advance := su.open(t, rt, clock)
				store := newCallCounter(inner)
				b := newBrowser(t, timeoutsEngine(store, append(cf.opts, ginsession.WithClock(clock.Now))...))

				// Warm up: the connection, every prepared statement and
				// script the loop can use.
				b.get("/login")
				b.wantUser("/whoami", "alice")
				advance(2 * time.Minute)
				b.wantUser("/whoami", "alice")
				b.get("/login?user=alice")
				store.take()
				before := rt.Count()

				for range 1000 {
					advance(time.Second)
					b.wantUser("/whoami", "alice")
				}
				calls, trips := store.take(), rt.Count()-before
				loads := calls["Load"] + calls["LoadWithTTL"]
				writes := calls["Touch"] + calls["Update"] + calls["Create"]
				t.Logf("%-6s %-21s loads %4d (%s)  writes %4d (touches %d, updates %d)  round trips %4d = %.3f per request",
					su.name, cf.name, loads, map[bool]string{true: "with TTL", false: "plain"}[cf.ttlLoaded],
					writes, calls["Touch"], calls["Update"], trips, float64(trips)/1000)
				if loads != 1000 || (calls["LoadWithTTL"] == 1000) != cf.ttlLoaded {
					t.Errorf("calls %v: want 1000 loads, with the expiry: %v", calls, cf.ttlLoaded)
				}
				if writes < cf.minW || writes > cf.maxW || calls["Update"] != 0 {
					t.Errorf("calls %v: want %d to %d touches and no update", calls, cf.minW, cf.maxW)
				}
				if trips != int64(loads+writes) {
					t.Errorf("%d round trips for %d loads and %d writes, want one each", trips, loads, writes)
				}
			})
		}
	}
}
