package ginsession

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/pyjson"
)

func TestJSONCodecWritesWhatPythonJSONDumpsWrites(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"plain ASCII stays as it is", "hello", `"hello"`},
		{"HTML characters are not escaped", "<a href='x'>&</a>", `"<a href='x'>&</a>"`},
		{"non-ASCII is a lowercase \\u escape", "é", `"\u00e9"`},
		{"astral characters become surrogate pairs", "😀", `"\ud83d\ude00"`},
		{"DEL is escaped", "\x7f", `"\u007f"`},
		{"control characters use short escapes where Python does", "\n\r\t\b\f\x01", `"\n\r\t\b\f\u0001"`},
		{"quotes and backslashes are escaped", `"\`, `"\"\\"`},
		{"U+FFFD itself is escaped", "\ufffd", `"\ufffd"`},
		{"an integral float keeps its point", 1.0, `1.0`},
		{"a float prints shortest", 0.1, `0.1`},
		{"a large float uses an exponent", 1e21, `1e+21`},
		{"ints print as ints", int64(-42), `-42`},
		{"unsigned ints", uint8(200), `200`},
		{"nil is null", nil, `null`},
		{"nested maps sort their keys", map[string]any{"b": 1, "a": []any{true, false}}, `{"a":[true,false],"b":1}`},
		{"string slices", []string{"x", "ü"}, `["x","\u00fc"]`},
		{"structs go through encoding/json, ASCII-escaped", struct {
			Name string `json:"name"`
		}{"Zoë"}, `{"name":"Zo\u00eb"}`},
		{"time.Time is RFC 3339", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), `"2026-01-02T03:04:05Z"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := JSONCodec{}.Encode([]string{"k"}, map[string]any{"k": tc.value})
			if err != nil {
				t.Fatal(err)
			}
			want := `{"k":` + tc.want + `}`
			if string(got) != want {
				t.Fatalf("got %s, want %s", got, want)
			}
			if !json.Valid(got) {
				t.Fatalf("output is not valid JSON: %s", got)
			}
		})
	}
}

func TestJSONCodecKeepsInsertionOrder(t *testing.T) {
	keys := []string{"_auth_user_id", "_auth_user_backend", "_auth_user_hash", "cart"}
	vals := map[string]any{
		"_auth_user_id":      "42",
		"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
		"_auth_user_hash":    "f25f57488b7b16c8c433347722c7f1b3821c261d4cdfe07c1b58cf49e9952454",
		"cart":               []any{1, 2, 3},
	}
	got, err := JSONCodec{}.Encode(keys, vals)
	if err != nil {
		t.Fatal(err)
	}
	// The reference's 187-byte vector (reference §4.7).
	want := `{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"f25f57488b7b16c8c433347722c7f1b3821c261d4cdfe07c1b58cf49e9952454","cart":[1,2,3]}`
	if string(got) != want || len(got) != 187 {
		t.Fatalf("got %d bytes %s", len(got), got)
	}
	gk, gv, err := JSONCodec{}.Decode(got)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gk, keys) {
		t.Fatalf("keys %v, want %v", gk, keys)
	}
	if !reflect.DeepEqual(gv, vals) {
		t.Fatalf("values %#v, want %#v", gv, vals)
	}
}

func TestJSONCodecRefusesValuesWithNoJSONFormNamingTheKey(t *testing.T) {
	for name, v := range map[string]any{
		"a channel": make(chan int),
		"a func":    func() {},
		"NaN":       math.NaN(),
		"+Inf":      math.Inf(1),
		"nested":    []any{map[string]any{"x": math.Inf(-1)}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := JSONCodec{}.Encode([]string{"bad_key"}, map[string]any{"bad_key": v})
			if err == nil || !strings.Contains(err.Error(), `"bad_key"`) {
				t.Fatalf("err = %v, want an error naming \"bad_key\"", err)
			}
		})
	}
}

func TestJSONCodecDecodesNumbersAsGoValues(t *testing.T) {
	_, v, err := JSONCodec{}.Decode([]byte(` { "i" : 42 , "neg":-7, "f":1.5, "e":1e3, "big":123456789012345678901234567890, "z":0 } `))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"i": 42, "neg": -7, "f": 1.5, "e": 1000.0, "big": json.Number("123456789012345678901234567890"), "z": 0}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("got %#v\nwant %#v", v, want)
	}
}

func TestJSONCodecDecodeRejectsBrokenInput(t *testing.T) {
	for _, in := range []string{
		``, `[]`, `"x"`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":01}`, `{"a":1}x`, `{"a":"\x01"}`,
		`{"a":"\q"}`, `{"a":"\u12"}`, `{"a":NaN}`, `{"a":tru}`, `{"a":[1,]}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`,
		`{"a":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
		`{"a":` + strings.Repeat("[", pyjson.MaxDepth+1) + strings.Repeat("]", pyjson.MaxDepth+1) + `}`,
	} {
		if _, _, err := (JSONCodec{}).Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) succeeded, want an error", in)
		}
	}
}

func TestJSONCodecDecodesEscapesAndDuplicates(t *testing.T) {
	k, v, err := JSONCodec{}.Decode([]byte(`{"s":"\u00e9\ud83d\ude00\/\n","lone":"\ud83d","d":1,"d":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if v["s"] != "é😀/\n" || v["lone"] != "\ufffd" || v["d"] != 2 {
		t.Fatalf("got %#v", v)
	}
	if !reflect.DeepEqual(k, []string{"s", "lone", "d"}) {
		t.Fatalf("keys %v", k)
	}
}

// nested returns inner inside n arrays.
func nested(n int, inner any) any {
	for range n {
		inner = []any{inner}
	}
	return inner
}

// relList is a linked list: through encoding/json, n nodes nest n objects.
type relList struct {
	Next *relList `json:"next,omitempty"`
}

func linkedList(n int) *relList {
	var l *relList
	for range n {
		l = &relList{Next: l}
	}
	return l
}

// TestCodecsSaveWhatTheyLoadAtTheDepthLimit is the regression test for
// values that saved and then made the record unreadable (the user logged
// out): Encode counted nesting from 0 and Decode from 1, and values going
// through encoding/json were not checked at all. Now a value nesting
// pyjson.MaxDepth arrays and objects, however it is built, saves and loads,
// and one nesting one more fails the save, naming the key.
func TestCodecsSaveWhatTheyLoadAtTheDepthLimit(t *testing.T) {
	raw := func(n int) json.RawMessage {
		return json.RawMessage(strings.Repeat("[", n) + strings.Repeat("]", n))
	}
	deep := []struct {
		name string
		v    func(n int) any // a value nesting n arrays and objects
	}{
		{"[]any", func(n int) any { return nested(n, nil) }},
		{"[]any around a 1", func(n int) any { return nested(n, 1) }},
		{"map[string]any", func(n int) any {
			var v any = "x"
			for range n {
				v = map[string]any{"k": v}
			}
			return v
		}},
		{"[]string innermost", func(n int) any { return nested(n-1, []string{"x"}) }},
		{"a linked list of structs", func(n int) any { return linkedList(n) }},
		{"a typed slice inside []any", func(n int) any { return nested(n-2, [][]int{{1}}) }},
		{"json.RawMessage", func(n int) any { return raw(n) }},
		{"json.RawMessage inside []any", func(n int) any { return nested(n-1, raw(1)) }},
	}
	codecs := map[string]Codec{"JSONCodec": JSONCodec{}, "DjangoCodec": DjangoCodec(djangoVectorSecret)}
	for cname, c := range codecs {
		for _, tc := range deep {
			t.Run(cname+"/"+tc.name, func(t *testing.T) {
				data, err := c.Encode([]string{"ok"}, map[string]any{"ok": tc.v(pyjson.MaxDepth)})
				if err != nil {
					t.Fatalf("a value nesting %d did not save: %v", pyjson.MaxDepth, err)
				}
				if _, _, err := c.Decode(data); err != nil {
					t.Fatalf("a value nesting %d saved and does not load: %v", pyjson.MaxDepth, err)
				}
				_, err = c.Encode([]string{"ok", "deep"}, map[string]any{"ok": 1, "deep": tc.v(pyjson.MaxDepth + 1)})
				if !errors.Is(err, pyjson.ErrTooDeep) || !strings.Contains(err.Error(), `"deep"`) {
					t.Fatalf("a value nesting %d: Encode error %v, want pyjson.ErrTooDeep naming \"deep\"", pyjson.MaxDepth+1, err)
				}
			})
		}
	}
	t.Run("a 300-node linked list fails the save", func(t *testing.T) {
		if _, err := (JSONCodec{}).Encode([]string{"list"}, map[string]any{"list": linkedList(300)}); !errors.Is(err, pyjson.ErrTooDeep) {
			t.Fatalf("Encode error %v, want pyjson.ErrTooDeep", err)
		}
	})
}

// TestJSONCodecKeepsEveryIntegerExactly is the regression test for
// integers past int64 decoding to a rounded float64 (math.MaxUint64 came
// back as 18446744073709551616.0, and was saved so): every integer now
// comes back exactly and still an integer, whether set from Go or written
// by Python (2**70).
func TestJSONCodecKeepsEveryIntegerExactly(t *testing.T) {
	p70 := new(big.Int).Lsh(big.NewInt(1), 70)
	tests := []struct {
		name  string
		value any
		text  string
		want  any
	}{
		{"math.MaxInt64", int64(math.MaxInt64), "9223372036854775807", math.MaxInt64},
		{"math.MinInt64", int64(math.MinInt64), "-9223372036854775808", math.MinInt64},
		{"math.MaxInt64+1", uint64(math.MaxInt64 + 1), "9223372036854775808", uint64(math.MaxInt64 + 1)},
		{"math.MaxUint64", uint64(math.MaxUint64), "18446744073709551615", uint64(math.MaxUint64)},
		{"2^70 as *big.Int", p70, "1180591620717411303424", json.Number("1180591620717411303424")},
		{"-2^70 as big.Int", *new(big.Int).Neg(p70), "-1180591620717411303424", json.Number("-1180591620717411303424")},
		{"a small *big.Int", big.NewInt(5), "5", 5},
		{"2^64 as json.Number", json.Number("18446744073709551616"), "18446744073709551616", json.Number("18446744073709551616")},
		{"a 400-digit json.Number", json.Number("1" + strings.Repeat("0", 400)), "1" + strings.Repeat("0", 400), json.Number("1" + strings.Repeat("0", 400))},
		{"2^53+1", 1<<53 + 1, "9007199254740993", 1<<53 + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := JSONCodec{}.Encode([]string{"n"}, map[string]any{"n": tc.value})
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"n":` + tc.text + `}`; string(data) != want {
				t.Fatalf("Encode = %s, want %s", data, want)
			}
			_, v, err := JSONCodec{}.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v["n"], tc.want) {
				t.Fatalf("Decode gave %#v, want %#v", v["n"], tc.want)
			}
		})
	}
}

func TestJSONCodecRefusesNumbersItCouldNotLoad(t *testing.T) {
	for name, v := range map[string]any{
		"an empty json.Number":              json.Number(""),
		"a json.Number that is not JSON":    json.Number("0x10"),
		"a json.Number past float64":        json.Number("1e400"),
		"a struct with one past float64":    struct{ N json.Number }{"-1e999"},
		"a json.RawMessage with one":        json.RawMessage(`[1e400]`),
		"a json.Number with a leading zero": json.Number("01"),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := JSONCodec{}.Encode([]string{"n"}, map[string]any{"n": v})
			if !errors.Is(err, pyjson.ErrBadNumber) || !strings.Contains(err.Error(), `"n"`) {
				t.Fatalf("Encode error %v, want pyjson.ErrBadNumber naming \"n\"", err)
			}
		})
	}
}

// TestJSONCodecRefusesInvalidUTF8 is the regression test for strings that
// were silently changed on save: invalid UTF-8 became U+FFFD, so a value
// came back different, and two keys ("a\xff", "a\xfe") that are different
// Go strings were stored as the same JSON key and merged into one on load.
// Both now fail the save, naming the key.
func TestJSONCodecRefusesInvalidUTF8(t *testing.T) {
	t.Run("two keys that would merge", func(t *testing.T) {
		_, err := JSONCodec{}.Encode([]string{"a\xff", "a\xfe"}, map[string]any{"a\xff": 1, "a\xfe": 2})
		if !errors.Is(err, pyjson.ErrKeyNotUTF8) || !strings.Contains(err.Error(), `"a\xff"`) {
			t.Fatalf("Encode error %v, want pyjson.ErrKeyNotUTF8 naming \"a\\xff\"", err)
		}
	})
	for name, v := range map[string]any{
		"a string":                          "caf\xe9",
		"a UTF-8-encoded surrogate":         "\xed\xa0\x80",
		"a []string element":                []string{"ok", "\xff"},
		"a nested map key":                  map[string]any{"\xff": 1},
		"a string in []any":                 []any{"\xc3"},
		"a struct field":                    struct{ S string }{"\xff"},
		"a typed map key":                   map[string]int{"\xff": 1, "\xfe": 2},
		"a json.RawMessage":                 json.RawMessage("\"\xff\""),
		"a json.RawMessage in a struct":     struct{ R json.RawMessage }{json.RawMessage("\"\xff\"")},
		"a json.Marshaler's \\ufffd escape": struct{ R json.RawMessage }{json.RawMessage(`"\ufffd"`)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := JSONCodec{}.Encode([]string{"k"}, map[string]any{"k": v})
			if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") || !strings.Contains(err.Error(), `"k"`) {
				t.Fatalf("Encode error %v, want a UTF-8 error naming \"k\"", err)
			}
		})
	}
	t.Run("U+FFFD itself is kept", func(t *testing.T) {
		in := map[string]any{"\ufffd": []any{"\ufffd", json.RawMessage(`"\ufffd"`), struct{ S string }{"\ufffd"}}}
		data, err := JSONCodec{}.Encode([]string{"\ufffd"}, in)
		if err != nil {
			t.Fatal(err)
		}
		_, v, err := JSONCodec{}.Decode(data)
		want := map[string]any{"\ufffd": []any{"\ufffd", "\ufffd", map[string]any{"S": "\ufffd"}}}
		if err != nil || !reflect.DeepEqual(v, want) {
			t.Fatalf("Decode = %#v, %v", v, err)
		}
	})
}
