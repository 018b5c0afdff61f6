package ginsession_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
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

// TestSessionsKeepEveryValueAcrossTheSmallSessionSlots: a session grows
// from a few entries (kept in slots of its own) to more (kept in a map) and
// shrinks back, through requests that save and load it, with each codec;
// every value and the order of the keys come back each time.
func TestSessionsKeepEveryValueAcrossTheSmallSessionSlots(t *testing.T) {
	var encodes, decodes atomic.Int32
	codecs := map[string]ginsession.Codec{
		"JSONCodec":                     ginsession.JSONCodec{},
		"DjangoCodec":                   ginsession.DjangoCodec(strings.Repeat("s", 40)),
		"a codec that embeds JSONCodec": countingCodec{encodes: &encodes, decodes: &decodes},
	}
	for name, codec := range codecs {
		t.Run(name, func(t *testing.T) {
			a := newApp(t, mustNew(memstore.New()), ginsession.WithCodec(codec))
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
				{"a,b,c", ""},       // three in slots
				{"d", ""},           // four: the slots are full
				{"e,f", ""},         // six: a map
				{"", "a,e"},         // four again, from the map
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
