// Command benchreport turns the output of the bench package's runs into
// BENCHMARKS.md: each library's overhead over the bare handler first, then
// what a client sees end to end, the in-process tables per store, the
// growth and parallel tables, the round-robin cross-check and whether each
// target of issues #6 and #19 was met. With -readme it also rewrites the
// summary between the benchmark markers of README.md.
//
//	go run ./cmd/benchreport -in results/raw.txt -meta results/meta.txt \
//		-paired results/paired.txt -e2e results/e2e.txt -out ../BENCHMARKS.md -readme ../README.md
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// result holds every run's value of each metric of one benchmark.
type result struct {
	name    string
	metrics map[string][]float64
}

func (r *result) median(unit string) (float64, bool) {
	v := r.metrics[unit]
	if len(v) == 0 {
		return 0, false
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2], true
	}
	return (s[n/2-1] + s[n/2]) / 2, true
}

var procSuffix = regexp.MustCompile(`-\d+$`)

// parse reads benchmark lines: name, iterations, then value/unit pairs.
func parse(r io.Reader) (map[string]*result, []string, error) {
	res := map[string]*result{}
	var order []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
		rr := res[name]
		if rr == nil {
			rr = &result{name: name, metrics: map[string][]float64{}}
			res[name] = rr
			order = append(order, name)
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			rr.metrics[f[i+1]] = append(rr.metrics[f[i+1]], v)
		}
	}
	return res, order, sc.Err()
}

func readMeta(path string) (map[string]string, []string) {
	m := map[string]string{}
	var keys []string
	if path == "" {
		return m, keys
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		m[k] = strings.TrimSpace(v)
		keys = append(keys, k)
	}
	return m, keys
}

type report struct {
	res   map[string]*result
	order []string // benchmark names in the order first seen
	w     *strings.Builder
}

func (r *report) get(name, unit string) (float64, bool) {
	rr := r.res[name]
	if rr == nil {
		return 0, false
	}
	return rr.median(unit)
}

func (r *report) printf(format string, args ...any) { fmt.Fprintf(r.w, format, args...) }

func fmtNum(v float64, unit string) string {
	switch {
	case unit == "rtt/op":
		return strconv.FormatFloat(v, 'f', 2, 64)
	case v >= 100 || v <= -100:
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	default:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
}

// fmtDur writes nanoseconds as ns, µs or ms, three significant digits.
func fmtDur(ns float64) string {
	switch a := math.Abs(ns); {
	case a >= 1e6:
		return strconv.FormatFloat(ns/1e6, 'g', 3, 64) + " ms"
	case a >= 1e4:
		return strconv.FormatFloat(math.Round(ns/1e3), 'f', 0, 64) + " µs"
	case a >= 1e3:
		return strconv.FormatFloat(ns/1e3, 'f', 1, 64) + " µs"
	}
	return strconv.FormatFloat(math.Round(ns), 'f', 0, 64) + " ns"
}

var (
	stores    = []struct{ bench, title string }{{"Memory", "memory"}, {"Cookie", "signed cookie"}, {"Redis", "Redis"}, {"MySQL", "MySQL"}, {"File", "file (and SQLite)"}, {"Cached", "cached (cache + database)"}}
	scenarios = []string{"untouched", "read", "write", "new"} // first, in this order; others follow as run
	peers     = []string{"gin-contrib", "scs"}
	siblings  = []string{"ginsession-v9", "ginsession-sqlite"}
)

// scenariosOf returns the scenarios measured on store: the four of every
// run first, then any other a file of the bench package added, in the
// order they ran.
func (r *report) scenariosOf(store string) []string {
	out := append([]string(nil), scenarios...)
	seen := map[string]bool{}
	for _, sc := range scenarios {
		seen[sc] = true
	}
	for _, name := range r.order {
		rest, ok := strings.CutPrefix(name, store+"/")
		if !ok {
			continue
		}
		sc, lib, ok := strings.Cut(rest, "/")
		if !ok || seen[sc] || strings.Contains(lib, "/") {
			continue
		}
		seen[sc] = true
		out = append(out, sc)
	}
	return out
}

// best returns the peer with the smallest median of unit for store/scenario.
func (r *report) best(store, scenario, unit string) (string, float64, bool) {
	return r.bestOf(store+"/"+scenario+"/", unit)
}

// bestOf returns the peer with the smallest median of unit among the
// benchmarks named prefix + peer.
func (r *report) bestOf(prefix, unit string) (string, float64, bool) {
	bestLib, bestV, found := "", 0.0, false
	for _, p := range peers {
		v, ok := r.get(prefix+p, unit)
		if ok && (!found || v < bestV) {
			bestLib, bestV, found = p, v, true
		}
	}
	return bestLib, bestV, found
}

type target struct {
	what, result string
	met          bool
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func main() {
	in := flag.String("in", "results/raw.txt", "go test -bench output, any number of runs")
	metaPath := flag.String("meta", "", "key: value lines describing the machine and run")
	out := flag.String("out", "../BENCHMARKS.md", "the Markdown file to write")
	pairedPath := flag.String("paired", "", "output of TestPaired (PAIRED lines), optional")
	e2ePath := flag.String("e2e", "", "output of TestEndToEnd (E2E lines), optional")
	readme := flag.String("readme", "", "README.md whose benchmark summary (between its markers) to rewrite, optional")
	flag.Parse()
	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	res, order, err := parse(f)
	f.Close()
	if err != nil {
		log.Fatal(err)
	}
	meta, metaKeys := readMeta(*metaPath)
	r := &report{res: res, order: order, w: new(strings.Builder)}
	var e2e map[string]e2eResult
	if *e2ePath != "" {
		e2e = readE2E(*e2ePath)
	}
	var pr *pairedRun
	if *pairedPath != "" {
		pr = readPaired(*pairedPath)
	}

	r.printf("# Benchmarks\n\n")
	r.printf("ginsession beside [gin-contrib/sessions](https://github.com/gin-contrib/sessions) v1.0.4 and ")
	r.printf("[scs](https://github.com/alexedwards/scs) v2.9.0 (gin v1.12.0), all in the same run. ")
	r.printf("Generated by `bench/run.sh`; in-process figures are the **median** of the passes listed under \"Run\". ")
	r.printf("The method, scenario by scenario, is in [bench/README.md](bench/README.md).\n\n")
	r.howMade(e2e != nil)
	r.overhead()
	if e2e != nil {
		r.endToEnd(e2e)
	}
	r.run(meta, metaKeys)
	var targets []target
	r.printf("## In process, store by store\n\n")
	for _, st := range stores {
		targets = append(targets, r.storeTable(st.bench, st.title)...)
	}
	r.floor()
	r.idleTimeout()
	targets = append(targets, r.growth()...)
	targets = append(targets, r.parallel(meta["cores"])...)
	if e2e != nil {
		targets = append(targets, e2eTargets(e2e)...)
	}
	var cross map[string]target
	if pr != nil {
		cross = r.writePaired(pr)
	}
	r.targetTable(targets, cross)
	r.rawOutput(*in)
	if err := os.WriteFile(*out, []byte(r.w.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	if *readme != "" {
		if err := r.updateReadme(*readme, e2e); err != nil {
			log.Fatal(err)
		}
	}
}

// howMade says how requests and responses are made, before any figure.
func (r *report) howMade(e2e bool) {
	r.printf("## How requests and responses are made\n\n")
	r.printf("- **In process** (every table but the end-to-end one): each request is a `*http.Request` copied from a template ")
	r.printf("(with the session cookie a first response set, and a cancellable context like net/http's), handed to a real `gin.Engine` ")
	r.printf("(`gin.New()`, release mode) through `ServeHTTP`; the response goes to a reusable in-memory `http.ResponseWriter` whose ")
	r.printf("header map and body are reset between requests. No socket, no HTTP parsing: the harness allocates nothing per request, so B/op and ")
	r.printf("allocs/op are the library's plus gin's own (the bare handler's 1 allocation). This isolates what a library costs; ")
	r.printf("a user's request also pays for the network and net/http, which the end-to-end table adds.\n")
	if e2e {
		r.printf("- **End to end**: each library behind its own `net/http` server on a 127.0.0.1 socket (`httptest.NewServer`), ")
		r.printf("%d client goroutines with one session each, keep-alive connections, the next request sent when the previous response is read; ", 4)
		r.printf("latency measured in the client. Client and server share the machine's cores.\n")
	}
	r.printf("- **Stores** are real: Redis and MySQL servers on loopback, their round trips counted at the socket (rtt/op).\n\n")
}

// run writes the machine and run description.
func (r *report) run(meta map[string]string, keys []string) {
	r.printf("## Run\n\n")
	r.printf("| | |\n| --- | --- |\n")
	for _, k := range keys {
		r.printf("| %s | %s |\n", k, strings.ReplaceAll(meta[k], "|", "\\|"))
	}
	r.printf("\n")
	if meta["load average before"] != "" {
		r.printf("**Caveat:** on a shared machine the load averages above say how busy it was. " +
			"Each pass runs every contender one after the other, so a busy spell slows them alike, but absolute ns/op are noisier than on an idle machine. " +
			"B/op, allocs/op and rtt/op do not depend on load.\n\n")
	}
}

func (r *report) targetTable(targets []target, cross map[string]target) {
	r.printf("## Targets (issues #6 and #19)\n\n")
	r.printf("Judged on the benchmark medians above; the cross-check column judges the same target on the round-robin p10s, which machine load cannot tilt between contenders.\n\n")
	r.printf("| Target | Result (benchmark medians) | Met | Cross-check (round-robin p10) | Met |\n| --- | --- | --- | --- | --- |\n")
	for _, t := range targets {
		c, ok := cross[t.what]
		cr, cm := "", ""
		if ok {
			cr, cm = c.result, yes(c.met)
		}
		r.printf("| %s | %s | %s | %s | %s |\n", t.what, t.result, yes(t.met), cr, cm)
	}
	r.printf("\n")
}

func (r *report) rawOutput(path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	r.printf("## Raw output\n\nEvery line the runs printed, from which the medians above are taken.\n\n<details><summary>%d benchmark lines</summary>\n\n```\n", strings.Count(string(raw), "\nBenchmark"))
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "Benchmark") {
			r.printf("%s\n", strings.Join(strings.Fields(line), " "))
		}
	}
	r.printf("```\n\n</details>\n")
}
