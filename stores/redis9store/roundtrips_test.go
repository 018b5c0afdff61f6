package redis9store

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/gintest"
	"github.com/ginsession/ginsession/stores"
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
			ctx := context.Background()
			exp := time.Now().Add(time.Hour)
			keys := make([]string, 40)
			for i := range keys {
				keys[i] = stores.NewKey()
			}
			// Warm up: a connection to every master, the slot map, COMMAND.
			for _, k := range keys {
				if err := s.Create(ctx, k, []byte("w"), exp); err != nil {
					t.Fatal(err)
				}
			}
			for _, k := range keys {
				for _, st := range []struct {
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
				} {
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
