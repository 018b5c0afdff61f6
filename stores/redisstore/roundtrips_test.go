package redisstore

import (
	"context"
	"testing"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/internal/redisops/redisopstest"
)

// TestRoundTripsPerOperation counts request/response turns on the wire (see
// testenv.RoundTrips) once the client's connections are warm: every
// operation is one command, so one round trip, on a standalone server and on
// a cluster (where the command must go straight to the key's master, with no
// MOVED redirect and no COMMAND lookup).
func TestRoundTripsPerOperation(t *testing.T) {
	setups := []struct {
		name string
		open func(t *testing.T, rt *testenv.RoundTrips) redis.UniversalClient
	}{
		{"standalone", func(t *testing.T, rt *testenv.RoundTrips) redis.UniversalClient {
			o := testenv.RedisOptions()
			o.Dialer, o.PoolSize = rt.DialContext, 1
			return testenv.OpenRedis(t, o)
		}},
		{"cluster", func(t *testing.T, rt *testenv.RoundTrips) redis.UniversalClient {
			c := redis.NewClusterClient(Redis7ClusterOptions(&redis.ClusterOptions{
				Addrs: startCluster(t), Dialer: rt.DialContext, PoolSize: 1,
			}))
			t.Cleanup(func() { c.Close() })
			return c
		}},
	}
	for _, su := range setups {
		t.Run(su.name, func(t *testing.T) {
			rt := new(testenv.RoundTrips)
			client := su.open(t, rt)
			s := newStore(t, client)
			redisopstest.OneRoundTripEach(t, s, rt)
		})
	}
}

// TestScriptsAreSentAgainAfterAFlush empties the script cache of a cluster
// of its own (a SCRIPT FLUSH on the shared server would cost other tests
// round trips).
func TestScriptsAreSentAgainAfterAFlush(t *testing.T) {
	rt := new(testenv.RoundTrips)
	c := redis.NewClusterClient(Redis7ClusterOptions(&redis.ClusterOptions{
		Addrs: startCluster(t), Dialer: rt.DialContext, PoolSize: 1,
	}))
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
