package bench

import (
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkParallel runs read and write from GOMAXPROCS goroutines at once,
// each with a session of its own, on the memory and Redis stores: a library
// that serialises requests on a lock shows it here as ns/op that does not
// fall with the number of cores.
func BenchmarkParallel(b *testing.B) {
	for _, g := range []struct {
		store string
		cs    []contender
	}{{"memory", memoryContenders}, {"redis", redisContenders}} {
		b.Run(g.store, func(b *testing.B) {
			for _, c := range g.cs {
				b.Run(c.lib, func(b *testing.B) {
					in := c.setup(b)
					b.Run("read", func(b *testing.B) { parallelScenario(b, in, "/read") })
					b.Run("write", func(b *testing.B) { parallelScenario(b, in, "/write") })
				})
			}
		})
	}
}

func parallelScenario(b *testing.B, in *instance, path string) {
	// One seeded, checked session per goroutine, made before the timer.
	n := runtime.GOMAXPROCS(0)
	clients := make([]*client, n)
	for i := range clients {
		cl := newClient(in, path, seed(b, in))
		cl.do()
		if path == "/read" {
			cl.check(b, nameValue)
		} else {
			cl.check(b, "1")
			cl.follow()
		}
		clients[i] = cl
	}
	var next atomic.Int64
	counts := make([]int, n)
	var failed atomic.Value
	b.ReportAllocs()
	in.rt.reset()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1) - 1)
		cl := clients[i]
		// Counted in a local and stored once: the goroutines' counts share
		// a cache line, and an increment of it per request would make the
		// cores wait for each other in the harness, not in the library.
		done := 0
		defer func() { counts[i] = done }()
		for pb.Next() {
			cl.do()
			if cl.w.code != http.StatusOK {
				failed.Store(fmt.Sprintf("GET %s: status %d: %s", path, cl.w.code, cl.w.body))
				return
			}
			if path == "/write" {
				cl.follow()
			}
			done++
		}
	})
	b.StopTimer()
	in.rt.report(b)
	if f := failed.Load(); f != nil {
		b.Fatal(f)
	}
	for i, cl := range clients {
		cl.do()
		if path == "/read" {
			cl.check(b, nameValue)
		} else {
			cl.check(b, strconv.Itoa(1+counts[i]+1))
		}
	}
}
