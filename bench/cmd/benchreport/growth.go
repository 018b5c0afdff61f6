package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// growthCase is a session size as the benchmarks name it: "100x10KB".
type growthCase struct {
	name  string
	n     int
	bytes int
}

var caseRE = regexp.MustCompile(`^(\d+)x(\d+)(B|KB)$`)

// growthCasesOf returns the sizes measured for Growth/<store>/<op>, in the
// order of the run.
func (r *report) growthCasesOf(store, op string, order []string) []growthCase {
	seen := map[string]bool{}
	var cs []growthCase
	prefix := "Growth/" + store + "/" + op + "/"
	for _, name := range order {
		rest, ok := strings.CutPrefix(name, prefix)
		if !ok {
			continue
		}
		c, _, _ := strings.Cut(rest, "/")
		m := caseRE.FindStringSubmatch(c)
		if m == nil || seen[c] {
			continue
		}
		seen[c] = true
		n, _ := strconv.Atoi(m[1])
		size, _ := strconv.Atoi(m[2])
		if m[3] == "KB" {
			size <<= 10
		}
		cs = append(cs, growthCase{c, n, n * size})
	}
	return cs
}

// growth writes the growth tables and returns their targets: ahead of
// every peer at every size, and no cost growing faster than the session.
func (r *report) growth() []target {
	order := r.order
	var ts []target
	wrote := false
	for _, st := range []struct{ bench, title string }{{"Memory", "memory"}, {"Cookie", "signed cookie"}, {"Redis", "Redis"}} {
		for _, op := range []string{"read", "write", "delete"} {
			cases := r.growthCasesOf(st.bench, op, order)
			if len(cases) == 0 {
				continue
			}
			if !wrote {
				r.printf("## Growth: cost as the session grows\n\n")
				r.printf("`BenchmarkGrowth`: sessions of n values of a given size each (letters and digits at random, so compression has little to find), ")
				r.printf("*read* returns one value, *write* replaces one with another of the same size (every request saves the whole session), ")
				r.printf("*delete* removes the last key and stores it again (ginsession only: no Delete may be quadratic). ")
				r.printf("Median ns/op; the ratio is the best peer's ÷ ginsession's; *ginsession ×* is how much ginsession's time grew over the previous row ")
				r.printf("of the same value size, whose session was 10x smaller: about 10x is linear, 100x would be quadratic.\n\n")
				wrote = true
			}
			// ginsession's other contender of the store (go-redis v9 beside
			// v8) gets a column and a ratio of its own.
			ours := []string{"ginsession"}
			for _, o := range []string{"ginsession-v9"} {
				if _, ok := r.get("Growth/"+st.bench+"/"+op+"/"+cases[0].name+"/"+o, "ns/op"); ok {
					ours = append(ours, o)
				}
			}
			libs := append([]string(nil), ours...)
			for _, p := range peers {
				if _, ok := r.get("Growth/"+st.bench+"/"+op+"/"+cases[0].name+"/"+p, "ns/op"); ok {
					libs = append(libs, p)
				}
			}
			r.printf("### %s, %s\n\n| Session | ", st.title, op)
			for _, l := range libs {
				r.printf("%s | ", l)
			}
			for _, o := range ours {
				r.printf("%s | ", ratioName(o))
			}
			r.printf("ginsession × | ginsession allocs |\n| --- |")
			for range libs {
				r.printf(" ---: |")
			}
			for range ours {
				r.printf(" ---: |")
			}
			r.printf(" ---: | ---: |\n")
			behind := make([][]string, len(ours))
			worst, worstAt := 0.0, ""
			prev := map[int]float64{} // per value size: ginsession's time of the smaller session
			for _, c := range cases {
				base := "Growth/" + st.bench + "/" + op + "/" + c.name + "/"
				gs, ok := r.get(base+"ginsession", "ns/op")
				if !ok {
					continue
				}
				r.printf("| %s (%s) |", c.name, byteSizeName(c.bytes))
				for _, l := range libs {
					v, ok := r.get(base+l, "ns/op")
					if !ok {
						r.printf(" — |")
						continue
					}
					r.printf(" %s |", fmtDur(v))
				}
				p, b, havePeer := r.bestOf(base, "ns/op")
				for i, o := range ours {
					v, ok := r.get(base+o, "ns/op")
					if !ok || !havePeer {
						r.printf("  |")
						continue
					}
					r.printf(" %.2fx |", b/v)
					if b < v {
						behind[i] = append(behind[i], fmt.Sprintf("%s (%s %.2fx)", c.name, p, b/v))
					}
				}
				growth := ""
				size := c.bytes / c.n
				if p, ok := prev[size]; ok {
					g := gs / p
					growth = fmt.Sprintf("%.1fx", g)
					if g > worst {
						worst, worstAt = g, c.name
					}
				}
				prev[size] = gs
				al, _ := r.get(base+"ginsession", "allocs/op")
				r.printf(" %s | %s |\n", growth, fmtNum(al, ""))
			}
			r.printf("\n")
			if len(libs) > len(ours) {
				for i, o := range ours {
					res := "at every size"
					if len(behind[i]) > 0 {
						res = "behind at " + strings.Join(behind[i], ", ")
					}
					what := fmt.Sprintf("growth, %s %s: ahead of every peer at every size", st.title, op)
					if o != "ginsession" {
						what = fmt.Sprintf("growth, %s %s (%s): ahead of every peer at every size", st.title, op, o)
					}
					ts = append(ts, target{what: what, result: res, met: len(behind[i]) == 0})
				}
			}
			if worstAt != "" {
				ts = append(ts, target{
					what:   fmt.Sprintf("growth, %s %s: no step of 10x more data costs over 20x", st.title, op),
					result: fmt.Sprintf("largest step %.1fx (to %s)", worst, worstAt),
					met:    worst <= 20,
				})
			}
		}
	}
	return ts
}

// ratioName heads the ratio column of one of ginsession's contenders.
func ratioName(lib string) string {
	if lib == "ginsession" {
		return "ratio"
	}
	return "ratio (" + strings.TrimPrefix(lib, "ginsession-") + ")"
}

func byteSizeName(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%g MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%g KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
