package bench

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
)

// The growth benchmarks measure read, write and delete on sessions that
// hold n values of size bytes each: a cost that grows faster than the
// session would show as a ratio above 10 between two sizes ten times
// apart.
//
//	Growth/<Store>/<op>/<n>x<size>/<library>
//
// read returns k0; write replaces k0 with another value of the same size
// (a read-modify-write, so every request saves); delete removes the last
// key and stores it again, so the session keeps its size (ginsession only:
// it shows that no Delete is quadratic in the session's size).

// growthCase is a session of n values of size bytes.
type growthCase struct{ n, size int }

func (g growthCase) String() string { return fmt.Sprintf("%dx%s", g.n, byteSize(g.size)) }

func byteSize(n int) string {
	switch {
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "KB"
	default:
		return strconv.Itoa(n) + "B"
	}
}

// growthCases grow the number of keys at 100 B each, and the size of the
// values, up to 1 MB of session data.
var growthCases = []growthCase{
	{1, 100}, {10, 100}, {100, 100}, {1000, 100},
	{1, 10 << 10}, {10, 10 << 10}, {100, 10 << 10},
	{1, 100 << 10}, {10, 100 << 10},
}

// cookieGrowthCases are the cases that fit in a 4 KB cookie.
var cookieGrowthCases = []growthCase{{1, 100}, {10, 100}}

// growthValue returns the variant'th value of size bytes: letters and
// digits drawn at random (so compression has little to find), the same in
// every run.
func growthValue(size, variant int) string {
	growthMu.Lock()
	defer growthMu.Unlock()
	k := [2]int{size, variant}
	if v, ok := growthValues[k]; ok {
		return v
	}
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	rng := rand.New(rand.NewPCG(uint64(size), uint64(variant)))
	b := make([]byte, size)
	for i := range b {
		b[i] = chars[rng.IntN(len(chars))]
	}
	growthValues[k] = string(b)
	return growthValues[k]
}

var (
	growthMu     sync.Mutex
	growthValues = map[[2]int]string{}
	growthKeys   = func() []string {
		k := make([]string, 1000)
		for i := range k {
			k[i] = "k" + strconv.Itoa(i)
		}
		return k
	}()
)

func init() { routeSets = append(routeSets, growthRoutes) }

// growthRoutes serve the growth scenarios; n and size come in the query.
func growthRoutes(a adapter, r gin.IRoutes) {
	if a.get == nil || a.edit == nil {
		return
	}
	param := func(c *gin.Context) growthCase {
		n, _ := strconv.Atoi(c.Query("n"))
		size, _ := strconv.Atoi(c.Query("size"))
		return growthCase{n, size}
	}
	fail := func(c *gin.Context, err error) { c.String(http.StatusInternalServerError, err.Error()) }
	r.GET("/grow/fill", func(c *gin.Context) {
		g := param(c)
		set := make([]kv, g.n)
		for i := range set {
			set[i] = kv{growthKeys[i], growthValue(g.size, 0)}
		}
		if err := a.edit(c, nil, set); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.GET("/grow/read", func(c *gin.Context) {
		g := param(c)
		v, ok := a.get(c, growthKeys[g.n-1])
		if !ok {
			c.String(http.StatusInternalServerError, "no value")
			return
		}
		c.String(http.StatusOK, strconv.Itoa(len(v)))
	})
	r.GET("/grow/write", func(c *gin.Context) {
		g := param(c)
		v, _ := a.get(c, growthKeys[0])
		next, body := growthValue(g.size, 1), "B"
		if v == next {
			next, body = growthValue(g.size, 0), "A"
		}
		if err := a.edit(c, nil, []kv{{growthKeys[0], next}}); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, body)
	})
	r.GET("/grow/delete", func(c *gin.Context) {
		g := param(c)
		last := growthKeys[g.n-1]
		if err := a.edit(c, []string{last}, []kv{{last, growthValue(g.size, 0)}}); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "ok")
	})
}

// growthOps are the operations; ginsessionOnly ones have no peer row.
var growthOps = []struct {
	name           string
	ginsessionOnly bool
}{{"read", false}, {"write", false}, {"delete", true}}

func growthQuery(g growthCase) string { return fmt.Sprintf("?n=%d&size=%d", g.n, g.size) }

// prepareGrowth seeds a session of g through /grow/fill and returns the
// checked step of op and the check after the timed loop.
func prepareGrowth(tb testing.TB, in *instance, op string, g growthCase) (func(testing.TB), func(testing.TB, int)) {
	q := growthQuery(g)
	fill := newClient(in, "/grow/fill"+q, "")
	fill.do()
	fill.check(tb, "ok")
	cookie, ok := fill.setCookieValue()
	if !ok {
		tb.Fatalf("/grow/fill%s: no cookie in %q", q, fill.w.header["Set-Cookie"])
	}
	reader := newClient(in, "/grow/read"+q, cookie)
	size := strconv.Itoa(g.size)
	readBack := func(tb testing.TB, cookie string) {
		tb.Helper()
		reader.setCookie(cookie)
		reader.do()
		reader.check(tb, size)
	}
	readBack(tb, cookie)
	cl := newClient(in, "/grow/"+op+q, cookie)
	switch op {
	case "read":
		return func(tb testing.TB) {
			cl.do()
			if cl.w.code != http.StatusOK {
				tb.Fatalf("GET /grow/read%s: status %d: %s", q, cl.w.code, cl.w.body)
			}
		}, func(tb testing.TB, _ int) { cl.do(); cl.check(tb, size) }
	case "write":
		cl.do()
		cl.check(tb, "B")
		cl.follow()
		cl.do()
		cl.check(tb, "A")
		cl.follow()
		step := func(tb testing.TB) {
			cl.do()
			if cl.w.code != http.StatusOK {
				tb.Fatalf("GET /grow/write%s: status %d: %s", q, cl.w.code, cl.w.body)
			}
			cl.follow()
		}
		after := func(tb testing.TB, n int) {
			// Every timed write toggled k0: the next one tells where it is.
			want := "B"
			if n%2 == 1 {
				want = "A"
			}
			cl.do()
			cl.check(tb, want)
			cl.follow()
			readBack(tb, cl.cookie)
		}
		return step, after
	case "delete":
		cl.do()
		cl.check(tb, "ok")
		cl.follow()
		step := func(tb testing.TB) {
			cl.do()
			if cl.w.code != http.StatusOK {
				tb.Fatalf("GET /grow/delete%s: status %d: %s", q, cl.w.code, cl.w.body)
			}
			cl.follow()
		}
		return step, func(tb testing.TB, _ int) { readBack(tb, cl.cookie) }
	}
	tb.Fatalf("unknown growth op %q", op)
	return nil, nil
}

// growthStores are the stores the growth benchmarks run on.
func growthStores() []struct {
	name  string
	cs    []contender
	cases []growthCase
} {
	return []struct {
		name  string
		cs    []contender
		cases []growthCase
	}{
		{"Memory", memoryContenders, growthCases},
		{"Cookie", cookieContenders, cookieGrowthCases},
		{"Redis", redisContenders, growthCases},
	}
}

// BenchmarkGrowth runs each operation on each session size for every
// contender of the memory, signed-cookie and Redis stores, the contenders
// of one size one after the other.
func BenchmarkGrowth(b *testing.B) {
	for _, st := range growthStores() {
		b.Run(st.name, func(b *testing.B) {
			for _, op := range growthOps {
				b.Run(op.name, func(b *testing.B) {
					for _, g := range st.cases {
						b.Run(g.String(), func(b *testing.B) {
							for _, c := range st.cs {
								if op.ginsessionOnly && c.lib != "ginsession" {
									continue
								}
								b.Run(c.lib, func(b *testing.B) {
									in := c.setup(b)
									step, after := prepareGrowth(b, in, op.name, g)
									timeSteps(b, in, step)
									b.SetBytes(int64(g.n * g.size))
									after(b, b.N)
								})
							}
						})
					}
				})
			}
		})
	}
}

// TestGrowth runs every growth operation of every contender once on the
// smallest and the largest session of its store, checked, for the smoke
// run.
func TestGrowth(t *testing.T) {
	for _, st := range growthStores() {
		t.Run(st.name, func(t *testing.T) {
			for _, c := range st.cs {
				t.Run(c.lib, func(t *testing.T) {
					in := c.setup(t)
					for _, op := range growthOps {
						if op.ginsessionOnly && c.lib != "ginsession" {
							continue
						}
						for _, g := range []growthCase{st.cases[0], st.cases[len(st.cases)-1]} {
							step, after := prepareGrowth(t, in, op.name, g)
							step(t)
							after(t, 1)
						}
					}
				})
			}
		})
	}
}
