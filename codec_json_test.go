package ginsession

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
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
		{"invalid UTF-8 becomes U+FFFD", "\xff", `"\ufffd"`},
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
	want := map[string]any{"i": 42, "neg": -7, "f": 1.5, "e": 1000.0, "big": 1.2345678901234568e29, "z": 0}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("got %#v\nwant %#v", v, want)
	}
}

func TestJSONCodecDecodeRejectsBrokenInput(t *testing.T) {
	for _, in := range []string{
		``, `[]`, `"x"`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":01}`, `{"a":1}x`, `{"a":"\x01"}`,
		`{"a":"\q"}`, `{"a":"\u12"}`, `{"a":NaN}`, `{"a":tru}`, `{"a":[1,]}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`,
		`{"a":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
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
