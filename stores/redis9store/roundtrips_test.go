package redis9store

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/gintest"
	"github.com/ginsession/ginsession/stores/internal/redisops/redisopstest"
)

// TestRoundTripsPerOperation counts request/response turns on the wire (see
// testenv.RoundTrips) once the client's connections are warm: every
// operation is one command, so one round trip, on a standalone server and on
// a Redis 7 cluster with the client's default options (no MOVED redirect, no
// COMMAND lookup per command).
func TestRoundTripsPerOperation(t *testing.T) {
	setups := []struct {
		name string
		open func(t *testing.T, rt *testenv.RoundTrips) redis.UniversalClient
	}{
		{"standalone", func(t *testing.T, rt *testenv.RoundTrips) redis.UniversalClient {
			o := testenv.Redis9Options()
			o.Dialer, o.PoolSize = rt.DialContext, 1
			return testenv.OpenRedis9(t, o)
		}},
		{"cluster", func(t *testing.T, rt *testenv.RoundTrips) redis.UniversalClient {
			c := redis.NewClusterClient(&redis.ClusterOptions{
				Addrs: startCluster(t), Dialer: rt.DialContext, PoolSize: 1, ContextTimeoutEnabled: true,
			})
			t.Cleanup(func() { c.Close() })
			return c
		}},
	}
	for _, su := range setups {
		t.Run(su.name, func(t *testing.T) {
			rt := new(testenv.RoundTrips)
			s := newStore(t, su.open(t, rt))
			redisopstest.OneRoundTripEach(t, s, rt)
		})
	}
}

// TestRoundTripsPerRequest serves requests through a real gin.Engine and
// counts what each costs Redis.
func TestRoundTripsPerRequest(t *testing.T) {
	rt := new(testenv.RoundTrips)
	o := testenv.Redis9Options()
	o.Dialer, o.PoolSize = rt.DialContext, 1
	got := gintest.RoundTripsPerRequest(t, newStore(t, testenv.OpenRedis9(t, o)), rt)
	gintest.Expect(t, got, map[string]int64{
		gintest.Untouched: 0, gintest.Read: 1, gintest.Write: 2, gintest.New: 1,
	})
}

// TestScriptsAreSentAgainAfterAFlush empties the script cache of a cluster
// of its own (a SCRIPT FLUSH on the shared server would cost other tests
// round trips).
func TestScriptsAreSentAgainAfterAFlush(t *testing.T) {
	rt := new(testenv.RoundTrips)
	c := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs: startCluster(t), Dialer: rt.DialContext, PoolSize: 1, ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { c.Close() })
	flush := func() {
		err := c.ForEachMaster(context.Background(), func(ctx context.Context, m *redis.Client) error {
			return m.ScriptFlush(ctx).Err()
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	redisopstest.ScriptsAreSentAgainAfterAFlush(t, newStore(t, c), rt, flush)
}
