package ginsession_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ginsession/ginsession"
)

// maxDepth mirrors the codec's rule: a session value nests at most 200
// arrays and objects.
const maxDepth = 200

// genSource yields the choices a value generator makes, each in [0, n).
type genSource interface{ next(n int) int }

// randSource draws choices from a seeded PCG (the property test).
type randSource struct{ r *rand.Rand }

func (s randSource) next(n int) int { return s.r.IntN(n) }

// byteSource takes choices from a fuzzer's bytes, zeros once they run out.
type byteSource struct{ b []byte }

func (s *byteSource) next(n int) int {
	v := 0
	for size := 1; size < n && len(s.b) > 0; size <<= 8 {
		v = v<<8 | int(s.b[0])
		s.b = s.b[1:]
	}
	return v % n
}

// genValue is a generated session value, what Decode must give back for it
// (the codec's documented JSON shapes: int, uint64 or json.Number for
// integers, float64, string, bool, nil, []any, map[string]any), how deeply
// it nests, and why Encode must refuse it ("" if it must accept it).
type genValue struct {
	v, want any
	nest    int
	bad     string
}

type valueGen struct {
	src    genSource
	budget int // nodes left, so values stay small
}

// relNode is a linked list: n nodes nest n objects through encoding/json.
type relNode struct {
	V    int      `json:"v"`
	Next *relNode `json:"next,omitempty"`
}

// relItem is a struct value of mixed fields, through encoding/json.
type relItem struct {
	Name  string            `json:"name"`
	Tags  []string          `json:"tags"`
	Price float64           `json:"price"`
	N     uint64            `json:"n"`
	Num   json.Number       `json:"num,omitempty"`
	Attrs map[string]string `json:"attrs,omitempty"`
}

var genStrings = []string{
	"", "a", "hello", "é", "😀", "\u2028", "\ufffd", `\ufffd`, "\x7f", "\x00\n\t\"\\", "<&>", "Zoë",
}

// badStrings are not valid UTF-8: JSON would hold U+FFFD instead.
var badStrings = []string{"\xff", "a\xfe", "\xed\xa0\x80", "ok\xc3"}

func (g *valueGen) str() (string, bool) {
	if g.src.next(12) == 0 {
		return badStrings[g.src.next(len(badStrings))], false
	}
	var b strings.Builder
	for n := g.src.next(4); n >= 0; n-- {
		b.WriteString(genStrings[g.src.next(len(genStrings))])
	}
	return b.String(), true
}

var genInts = []int64{0, 1, -1, 42, math.MaxInt8, math.MinInt8, math.MaxInt32, math.MinInt32, 1<<53 + 1, math.MaxInt64, math.MinInt64}
var genUints = []uint64{0, 1, 200, math.MaxUint32, math.MaxInt64, math.MaxInt64 + 1, 1<<64 - 2, math.MaxUint64}
var genFloats = []float64{0, 1, -1.5, 0.1, 1e21, 1e20, 5e-324, math.MaxFloat64, -math.SmallestNonzeroFloat64, float64(1<<53 + 2), math.NaN(), math.Inf(1), math.Inf(-1)}
var genNumbers = []string{"0", "-0", "12", "1180591620717411303424", "-1180591620717411303424", "1" + strings.Repeat("0", 400), "1.5", "1e400", "-", "01", "", "1.", "0x10", "18446744073709551616"}

// integerWant is what Decode gives for the integer text s.
func integerWant(s string) any {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return int(n)
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n
	}
	return json.Number(s)
}

// shape turns a value decoded by encoding/json with UseNumber into what the
// codec's Decode gives; encoding/json is the independent oracle here.
func shape(x any) (want any, nest int, bad string) {
	switch x := x.(type) {
	case json.Number:
		s := string(x)
		if !strings.ContainsAny(s, ".eE") {
			return integerWant(s), 0, ""
		}
		f, _ := strconv.ParseFloat(s, 64)
		if math.IsInf(f, 0) {
			return nil, 0, "float beyond float64"
		}
		return f, 0, ""
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			w, n, b := shape(e)
			out[i], nest, bad = w, max(nest, n), cmpOr(bad, b)
		}
		return out, nest + 1, bad
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			w, n, b := shape(e)
			out[k], nest, bad = w, max(nest, n), cmpOr(bad, b)
		}
		return out, nest + 1, bad
	}
	return x, 0, ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// viaEncodingJSON is v (a type the codec hands to encoding/json), with what
// encoding/json's own decoder reads from encoding/json's output.
func viaEncodingJSON(v any, bad string) genValue {
	b, err := json.Marshal(v)
	if err != nil {
		return genValue{v: v, bad: "encoding/json refuses it: " + err.Error()}
	}
	return rawWant(v, b, bad)
}

func rawWant(v any, text []byte, bad string) genValue {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil || !json.Valid(text) {
		return genValue{v: v, bad: "not JSON"}
	}
	w, n, b := shape(x)
	return genValue{v: v, want: w, nest: n, bad: cmpOr(bad, b)}
}

func (g *valueGen) value(top bool) genValue {
	g.budget--
	kinds := 22
	if g.budget <= 0 {
		kinds = 10 // scalars only
	}
	switch k := g.src.next(kinds); k {
	case 0:
		return genValue{}
	case 1:
		b := g.src.next(2) == 1
		return genValue{v: b, want: b}
	case 2, 3:
		s, ok := g.str()
		if !ok {
			return genValue{v: s, bad: "invalid UTF-8"}
		}
		return genValue{v: s, want: s}
	case 4:
		n := genInts[g.src.next(len(genInts))]
		vs := []any{int(n), n, int32(n), int16(n), int8(n)}
		v := vs[g.src.next(len(vs))]
		return genValue{v: v, want: int(reflect.ValueOf(v).Int())}
	case 5:
		u := genUints[g.src.next(len(genUints))]
		vs := []any{u, uint(u), uint32(u), uint16(u), uint8(u)}
		v := vs[g.src.next(len(vs))]
		return genValue{v: v, want: integerWant(strconv.FormatUint(reflect.ValueOf(v).Uint(), 10))}
	case 6:
		f := genFloats[g.src.next(len(genFloats))]
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return genValue{v: f, bad: "no JSON form"}
		}
		return genValue{v: f, want: f}
	case 7:
		f := float32(genFloats[g.src.next(len(genFloats))])
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return genValue{v: f, bad: "no JSON form"}
		}
		// The shortest decimal that reads back as f, read as a float64.
		w, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
		return genValue{v: f, want: w}
	case 8:
		s := genNumbers[g.src.next(len(genNumbers))]
		return rawWant(json.Number(s), []byte(s), "")
	case 9:
		n := new(big.Int).Lsh(big.NewInt(int64(g.src.next(1000))-500), uint(g.src.next(130)))
		if g.src.next(2) == 0 {
			return genValue{v: *n, want: integerWant(n.String())}
		}
		return genValue{v: n, want: integerWant(n.String())}
	case 10, 11:
		n := g.src.next(4)
		a, want := make([]any, n), make([]any, n)
		gv := genValue{v: a, want: want}
		for i := range a {
			e := g.value(false)
			a[i], want[i], gv.nest, gv.bad = e.v, e.want, max(gv.nest, e.nest), cmpOr(gv.bad, e.bad)
		}
		gv.nest++
		return gv
	case 12, 13:
		m, want := map[string]any{}, map[string]any{}
		gv := genValue{v: m, want: want}
		for n := g.src.next(4); n > 0; n-- {
			k, ok := g.str()
			if !ok {
				gv.bad = "invalid UTF-8 key"
			}
			e := g.value(false)
			m[k], want[k], gv.nest, gv.bad = e.v, e.want, max(gv.nest, e.nest), cmpOr(gv.bad, e.bad)
		}
		gv.nest++
		return gv
	case 14:
		n := g.src.next(3)
		a, want := make([]string, n), make([]any, n)
		gv := genValue{v: a, want: want, nest: 1}
		for i := range a {
			s, ok := g.str()
			if !ok {
				gv.bad = "invalid UTF-8"
			}
			a[i], want[i] = s, s
		}
		return gv
	case 15:
		var it relItem
		bad := ""
		var ok bool
		if it.Name, ok = g.str(); !ok {
			bad = "invalid UTF-8"
		}
		for n := g.src.next(3); n > 0; n-- {
			s, ok := g.str()
			if !ok {
				bad = "invalid UTF-8"
			}
			it.Tags = append(it.Tags, s)
		}
		it.Price = genFloats[g.src.next(len(genFloats)-3)] // encoding/json refuses NaN and Inf itself
		it.N = genUints[g.src.next(len(genUints))]
		if g.src.next(3) == 0 {
			it.Num = json.Number(genNumbers[g.src.next(8)]) // valid grammar, 1e400 among them
		}
		if g.src.next(3) == 0 {
			k, ok := g.str()
			if !ok {
				bad = "invalid UTF-8 key"
			}
			it.Attrs = map[string]string{k: "v"}
		}
		if g.src.next(2) == 0 {
			return viaEncodingJSON(&it, bad)
		}
		return viaEncodingJSON(it, bad)
	case 16:
		// A linked list, around the depth limit.
		var head *relNode
		for i := g.src.next(12) + maxDepth - 6; i > 0; i-- {
			head = &relNode{V: i, Next: head}
		}
		return viaEncodingJSON(head, "")
	case 17:
		// A chain of []any and map[string]any around the depth limit.
		inner := g.value(false)
		if !top {
			return inner
		}
		v, want, nest := inner.v, inner.want, inner.nest
		for i := g.src.next(8) + maxDepth - 4 - nest; i > 0; i-- {
			if g.src.next(2) == 0 {
				v, want = []any{v}, []any{want}
			} else {
				v, want = map[string]any{"k": v}, map[string]any{"k": want}
			}
			nest++
		}
		return genValue{v: v, want: want, nest: nest, bad: inner.bad}
	case 18:
		// Typed slices and maps nest through encoding/json.
		vs := []any{[]int{1, -2}, [][]string{{"a"}, {}}, map[string]int{"b": 2, "a": 1}, map[string][]uint64{"m": {math.MaxUint64}}, []float64{1, 0.5, 1e20}}
		return viaEncodingJSON(vs[g.src.next(len(vs))], "")
	case 19:
		// A json.RawMessage as written, or spaced out.
		e := g.value(false)
		if e.bad != "" {
			return genValue{v: json.RawMessage(`[1,`), bad: "invalid JSON"}
		}
		b, err := json.Marshal(e.v)
		if err != nil {
			return genValue{v: json.RawMessage(`[1,`), bad: "invalid JSON"}
		}
		if g.src.next(2) == 0 {
			var buf bytes.Buffer
			_ = json.Indent(&buf, b, " ", "\t")
			b = buf.Bytes()
		}
		return rawWant(json.RawMessage(b), b, "")
	case 20:
		raws := []string{"\"\xff\"", `"\ufffd"`, `{"a":[1e400]}`, `[` + strings.Repeat(`[`, maxDepth) + strings.Repeat(`]`, maxDepth) + `]`, `nul`}
		bads := []string{"invalid UTF-8", "", "float beyond float64", "too deep", "invalid JSON"}
		i := g.src.next(len(raws))
		gv := rawWant(json.RawMessage(raws[i]), []byte(raws[i]), bads[i])
		gv.bad = cmpOr(bads[i], gv.bad)
		return gv
	default:
		t := time.Date(2026, 1, 2, 3, 4, 5, g.src.next(1e9), time.UTC)
		return viaEncodingJSON(t, "")
	}
}

// genSession is a session: ordered unique keys, the values, what Decode
// must return, and whether Encode must refuse it.
type genSession struct {
	keys   []string
	values map[string]any
	want   map[string]any
	bad    string
}

func (g *valueGen) session() genSession {
	s := genSession{values: map[string]any{}, want: map[string]any{}}
	for n := g.src.next(5); n > 0; n-- {
		k, ok := g.str()
		if _, dup := s.values[k]; dup {
			continue
		}
		if !ok {
			s.bad = cmpOr(s.bad, "invalid UTF-8 key")
		}
		v := g.value(true)
		if v.nest > maxDepth {
			v.bad = cmpOr(v.bad, "too deep")
		}
		s.keys = append(s.keys, k)
		s.values[k], s.want[k], s.bad = v.v, v.want, cmpOr(s.bad, v.bad)
	}
	return s
}

// checkRoundTrip is the property both codecs keep: Encode refuses, naming
// a key, exactly the sessions that cannot come back; whatever it accepts,
// Decode returns with the same keys in order and the same values in their
// JSON shapes (integers exact and still integers), and the result encodes
// again to the same bytes.
func checkRoundTrip(t *testing.T, c ginsession.Codec, s genSession) {
	t.Helper()
	data, err := c.Encode(s.keys, s.values)
	if s.bad != "" {
		if err == nil {
			t.Fatalf("Encode accepted a session it cannot load again (%s): %.300q", s.bad, s.keys)
		}
		named := false
		for _, k := range s.keys {
			named = named || strings.Contains(err.Error(), fmt.Sprintf("%q", k))
		}
		if !named {
			t.Fatalf("the error %q names none of the keys %q", err, s.keys)
		}
		return
	}
	if err != nil {
		t.Fatalf("Encode refused a session it can hold: %v", err)
	}
	keys, values, err := c.Decode(data)
	if err != nil {
		t.Fatalf("Encode accepted what Decode refuses: %v\n%.300q", err, data)
	}
	if len(keys) == 0 && len(s.keys) == 0 {
		keys = s.keys
	}
	if !reflect.DeepEqual(keys, s.keys) {
		t.Fatalf("keys %q, want %q", keys, s.keys)
	}
	if !reflect.DeepEqual(values, s.want) {
		for _, k := range s.keys {
			if !reflect.DeepEqual(values[k], s.want[k]) {
				t.Fatalf("key %q came back as %.300#v\nwant %.300#v\nencoded %.300q", k, values[k], s.want[k], data)
			}
		}
	}
	// Saved again, the loaded session loads the same and is then stable.
	again, err := c.Encode(keys, values)
	if err != nil {
		t.Fatalf("the loaded session does not save again: %v", err)
	}
	keys2, values2, err := c.Decode(again)
	if err != nil || !reflect.DeepEqual(keys2, keys) || !reflect.DeepEqual(values2, values) {
		t.Fatalf("saved again, the session loads differently (%v)", err)
	}
	if _, isJSON := c.(ginsession.JSONCodec); isJSON {
		if third, err := c.Encode(keys2, values2); err != nil || !bytes.Equal(third, again) {
			t.Fatalf("encoding a loaded session is not stable (%v):\n%.300q\n%.300q", err, again, third)
		}
	}
	if !utf8.Valid(data) {
		t.Fatalf("the record is not UTF-8: %.300q", data)
	}
}

func TestWhateverEncodeAcceptsDecodeReturnsUnchanged(t *testing.T) {
	codecs := map[string]ginsession.Codec{"JSONCodec": ginsession.JSONCodec{}, "DjangoCodec": ginsession.DjangoCodec(relSecret)}
	for name, c := range codecs {
		t.Run(name, func(t *testing.T) {
			rounds := 3000
			if testing.Short() {
				rounds = 300
			}
			for seed := range uint64(rounds) {
				g := &valueGen{src: randSource{rand.New(rand.NewPCG(seed, 11))}, budget: 40}
				s := g.session()
				t.Run("", func(t *testing.T) {
					defer func() {
						if t.Failed() {
							t.Logf("seed %d", seed)
						}
					}()
					checkRoundTrip(t, c, s)
				})
			}
		})
	}
}
