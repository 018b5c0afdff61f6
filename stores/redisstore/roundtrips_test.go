package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
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
			ctx := context.Background()
			exp := time.Now().Add(time.Hour)
			keys := make([]string, 40)
			for i := range keys {
				keys[i] = stores.NewKey()
			}
			// Warm up: a connection to every master, the slot map, COMMAND.
			for _, k := range keys {
				must(t, s.Create(ctx, k, []byte("w"), exp))
			}
			for _, k := range keys {
				steps := []struct {
					name string
					do   func() error
				}{
					{"Load", func() error { _, err := s.Load(ctx, k); return err }},
					{"Update", func() error { return s.Update(ctx, k, []byte(`{"a":2}`), exp) }},
					{"Touch", func() error { return s.Touch(ctx, k, exp.Add(time.Minute)) }},
					{"Exists", func() error { _, err := s.Exists(ctx, k); return err }},
					{"Delete", func() error { return s.Delete(ctx, k) }},
					{"Create", func() error { return s.Create(ctx, k, []byte(`{"a":1}`), exp) }},
					{"Load of an unknown key", func() error {
						if _, err := s.Load(ctx, stores.NewKey()); err != stores.ErrNotFound {
							return err
						}
						return nil
					}},
				}
				for _, st := range steps {
					before := rt.Count()
					if err := st.do(); err != nil {
						t.Fatalf("%s: %v", st.name, err)
					}
					if got := rt.Count() - before; got != 1 {
						t.Errorf("%s took %d round trips, want 1", st.name, got)
					}
				}
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
