package main

import (
	"fmt"
	"strings"
)

// libsOf returns the libraries measured on store, ginsession first.
func (r *report) libsOf(store string) []string {
	var libs []string
	for _, l := range append(append([]string{"ginsession"}, peers...), siblings...) {
		if _, ok := r.get(store+"/read/"+l, "ns/op"); ok {
			libs = append(libs, l)
		}
	}
	return libs
}

// overhead leads the report: what each library adds to the bare handler,
// in time and allocations, store by store and scenario by scenario.
func (r *report) overhead() {
	r.printf("## Overhead over the bare handler\n\n")
	r.printf("What each library adds to a gin handler that does not use sessions at all (the bare row of the same store's run, ")
	r.printf("measured seconds apart): median ns/op and allocs/op minus the bare handler's. *untouched* is a request that carries the session cookie ")
	r.printf("to a handler that ignores the session, most requests of a real site. The last column is the best peer's overhead ÷ ginsession's ")
	r.printf("(above 1: ginsession adds less).\n\n")
	r.printf("| Store | Scenario | bare handler | ginsession | gin-contrib | scs | best peer ÷ ginsession |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, st := range stores {
		bare, ok := r.get(st.bench+"/bare", "ns/op")
		if !ok {
			continue
		}
		bareAl, _ := r.get(st.bench+"/bare", "allocs/op")
		for _, sc := range r.scenariosOf(st.bench) {
			cells := map[string]string{}
			over := map[string]float64{}
			for _, l := range append([]string{"ginsession"}, peers...) {
				ns, ok := r.get(st.bench+"/"+sc+"/"+l, "ns/op")
				if !ok {
					continue
				}
				al, _ := r.get(st.bench+"/"+sc+"/"+l, "allocs/op")
				over[l] = ns - bare
				cells[l] = fmt.Sprintf("%+.0f ns, %+.0f allocs", ns-bare, al-bareAl)
			}
			g, ok := over["ginsession"]
			if !ok {
				continue
			}
			ratio := ""
			bestPeer := 0.0
			for _, p := range peers {
				if v, ok := over[p]; ok && (bestPeer == 0 || v < bestPeer) {
					bestPeer = v
				}
			}
			if bestPeer != 0 && g > 0 {
				ratio = fmt.Sprintf("%.2fx", bestPeer/g)
			}
			r.printf("| %s | %s | %s ns, %.0f alloc | %s | %s | %s | %s |\n", st.title, sc, fmtNum(bare, ""), bareAl, cells["ginsession"], orBlank(cells["gin-contrib"]), orBlank(cells["scs"]), ratio)
		}
	}
	r.printf("\nscs has no cookie store and gin-contrib no MySQL one; scs loads the session of every request that carries a cookie, used or not, which is its untouched cost on the server stores.\n\n")
	r.printf("On an untouched request ginsession does what Django's middleware does and gin-contrib does not: it reads the session cookie and checks the key's form, ")
	r.printf("so that an invalid cookie is deleted even when the handler never uses the session, and it puts its own writer in front of the response, so a session first used late in the request is still saved before the headers go out. ")
	r.printf("gin-contrib reads no cookie until a handler asks for the session and leaves saving to the handler. ")
	r.printf("The cookie check alone is `BenchmarkReadSessionCookie` in the root package.\n\n")
}

func orBlank(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// storeTable writes one store's in-process table and returns its targets.
func (r *report) storeTable(store, title string) []target {
	libs := r.libsOf(store)
	if len(libs) == 0 {
		return nil
	}
	_, hasRT := r.get(store+"/read/"+libs[0], "rtt/op")
	bare, haveBare := r.get(store+"/bare", "ns/op")
	r.printf("### %s\n\n", title)
	r.printf("Time ratio = best peer's ns/op ÷ ginsession's (above 1: ginsession is faster); alloc ratio = ginsession's allocs/op ÷ the peer's with the fewest.\n\n")
	r.printf("| Scenario | Library | ns/op | B/op | allocs/op |")
	if hasRT {
		r.printf(" rtt/op |")
	}
	r.printf(" time ratio | alloc ratio |\n| --- | --- | ---: | ---: | ---: |")
	if hasRT {
		r.printf(" ---: |")
	}
	r.printf(" ---: | ---: |\n")
	for _, sc := range r.scenariosOf(store) {
		for _, l := range libs {
			rr := r.res[store+"/"+sc+"/"+l]
			if rr == nil {
				continue
			}
			ns, _ := rr.median("ns/op")
			bop, _ := rr.median("B/op")
			al, _ := rr.median("allocs/op")
			r.printf("| %s | %s | %s | %s | %s |", sc, l, fmtNum(ns, "ns/op"), fmtNum(bop, "B/op"), fmtNum(al, "allocs/op"))
			if hasRT {
				rt, _ := rr.median("rtt/op")
				r.printf(" %s |", fmtNum(rt, "rtt/op"))
			}
			tr, ar := "", ""
			if l == "ginsession" {
				if _, bns, ok := r.best(store, sc, "ns/op"); ok {
					tr = fmt.Sprintf("%.2fx", bns/ns)
				}
				if _, bal, ok := r.best(store, sc, "allocs/op"); ok && bal > 0 {
					ar = fmt.Sprintf("%.2f", al/bal)
				}
			}
			r.printf(" %s | %s |\n", tr, ar)
		}
	}
	r.printf("\n")
	if haveBare {
		r.printf("Bare handler in this run: %s ns/op.\n\n", fmtNum(bare, "ns/op"))
	}
	return r.targets(store, title, bare, haveBare)
}

// floor writes what no library can beat: the bare handler and one raw
// store call.
func (r *report) floor() {
	r.printf("### Floor\n\nWhat no session library can beat, measured inside each store's benchmark, just before its contenders.\n\n")
	r.printf("| What | ns/op | B/op | allocs/op | rtt/op |\n| --- | ---: | ---: | ---: | ---: |\n")
	for _, st := range stores {
		r.row("bare gin handler, no session middleware (in the "+st.title+" run)", st.bench+"/bare")
	}
	r.row("the least work that starts a session on the memory store: gin's c.Set, stores.NewKey, one memstore Create, a fixed Set-Cookie line (newSessionFloor)", "Memory/raw-new")
	r.row("one raw go-redis v8 GET, context.Background()", "Redis/raw-GET")
	r.row("one raw go-redis v8 GET, cancellable context (as a request's)", "Redis/raw-GET-reqctx")
	r.row("one raw MySQL SELECT by primary key, context.Background()", "MySQL/raw-SELECT")
	r.row("one raw MySQL SELECT by primary key, cancellable context (as a request's)", "MySQL/raw-SELECT-reqctx")
	r.printf("\n")
}

func (r *report) row(title, name string) {
	rr := r.res[name]
	if rr == nil {
		return
	}
	ns, _ := rr.median("ns/op")
	bop, _ := rr.median("B/op")
	al, _ := rr.median("allocs/op")
	rts := ""
	if rt, ok := rr.median("rtt/op"); ok {
		rts = fmtNum(rt, "rtt/op")
	}
	r.printf("| %s | %s | %s | %s | %s |\n", title, fmtNum(ns, "ns/op"), fmtNum(bop, "B/op"), fmtNum(al, "allocs/op"), rts)
}

// targets evaluates the per-store targets of issues #6 and #19.
func (r *report) targets(store, title string, bare float64, haveBare bool) []target {
	var ts []target
	g := func(lib, sc, unit string) (float64, bool) { return r.get(store+"/"+sc+"/"+lib, unit) }
	if _, ok := g("ginsession", "read", "ns/op"); !ok {
		return nil
	}
	// untouched: overhead and allocations no larger than gin-contrib's, and
	// 0 round trips.
	if u, ok := g("ginsession", "untouched", "ns/op"); ok && haveBare {
		if gc, ok := g("gin-contrib", "untouched", "ns/op"); ok {
			ts = append(ts, target{
				what:   title + ": untouched overhead over bare ≤ gin-contrib's",
				result: fmt.Sprintf("ginsession %+.0f ns, gin-contrib %+.0f ns", u-bare, gc-bare),
				met:    u-bare <= gc-bare,
			})
		}
	}
	if u, ok := g("ginsession", "untouched", "allocs/op"); ok {
		if gc, ok := g("gin-contrib", "untouched", "allocs/op"); ok {
			ts = append(ts, target{
				what:   title + ": untouched allocs/op ≤ gin-contrib's",
				result: fmt.Sprintf("ginsession %.0f, gin-contrib %.0f", u, gc),
				met:    u <= gc,
			})
		}
	}
	if rt, ok := g("ginsession", "untouched", "rtt/op"); ok {
		res := fmt.Sprintf("ginsession %.2f", rt)
		if s, ok := g("scs", "untouched", "rtt/op"); ok {
			res += fmt.Sprintf(", scs %.2f", s)
		}
		ts = append(ts, target{what: title + ": untouched makes 0 store round trips", result: res, met: rt == 0})
	}
	switch store {
	case "Memory", "Cookie":
		for _, sc := range []string{"read", "write", "new"} {
			ns, _ := g("ginsession", sc, "ns/op")
			al, _ := g("ginsession", sc, "allocs/op")
			want := 3.0
			if store == "Cookie" && sc == "new" {
				want = 2 // issue #19
			}
			if p, bns, ok := r.best(store, sc, "ns/op"); ok {
				res := fmt.Sprintf("%.2fx (ginsession %s ns, %s %s ns)", bns/ns, fmtNum(ns, ""), p, fmtNum(bns, ""))
				if fl, ok := r.get(store+"/raw-"+sc, "ns/op"); ok {
					// What the ratio could be at best: the peer against
					// the least work the scenario needs.
					res += fmt.Sprintf("; the floor (raw-%s, %s ns) would be %.2fx, and ginsession is %.2fx the floor", sc, fmtNum(fl, ""), bns/fl, ns/fl)
				}
				ts = append(ts, target{
					what:   fmt.Sprintf("%s %s: ≥ %gx faster than the best peer", title, sc, want),
					result: res,
					met:    bns/ns >= want,
				})
			}
			if p, bal, ok := r.best(store, sc, "allocs/op"); ok {
				ts = append(ts, target{
					what:   fmt.Sprintf("%s %s: ≤ ¼ of the best peer's allocs/op", title, sc),
					result: fmt.Sprintf("%.2f (ginsession %s, %s %s)", al/bal, fmtNum(al, ""), p, fmtNum(bal, "")),
					met:    al <= bal/4,
				})
			}
		}
	case "Redis", "MySQL":
		want := map[string]float64{"untouched": 0, "read": 1, "write": 2, "new": 1}
		var got []string
		met := true
		for _, sc := range scenarios {
			rt, ok := g("ginsession", sc, "rtt/op")
			if !ok {
				met = false
				got = append(got, sc+" ?")
				continue
			}
			got = append(got, fmt.Sprintf("%s %.2f", sc, rt))
			if rt != want[sc] {
				met = false
			}
		}
		ts = append(ts, target{what: title + ": round trips 0/1/2/1 (untouched/read/write/new)", result: strings.Join(got, ", "), met: met})
		floor := map[string]string{"Redis": "Redis/raw-GET", "MySQL": "MySQL/raw-SELECT"}[store]
		read, _ := g("ginsession", "read", "ns/op")
		for _, f := range []struct{ suffix, what string }{{"", "context.Background()"}, {"-reqctx", "a request's cancellable context"}} {
			raw, okRaw := r.get(floor+f.suffix, "ns/op")
			if okRaw && haveBare {
				lim := 1.15 * (bare + raw)
				ts = append(ts, target{
					what:   fmt.Sprintf("%s: read ≤ 1.15 × (bare + raw round trip with %s)", title, f.what),
					result: fmt.Sprintf("%s ns vs limit %s ns (bare %s + raw %s); ratio %.2f", fmtNum(read, ""), fmtNum(lim, ""), fmtNum(bare, ""), fmtNum(raw, ""), read/(bare+raw)),
					met:    read <= lim,
				})
			}
		}
	}
	return ts
}
