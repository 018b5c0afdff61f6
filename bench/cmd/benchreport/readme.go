package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// The README's benchmark summary sits between these markers; -readme
// rewrites what is between them.
const (
	readmeStart = "<!-- benchmarks:start (written by bench/run.sh) -->"
	readmeEnd   = "<!-- benchmarks:end -->"
)

// updateReadme rewrites the README's summary, one table: per store and
// scenario, ginsession beside the best peer in process (time and
// allocations) and, where measured, end to end (requests/s). It holds no
// date or machine: those are in BENCHMARKS.md, written from the same run.
func (r *report) updateReadme(path string, e2e map[string]e2eResult) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i, j := bytes.Index(b, []byte(readmeStart)), bytes.Index(b, []byte(readmeEnd))
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %q ... %q markers", path, readmeStart, readmeEnd)
	}
	var w strings.Builder
	fmt.Fprintf(&w, "%s\n", readmeStart)
	// Only the table: the run's date, machine and load, and the method, are
	// in BENCHMARKS.md, which the same run writes.
	fmt.Fprintf(&w, "| store | scenario | in process: ginsession | best peer | ratio | end to end: ginsession | best peer | ratio |\n| --- | --- | --- | --- | ---: | --- | --- | ---: |\n")
	for _, st := range []struct{ bench, title string }{{"Memory", "memory"}, {"Cookie", "signed cookie"}, {"Redis", "Redis"}, {"MySQL", "MySQL"}} {
		for _, sc := range r.scenariosOf(st.bench) {
			ns, ok := r.get(st.bench+"/"+sc+"/ginsession", "ns/op")
			if !ok {
				continue
			}
			al, _ := r.get(st.bench+"/"+sc+"/ginsession", "allocs/op")
			p, pns, okp := r.best(st.bench, sc, "ns/op")
			peer, ratio := "—", ""
			if okp {
				pal, _ := r.get(st.bench+"/"+sc+"/"+p, "allocs/op")
				peer, ratio = fmt.Sprintf("%s %s, %.0f allocs", p, fmtDur(pns), pal), fmt.Sprintf("%.2fx", pns/ns)
			}
			e2eG, e2eP, e2eR := "", "", ""
			if v, ok := e2e[st.bench+"/"+sc+"/ginsession"]; ok {
				e2eG = fmt.Sprintf("%.0f/s", v.rps)
				if bp, b, ok := e2eBest(e2e, st.bench+"/"+sc); ok {
					e2eP, e2eR = fmt.Sprintf("%s %.0f/s", bp, b.rps), fmt.Sprintf("%.2fx", v.rps/b.rps)
				}
			}
			fmt.Fprintf(&w, "| %s | %s | %s, %.0f allocs | %s | %s | %s | %s | %s |\n", st.title, sc, fmtDur(ns), al, peer, ratio, e2eG, e2eP, e2eR)
		}
	}
	fmt.Fprintf(&w, "%s", readmeEnd)
	out := append(append(append([]byte(nil), b[:i]...), w.String()...), b[j+len(readmeEnd):]...)
	return os.WriteFile(path, out, 0o644)
}
