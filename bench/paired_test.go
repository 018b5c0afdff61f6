package bench

import (
	"fmt"
	"os"
	"sort"
	"testing"
	"time"
)

// TestPaired is a cross-check of the benchmarks that machine load cannot
// skew: for each store and scenario it serves small batches of requests for
// every contender (and the bare handler) in round robin, timing each batch,
// so a busy spell slows them alike, each round starting one place further
// on, so no contender always follows the same one, and prints the 10th
// percentile and the median ns per request of each as
//
//	PAIRED <Store>/<scenario>/<library> p10=<ns> median=<ns> batches=<n>
//
// run.sh runs it (BENCH_PAIRED=1) and benchreport puts the ratios in
// BENCHMARKS.md beside the benchmarks'.
func TestPaired(t *testing.T) {
	if os.Getenv("BENCH_PAIRED") == "" {
		t.Skip("set BENCH_PAIRED=1 to run the round-robin cross-check")
	}
	per := 6 * time.Second
	if d, err := time.ParseDuration(os.Getenv("BENCH_PAIRED_TIME")); err == nil {
		per = d
	}
	for _, g := range []struct {
		store string
		cs    []contender
		batch int
	}{
		{"Memory", memoryContenders, 50},
		{"Cookie", cookieContenders, 50},
		{"Redis", redisContenders, 5},
		{"MySQL", mysqlContenders, 2},
	} {
		t.Run(g.store, func(t *testing.T) {
			for _, sc := range scenarios {
				batch := g.batch
				if sc.name == "untouched" {
					// Neither ginsession nor gin-contrib calls the store
					// here: a batch of a few requests of a few hundred ns
					// would time mostly the cold caches every switch of
					// contender leaves, and the larger middleware the more.
					batch = max(batch, untouchedBatch)
				}
				t.Run(sc.name, func(t *testing.T) { paired(t, g.store, sc, g.cs, batch, per/time.Duration(len(scenarios))) })
			}
		})
	}
}

// untouchedBatch is the fewest requests of the untouched scenario a batch
// holds, whatever the store: as many as the memory store's batches.
const untouchedBatch = 50

func paired(t *testing.T, store string, sc scenario, cs []contender, batch int, budget time.Duration) {
	type runner struct {
		name string
		step func(testing.TB)
		ns   []float64
	}
	bare := newClient(&instance{h: bareEngine()}, "/untouched", "")
	rs := []*runner{{name: "bare", step: func(tb testing.TB) { bare.do() }}}
	if sc.name == "read" {
		// The raw store call, as in the benchmarks' floor.
		switch store {
		case "Redis":
			rs = append(rs, &runner{name: "raw", step: redisFloor(t, false)}, &runner{name: "raw-reqctx", step: redisFloor(t, true)})
		case "MySQL":
			rs = append(rs, &runner{name: "raw", step: mysqlFloor(t, false)}, &runner{name: "raw-reqctx", step: mysqlFloor(t, true)})
		}
	}
	for _, c := range cs {
		step, _ := sc.prepare(t, c.setup(t))
		rs = append(rs, &runner{name: c.lib, step: step})
	}
	// Each round starts one runner further on, so every runner takes every
	// place in the order alike: the one after a contender that waits on
	// the network runs on caches (and often a CPU) that wait left cold,
	// which cost whoever came first after scs ~50 ns a request (two
	// ginsession contenders, identical but for the store they never call
	// here, swapped places and figures).
	for round, end := 0, time.Now().Add(budget); time.Now().Before(end); round++ {
		for i := range rs {
			r := rs[(round+i)%len(rs)]
			start := time.Now()
			for range batch {
				r.step(t)
			}
			r.ns = append(r.ns, float64(time.Since(start).Nanoseconds())/float64(batch))
		}
	}
	for _, r := range rs {
		sort.Float64s(r.ns)
		fmt.Printf("PAIRED %s/%s/%s p10=%.0f median=%.0f batches=%d\n", store, sc.name, r.name, r.ns[len(r.ns)/10], r.ns[len(r.ns)/2], len(r.ns))
	}
}
