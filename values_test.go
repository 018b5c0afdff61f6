package ginsession_test

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
)

// countingCodec embeds JSONCodec and overrides both its methods, as a
// caller's codec may: it must be the one called, and it is handed every
// value.
type countingCodec struct {
	ginsession.JSONCodec
	encodes, decodes *atomic.Int32
}

func (c countingCodec) Encode(keys []string, values map[string]any) ([]byte, error) {
	c.encodes.Add(1)
	if len(values) != len(keys) {
		panic("Encode was handed a map without every key")
	}
	return c.JSONCodec.Encode(keys, values)
}

func (c countingCodec) Decode(data []byte) ([]string, map[string]any, error) {
	c.decodes.Add(1)
	return c.JSONCodec.Decode(data)
}

// TestSessionsKeepEveryValueAsTheyGrowAndShrink: a session grows
// from a few entries to more and shrinks back, through requests that save and load it, with each codec;
// every value and the order of the keys come back each time.
func TestSessionsKeepEveryValueAsTheyGrowAndShrink(t *testing.T) {
	var encodes, decodes atomic.Int32
	codecs := map[string]ginsession.Codec{
		"JSONCodec":                     ginsession.JSONCodec{},
		"DjangoCodec":                   ginsession.DjangoCodec(strings.Repeat("s", 40)),
		"a codec that embeds JSONCodec": countingCodec{encodes: &encodes, decodes: &decodes},
	}
	for name, codec := range codecs {
		t.Run(name, func(t *testing.T) {
			a := newApp(t, testenv.Must(memstore.New()), ginsession.WithCodec(codec))
			// /step?set=a,b&del=c sets and deletes keys, then answers with the
			// session's keys and values in order.
			a.r.GET("/step", func(c *gin.Context) {
				s := ginsession.From(c)
				for k := range strings.SplitSeq(c.Query("set"), ",") {
					if k != "" {
						s.Set(k, "v-"+k)
					}
				}
				for k := range strings.SplitSeq(c.Query("del"), ",") {
					if k != "" {
						s.Delete(k)
					}
				}
				c.JSON(http.StatusOK, gin.H{"keys": s.Keys(), "values": s.Values(), "items": s.Items(), "len": s.Len()})
			})
			cookie := ""
			var want []string
			steps := []struct{ set, del string }{
				{"a,b,c", ""},       // three
				{"d", ""},           // four
				{"e,f", ""},         // six
				{"", "a,e"},         // four again
				{"g", "b,c,d,f"},    // one
				{"h,i,j,k", "g"},    // four, set in one request after a delete
				{"l", "h"},          // the fifth key of a loaded small session
				{"", "i,j,k,l"},     // empty: the cookie goes
				{"m", ""},           // a new session under a new key
				{"n,o,p,q,r,s", ""}, // seven, straight from one
			}
			for i, st := range steps {
				r := a.get("/step?set="+st.set+"&del="+st.del, cookie)
				if v := r.cookieValue("sessionid"); v != "" {
					cookie = "sessionid=" + v
				}
				for k := range strings.SplitSeq(st.del, ",") {
					if j := indexOf(want, k); j >= 0 {
						want = append(want[:j], want[j+1:]...)
					}
				}
				for k := range strings.SplitSeq(st.set, ",") {
					if k != "" && indexOf(want, k) < 0 {
						want = append(want, k)
					}
				}
				checkStep(t, i, r.body, want)
				// And the record as the next request loads it.
				checkStep(t, i, a.get("/step", cookie).body, want)
			}
			if name == "a codec that embeds JSONCodec" && (encodes.Load() == 0 || decodes.Load() == 0) {
				t.Fatalf("the codec's own methods were not called: %d encodes, %d decodes", encodes.Load(), decodes.Load())
			}
		})
	}
}

func indexOf(keys []string, k string) int {
	for i, x := range keys {
		if x == k {
			return i
		}
	}
	return -1
}

func checkStep(t *testing.T, step int, body string, want []string) {
	t.Helper()
	var got struct {
		Keys   []string
		Values []any
		Items  map[string]any
		Len    int
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("step %d: %v in %s", step, err, body)
	}
	if len(got.Keys) != len(want) || got.Len != len(want) || len(got.Items) != len(want) || len(got.Values) != len(want) {
		t.Fatalf("step %d: want keys %v, got %s", step, want, body)
	}
	for i, k := range want {
		if got.Keys[i] != k || got.Values[i] != "v-"+k || got.Items[k] != "v-"+k {
			t.Fatalf("step %d: want keys %v, got %s", step, want, body)
		}
	}
}

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestDeletesFromALargeSessionAreLinear: 1000 Deletes and 1000 Pops on a
// 32768-key session, inside a request, used to copy the key slice each time
// (about 500 MB each); now they cost next to nothing, deleting every other
// key too costs a few MB, and the saved session keeps its insertion order.
func TestDeletesFromALargeSessionAreLinear(t *testing.T) {
	const n, del = 32768, 1000
	a := newApp(t, testenv.Must(memstore.New()))
	var spent [3]uint64
	a.r.GET("/big", func(c *gin.Context) {
		s := ginsession.From(c)
		for i := range n {
			s.Set("k"+strconv.Itoa(i), i)
		}
		spent[0] = allocated(func() {
			for i := 0; i < 2*del; i += 2 {
				s.Delete("k" + strconv.Itoa(i))
			}
		})
		spent[1] = allocated(func() {
			for i := 1; i < 2*del; i += 2 {
				if v, ok := s.Pop("k" + strconv.Itoa(i)); !ok || v != i {
					panic("Pop lost a value")
				}
			}
		})
		spent[2] = allocated(func() {
			for i := 2 * del; i < n; i++ {
				if i%3 != 0 {
					s.Delete("k" + strconv.Itoa(i))
				}
			}
		})
		c.String(200, "ok")
	})
	a.r.GET("/keys", func(c *gin.Context) { c.JSON(200, ginsession.From(c).Keys()) })
	r := a.get("/big", "")
	// A delete allocates nothing (the keys' strings aside); the old code
	// spent ~500 MB on 1000 Deletes.
	const bound = 8 << 20
	for i, what := range []string{"1000 Deletes", "1000 Pops", "Deleting two thirds of the rest"} {
		t.Logf("%s on %d keys allocated %d KB", what, n, spent[i]>>10)
		if spent[i] > bound {
			t.Errorf("%s on a %d-key session allocated %d MB, want under %d MB", what, n, spent[i]>>20, bound>>20)
		}
	}
	var want []string
	for i := 2 * del; i < n; i++ {
		if i%3 == 0 {
			want = append(want, "k"+strconv.Itoa(i))
		}
	}
	got := a.get("/keys", "sessionid="+r.cookieValue("sessionid"))
	var keys []string
	if err := json.Unmarshal([]byte(got.body), &keys); err != nil || !slices.Equal(keys, want) {
		t.Fatalf("saved keys: %d (err %v), want the %d left in insertion order", len(keys), err, len(want))
	}
}

// TestKeyOrderSurvivesMixedSetsAndDeletes runs random Sets, Deletes, Pops
// and re-Sets of deleted keys on sessions small and large against a model
// (an ordered list), checking Keys, Values and All mid-request and the
// order of the saved session.
func TestKeyOrderSurvivesMixedSetsAndDeletes(t *testing.T) {
	for _, size := range []int{3, 31, 32, 33, 200} {
		rng := rand.New(rand.NewPCG(uint64(size), 7))
		a := newApp(t, testenv.Must(memstore.New()))
		var model []string
		a.r.GET("/mix", func(c *gin.Context) {
			s := ginsession.From(c)
			for op := range 20 * size {
				k := "k" + strconv.Itoa(rng.IntN(2*size))
				switch rng.IntN(5) {
				case 0, 1:
					s.Set(k, op)
					if !slices.Contains(model, k) {
						model = append(model, k)
					}
				case 2:
					s.Delete(k)
					model = slices.DeleteFunc(model, func(m string) bool { return m == k })
				case 3:
					_, ok := s.Pop(k)
					if ok != slices.Contains(model, k) {
						panic("Pop disagrees with the model")
					}
					model = slices.DeleteFunc(model, func(m string) bool { return m == k })
				case 4:
					if !slices.Equal(s.Keys(), model) || len(s.Values()) != len(model) || s.Len() != len(model) {
						panic("Keys/Values disagree with the model")
					}
					i := 0
					for k := range s.All() {
						if model[i] != k {
							panic("All disagrees with the model")
						}
						i++
					}
				}
			}
			c.String(200, "ok")
		})
		a.r.GET("/keys", func(c *gin.Context) { c.JSON(200, ginsession.From(c).Keys()) })
		r := a.get("/mix", "")
		if r.StatusCode != 200 {
			t.Fatalf("size %d: %d %s", size, r.StatusCode, r.body)
		}
		var keys []string
		got := a.get("/keys", "sessionid="+r.cookieValue("sessionid"))
		if err := json.Unmarshal([]byte(got.body), &keys); err != nil || !slices.Equal(keys, model) {
			t.Fatalf("size %d: saved order %v, want %v (%v)", size, keys, model, err)
		}
	}
}

// TestOneDeleteFromALargeSessionAllocatesNothing: a request that deletes a
// key or two from a 32768-key session, the usual case, allocates nothing
// (building a position index once cost ~0.5 MB for that one Delete), and
// the order stays right.
func TestOneDeleteFromALargeSessionAllocatesNothing(t *testing.T) {
	const n = 32768
	a := newApp(t, testenv.Must(memstore.New()))
	var spent uint64
	a.r.GET("/big", func(c *gin.Context) {
		s := ginsession.From(c)
		for i := range n {
			s.Set("k"+strconv.Itoa(i), i)
		}
		spent = allocated(func() {
			s.Delete("k7")
			s.Delete("k12345")
		})
		c.String(200, "ok")
	})
	a.r.GET("/keys", func(c *gin.Context) { c.JSON(200, ginsession.From(c).Keys()) })
	r := a.get("/big", "")
	t.Logf("2 Deletes on %d keys allocated %d bytes", n, spent)
	if spent > 4<<10 {
		t.Errorf("2 Deletes on a %d-key session allocated %d KB, want under 4 KB", n, spent>>10)
	}
	var want []string
	for i := range n {
		if i != 7 && i != 12345 {
			want = append(want, "k"+strconv.Itoa(i))
		}
	}
	got := a.get("/keys", "sessionid="+r.cookieValue("sessionid"))
	var keys []string
	if err := json.Unmarshal([]byte(got.body), &keys); err != nil || !slices.Equal(keys, want) {
		t.Fatalf("saved keys: %d (err %v), want the %d left in insertion order", len(keys), err, len(want))
	}
}

// BenchmarkDeleteFromALargeSession deletes 1000 keys of a 32768-key
// session, as a handler would, without saving.
func BenchmarkDeleteFromALargeSession(b *testing.B) {
	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New())))
	keys := make([]string, 32768)
	for i := range keys {
		keys[i] = "k" + strconv.Itoa(i)
	}
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		for _, k := range keys {
			s.Set(k, 1)
		}
		for _, k := range keys[:1000] {
			s.Delete(k)
		}
		c.Status(500) // not saved: the benchmark measures the session only
	})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	b.ReportAllocs()
	for range b.N {
		r.ServeHTTP(httptest.NewRecorder(), req)
	}
}
