package main

import "fmt"

// idleTimeout writes the table of BenchmarkIdleTimeout (issue #14): the
// read scenario with and without WithIdleTimeout, per store, and the
// ratio, whose target is at most 1.10.
func (r *report) idleTimeout() {
	if _, ok := r.get("IdleTimeout/Memory/read/ginsession", "ns/op"); !ok {
		return
	}
	r.printf("## Idle timeout (issue #14)\n\n")
	r.printf("The read scenario with `WithIdleTimeout(30*time.Minute)` beside the default options, seconds apart (`BenchmarkIdleTimeout`). Target: within 10%%.\n\n")
	r.printf("| Store | Options | ns/op | B/op | allocs/op | time ÷ default |\n| --- | --- | ---: | ---: | ---: | ---: |\n")
	for _, st := range []string{"Memory", "Redis"} {
		base, ok := r.get("IdleTimeout/"+st+"/read/ginsession", "ns/op")
		if !ok {
			continue
		}
		for _, l := range []struct{ lib, what string }{{"ginsession", "default"}, {"ginsession-idle", "`WithIdleTimeout(30*time.Minute)`"}} {
			name := "IdleTimeout/" + st + "/read/" + l.lib
			ns, ok := r.get(name, "ns/op")
			if !ok {
				continue
			}
			bop, _ := r.get(name, "B/op")
			al, _ := r.get(name, "allocs/op")
			r.printf("| %s | %s | %s | %s | %s | %s |\n", st, l.what, fmtNum(ns, "ns/op"), fmtNum(bop, "B/op"), fmtNum(al, "allocs/op"), fmt.Sprintf("%.2f", ns/base))
		}
	}
	r.printf("\n")
}
