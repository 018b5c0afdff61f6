package main

import "fmt"

// parallel writes the RunParallel table and returns its targets: no lock in
// ginsession may hold back the second core more than the peers' do.
func (r *report) parallel(cores string) []target {
	var ts []target
	if _, ok := r.get("Parallel/memory/ginsession/read", "ns/op"); !ok {
		return nil
	}
	r.printf("## Parallel: throughput on all cores\n\n")
	r.printf("`BenchmarkParallel` at GOMAXPROCS=%s (`-test.cpu %s`): `b.RunParallel`, one goroutine per core, each with a session of its own. ", orDash(cores), orDash(cores))
	r.printf("ns/op is wall time per request over all goroutines; *speed-up* is the serial benchmark's ns/op ÷ this, which a library without a shared lock ")
	r.printf("brings near the number of cores on the memory store.\n\n")
	r.printf("| Store | Library | Scenario | ns/op | requests/s | B/op | allocs/op | rtt/op | speed-up |\n| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, st := range []struct{ p, s string }{{"memory", "Memory"}, {"redis", "Redis"}} {
		for _, sc := range []string{"read", "write"} {
			speed := map[string]float64{}
			for _, l := range append(append([]string{"ginsession"}, siblings...), peers...) {
				rr := r.res["Parallel/"+st.p+"/"+l+"/"+sc]
				if rr == nil {
					continue
				}
				ns, _ := rr.median("ns/op")
				bop, _ := rr.median("B/op")
				al, _ := rr.median("allocs/op")
				rts := ""
				if rt, ok := rr.median("rtt/op"); ok {
					rts = fmtNum(rt, "rtt/op")
				}
				sp := ""
				if s, ok := r.get(st.s+"/"+sc+"/"+l, "ns/op"); ok {
					speed[l] = s / ns
					sp = fmt.Sprintf("%.2fx", s/ns)
				}
				r.printf("| %s | %s | %s | %s | %.0f | %s | %s | %s | %s |\n", st.p, l, sc, fmtNum(ns, ""), 1e9/ns, fmtNum(bop, ""), fmtNum(al, ""), rts, sp)
			}
			g, ok := speed["ginsession"]
			bestP, best := "", 0.0
			for _, p := range peers {
				if v, ok := speed[p]; ok && v > best {
					bestP, best = p, v
				}
			}
			if ok && best > 0 {
				ts = append(ts, target{
					what:   fmt.Sprintf("parallel %s %s: speed-up ≥ 0.9 × the best peer's", st.p, sc),
					result: fmt.Sprintf("ginsession %.2fx, %s %.2fx", g, bestP, best),
					met:    g >= 0.9*best,
				})
			}
		}
	}
	r.printf("\n")
	return ts
}

func orDash(s string) string {
	if s == "" {
		return "N"
	}
	return s
}
