package redisstore_test

import (
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/gintest"
	"github.com/ginsession/ginsession/stores/redisstore"
)

// TestRoundTripsPerRequest serves requests through a real gin.Engine and
// counts what each costs Redis.
func TestRoundTripsPerRequest(t *testing.T) {
	rt := new(testenv.RoundTrips)
	o := testenv.RedisOptions()
	o.Dialer, o.PoolSize = rt.DialContext, 1
	client := testenv.OpenRedis(t, o)
	prefix := testenv.RedisPrefix(t, client, "gs_test_")
	s, err := redisstore.New(client, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	got := gintest.RoundTripsPerRequest(t, s, rt)
	gintest.Expect(t, got, map[string]int64{
		gintest.Untouched: 0, gintest.Read: 1, gintest.Write: 2, gintest.New: 1,
	})
	// SaveEveryRequest, unchanged session: GET, then PEXPIRE (Touch).
	if n := gintest.RoundTripsUnchangedSaveEveryRequest(t, s, rt); n != 2 {
		t.Errorf("an unchanged request under SaveEveryRequest took %d round trips, want 2 (GET, PEXPIRE)", n)
	}
}
