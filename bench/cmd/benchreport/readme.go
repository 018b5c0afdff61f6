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

// updateReadme rewrites the README's summary: per store and scenario,
// ginsession beside the best peer in process (time and allocations) and,
// where measured, end to end (requests/s).
func (r *report) updateReadme(path string, meta map[string]string, e2e map[string]e2eResult) error {
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
	load := ""
	if b, a := meta["load average before"], meta["load average after"]; b != "" {
		load = fmt.Sprintf("; load average %s before, %s after", b, a)
	}
	fmt.Fprintf(&w, "From `bench/run.sh` (%s; %s%s). *In process* is the library alone through a `gin.Engine` (median ns/op, allocs/op), ", orDash(meta["date"]), orDash(meta["machine"]), load)
	fmt.Fprintf(&w, "*end to end* what a client sees through `net/http` on a loopback socket (requests/s); ratio = ginsession ÷ best peer for requests/s, ")
	fmt.Fprintf(&w, "best peer ÷ ginsession for time. Full tables and method: [BENCHMARKS.md](BENCHMARKS.md).\n\n")
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
	if bare, ok := r.get("Memory/bare", "ns/op"); ok {
		fmt.Fprintf(&w, "\nThe bare gin handler costs %s in process", fmtDur(bare))
		if v, ok := e2e["Memory/read/bare"]; ok {
			fmt.Fprintf(&w, " and serves %.0f requests/s end to end (p50 %s)", v.rps, fmtDur(v.p50*1e3))
		}
		fmt.Fprintf(&w, ": a request through a socket costs tens of microseconds before any session work, which is why end-to-end ratios are smaller than in-process ones.\n")
	}
	fmt.Fprintf(&w, "%s", readmeEnd)
	out := append(append(append([]byte(nil), b[:i]...), w.String()...), b[j+len(readmeEnd):]...)
	return os.WriteFile(path, out, 0o644)
}
