package redis9store

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/internal/redisops/redisopstest"
	"github.com/ginsession/ginsession/stores/storetest"
)

// TestStampedRecords runs the store contract, concurrent swaps included,
// and the one-round-trip count on a store with WithStampedRecords, on a
// standalone server and on a cluster (stores/internal/redisops has the
// tests of stamped and plain stores sharing records).
func TestStampedRecords(t *testing.T) {
	t.Parallel()
	t.Run("standalone", func(t *testing.T) {
		client := testenv.Redis9(t)
		storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, client, WithStampedRecords()) })
	})
	t.Run("cluster", func(t *testing.T) {
		addrs := startCluster(t)
		client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, ContextTimeoutEnabled: true})
		t.Cleanup(func() { client.Close() })
		storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, client, WithStampedRecords()) })
		rt := new(testenv.RoundTrips)
		counted := redis.NewClusterClient(&redis.ClusterOptions{
			Addrs: addrs, Dialer: rt.DialContext, PoolSize: 1, ContextTimeoutEnabled: true,
		})
		t.Cleanup(func() { counted.Close() })
		redisopstest.OneRoundTripEach(t, newStore(t, counted, WithStampedRecords()), rt)
	})
}
