package main

import (
	"fmt"
	"log"
	"os"
	"strconv"
	"strings"
)

// pairedRun is TestPaired's output: each contender's 10th percentile and
// median ns per request, in the order printed.
type pairedRun struct {
	p10, med map[string]float64
	order    []string
}

func readPaired(path string) *pairedRun {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	pr := &pairedRun{p10: map[string]float64{}, med: map[string]float64{}}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || f[0] != "PAIRED" {
			continue
		}
		name := f[1]
		for _, kv := range f[2:] {
			k, v, _ := strings.Cut(kv, "=")
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			switch k {
			case "p10":
				pr.p10[name] = x
			case "median":
				pr.med[name] = x
			}
		}
		pr.order = append(pr.order, name)
	}
	if len(pr.order) == 0 {
		return nil
	}
	return pr
}

// writePaired writes the round-robin cross-check and returns the store
// targets judged on its p10s, by target.
func (r *report) writePaired(pr *pairedRun) map[string]target {
	r.printf("## Round-robin cross-check\n\n")
	r.printf("`TestPaired` serves small batches for each contender and the bare handler in turn, timing each batch, so a busy spell on the machine slows them alike. ")
	r.printf("ns per request, 10th percentile and median of the batches; the ratio is the best peer's p10 ÷ ginsession's p10; the overhead is p10 minus the bare handler's p10 in the same round robin. ")
	r.printf("The contenders share one heap here, so a garbage collection set off by one library's garbage can land in another's batch: this check is about machine load, not about who pays for the GC.\n\n")
	r.printf("| Store/scenario | Library | p10 ns | median ns | over bare (p10) | ratio (p10) |\n| --- | --- | ---: | ---: | ---: | ---: |\n")
	for _, name := range pr.order {
		i := strings.LastIndex(name, "/")
		group, lib := name[:i], name[i+1:]
		if lib == "bare" {
			continue
		}
		over := ""
		if b, ok := pr.p10[group+"/bare"]; ok {
			over = fmt.Sprintf("%+.0f", pr.p10[name]-b)
		}
		ratio := ""
		if lib == "ginsession" {
			best := 0.0
			for _, p := range peers {
				if v, ok := pr.p10[group+"/"+p]; ok && (best == 0 || v < best) {
					best = v
				}
			}
			if best > 0 {
				ratio = fmt.Sprintf("%.2fx", best/pr.p10[name])
			}
		}
		r.printf("| %s | %s | %.0f | %.0f | %s | %s |\n", group, lib, pr.p10[name], pr.med[name], over, ratio)
	}
	r.printf("\n")
	// The p10s as results named like the benchmarks (allocs/op and rtt/op
	// from the benchmarks, which load does not change), to judge the
	// targets on them too.
	res := map[string]*result{}
	for _, name := range pr.order {
		i := strings.LastIndex(name, "/")
		group, lib := name[:i], name[i+1:]
		store, scenario, _ := strings.Cut(group, "/")
		bench := group + "/" + lib
		switch lib {
		case "bare":
			if scenario != "untouched" {
				continue
			}
			bench = store + "/bare"
		case "raw", "raw-reqctx":
			op := map[string]string{"Redis": "raw-GET", "MySQL": "raw-SELECT"}[store]
			bench = store + "/" + op + strings.TrimPrefix(lib, "raw")
		}
		rr := &result{name: bench, metrics: map[string][]float64{"ns/op": {pr.p10[name]}}}
		if b := r.res[bench]; b != nil {
			for _, u := range []string{"allocs/op", "B/op", "rtt/op"} {
				if v, ok := b.median(u); ok {
					rr.metrics[u] = []float64{v}
				}
			}
		}
		res[bench] = rr
	}
	p := &report{res: res, w: new(strings.Builder)}
	cross := map[string]target{}
	for _, st := range stores {
		bare, ok := p.get(st.bench+"/bare", "ns/op")
		for _, t := range p.targets(st.bench, st.title, bare, ok) {
			cross[t.what] = t
		}
	}
	return cross
}
