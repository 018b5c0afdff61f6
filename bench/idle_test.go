package bench

import (
	"os"
	"testing"
	"time"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redisstore"
)

// idle is the idle timeout of issue #14's measurement.
var idle = ginsession.WithIdleTimeout(30 * time.Minute)

// idleContenders are, per store, ginsession with its default options and
// with the idle timeout.
var idleContenders = []struct {
	store string
	cs    []contender
}{
	{"Memory", []contender{{"ginsession", ginsessionMemory}, {"ginsession-idle", ginsessionMemoryIdle}}},
	{"Redis", []contender{{"ginsession", ginsessionRedis}, {"ginsession-idle", ginsessionRedisIdle}}},
}

// BenchmarkIdleTimeout measures what an idle timeout adds to a read: the
// read scenario on the memory and Redis stores, ginsession with its
// default options beside ginsession with WithIdleTimeout(30*time.Minute),
// seconds apart in the same run. Every timed request falls within the
// minute after the last slide, as almost every request of a session in
// use does: one load of the data with its expiry (Redis: one EVALSHA of
// GET and PTTL instead of a GET), the decision, no write.
func BenchmarkIdleTimeout(b *testing.B) {
	for _, st := range idleContenders {
		b.Run(st.store+"/read", func(b *testing.B) {
			for _, c := range st.cs {
				b.Run(c.lib, func(b *testing.B) { runScenario(b, c.setup(b), scenarioRead) })
			}
		})
	}
}

// TestIdleTimeoutScenario runs the read scenario of the idle contenders
// once and checks it: the stored value, and one store round trip.
func TestIdleTimeoutScenario(t *testing.T) {
	for _, st := range idleContenders {
		t.Run(st.store, func(t *testing.T) {
			in := st.cs[1].setup(t)
			step, after := scenarioRead.prepare(t, in)
			in.rt.reset()
			step(t)
			if got := in.rt.load(); in.rt != nil && got != 1 {
				t.Errorf("read: %d store round trips, want 1", got)
			}
			after(t, 1)
		})
	}
}

// TestIdleTimeoutPaired is BenchmarkIdleTimeout as a round robin of small
// batches (see TestPaired), which machine load cannot tilt between the two:
//
//	PAIRED IdleTimeout/<Store>/read/<library> p10=<ns> median=<ns> batches=<n>
func TestIdleTimeoutPaired(t *testing.T) {
	if os.Getenv("BENCH_PAIRED") == "" {
		t.Skip("set BENCH_PAIRED=1 to run the round-robin cross-check")
	}
	per := 6 * time.Second
	if d, err := time.ParseDuration(os.Getenv("BENCH_PAIRED_TIME")); err == nil {
		per = d
	}
	for _, st := range idleContenders {
		batch := 50
		if st.store == "Redis" {
			batch = 5
		}
		t.Run(st.store, func(t *testing.T) { paired(t, "IdleTimeout/"+st.store, scenarioRead, st.cs, batch, per) })
	}
}

var scenarioRead = scenario{"read", prepareRead}

func ginsessionMemoryIdle(tb testing.TB) *instance {
	return ginsessionInstance(mustNew(memstore.New()), nil, idle)
}

func ginsessionRedisIdle(tb testing.TB) *instance {
	rt := new(rtCounter)
	prefix := "bench:ginsession-idle:" + runID + ":"
	store, err := redisstore.New(goRedis(tb, rt, prefix), redisstore.WithPrefix(prefix))
	if err != nil {
		tb.Fatalf("redisstore: %v", err)
	}
	return ginsessionInstance(store, rt, idle)
}
