package pickle

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// expected holds what each testdata/ok sample (gen.py) decodes to, in
// the dict's order.
var expected = map[string]struct {
	keys   []string
	values map[string]any
}{
	"login": {
		[]string{"_auth_user_id", "_auth_user_backend", "_auth_user_hash", "_messages"},
		map[string]any{
			"_auth_user_id":      "1",
			"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
			"_auth_user_hash":    "8f14e45fceea167a5a36dedd4bea2543b2f1b8f0c9d6a3c4b5e6f7a8b9c0d1e2",
			"_messages":          `[["__json_message",0,25,"Bienvenue, Zo\u00eb"]]`,
		},
	},
	"types": {
		[]string{"s", "i", "neg", "i16", "i32", "big", "nbig", "u64", "i64min", "i64max", "f", "f1", "tiny", "yes", "no", "none", "l", "tu", "tu0", "tu5", "d", "empty"},
		map[string]any{
			"s": "Zoë é 😀 \u2028", "i": 42, "neg": -7, "i16": 65535, "i32": math.MinInt32,
			"big": json.Number("1180591620717411303424"), "nbig": json.Number("-1180591620717411303424"),
			"u64": uint64(math.MaxUint64), "i64min": math.MinInt64, "i64max": math.MaxInt64,
			"f": 1.5, "f1": 1.0, "tiny": -3.25e-07, "yes": true, "no": false, "none": nil,
			"l":  []any{1, []any{2, []any{3, map[string]any{"deep": "ü"}}}},
			"tu": Tuple{1, "a"}, "tu0": Tuple{}, "tu5": Tuple{1, 2, 3, 4, 5},
			"d":     map[string]any{"x": map[string]any{"y": []any{}}, "a": 0},
			"empty": "",
		},
	},
	"empty": {[]string{}, map[string]any{}},
	"expiry_pytz": {[]string{"_session_expiry", "a"}, map[string]any{
		"_session_expiry": DateTime{2026, 12, 7, 18, 0, 0, 123456, true, 0}, "a": 1,
	}},
	"expiry_utc": {[]string{"_session_expiry"}, map[string]any{
		"_session_expiry": DateTime{2026, 12, 7, 18, 0, 0, 0, true, 0},
	}},
	"expiry_offset": {[]string{"_session_expiry"}, map[string]any{
		"_session_expiry": DateTime{2026, 1, 1, 23, 59, 59, 1, true, -(5*3600 + 30*60)},
	}},
	"expiry_naive": {[]string{"_session_expiry"}, map[string]any{
		"_session_expiry": DateTime{2000, 2, 29, 12, 0, 0, 0, false, 0},
	}},
	"shared": {[]string{"a", "b", "c", "d", "e"}, map[string]any{
		"a": []any{1, "x"}, "b": []any{1, "x"}, "c": "a repeated string",
		"d": []any{"a repeated string", "a repeated string"},
		"e": Tuple{[]any{1, "x"}, []any{1, "x"}},
	}},
	"large": {[]string{"text", "list", "huge", "nhuge"}, map[string]any{
		"text": strings.Repeat("é", 33000),
		"list": func() []any {
			l := make([]any, 3000)
			for i := range l {
				l[i] = i
			}
			return l
		}(),
		"huge":  json.Number(new(big.Int).Lsh(big.NewInt(1), 10000).String()),
		"nhuge": json.Number(new(big.Int).Neg(new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 10000), big.NewInt(1))).String()),
	}},
}

func readDir(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", dir, "*.pkl"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no testdata/%s/*.pkl (%v): run gen.py", dir, err)
	}
	files := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimSuffix(filepath.Base(n), ".pkl")] = b
	}
	return files
}

func TestPicklesPythonWroteAtProtocols2To5DecodeToTheirValues(t *testing.T) {
	files := readDir(t, "ok")
	seen := map[string]bool{}
	for name, data := range files {
		sample, proto, _ := strings.Cut(name, ".")
		want, ok := expected[sample]
		if !ok {
			t.Fatalf("%s: no expected value", name)
		}
		seen[sample] = true
		t.Run(sample+"/"+proto, func(t *testing.T) {
			keys, values, err := DecodeDict(data)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys, want.keys) {
				t.Errorf("keys %q, want %q", keys, want.keys)
			}
			if !reflect.DeepEqual(values, want.values) {
				t.Errorf("values\n%#v\nwant\n%#v", values, want.values)
			}
		})
	}
	for sample := range expected {
		if !seen[sample] {
			t.Errorf("no testdata/ok/%s.*.pkl", sample)
		}
	}
}

func TestPicklesOutsideTheAllowedSetAreRefused(t *testing.T) {
	for name, data := range readDir(t, "refused") {
		t.Run(name, func(t *testing.T) {
			_, values, err := DecodeDict(data)
			if !errors.Is(err, ErrRefused) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("DecodeDict = %v, %v; want ErrRefused", values, err)
			}
		})
	}
}

func TestEveryTruncationOfAPickleIsCorrupt(t *testing.T) {
	for name, data := range readDir(t, "ok") {
		if strings.HasPrefix(name, "large") {
			continue // 77 KB of prefixes: the others cover each opcode
		}
		for n := range len(data) {
			if _, _, err := DecodeDict(data[:n]); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s cut to %d of %d bytes: %v, want ErrCorrupt", name, n, len(data), err)
			}
		}
	}
}

func TestHandMadePicklesAreRefusedOrCorrupt(t *testing.T) {
	tests := []struct {
		name string
		data string
		want error
	}{
		{"no PROTO", "}.", ErrRefused},
		{"protocol 6", "\x80\x06}.", ErrRefused},
		{"get of an unwritten memo", "\x80\x04h\x05.", ErrCorrupt},
		{"stop on an empty stack", "\x80\x04.", ErrCorrupt},
		{"stop on a mark", "\x80\x04(.", ErrCorrupt},
		{"setitems without a mark", "\x80\x04}u.", ErrCorrupt},
		{"setitems of an odd count", "\x80\x04}(K\x01u.", ErrCorrupt},
		{"append to a dict", "\x80\x04}K\x01a.", ErrRefused},
		{"setitem on a list", "\x80\x04]K\x01K\x02s.", ErrRefused},
		{"frame past the end", "\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00}.", ErrCorrupt},
		{"LONG4 of negative length", "\x80\x04\x8b\xff\xff\xff\xff.", ErrCorrupt},
		{"BINUNICODE8 of 2^64-1 bytes", "\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\xff.", ErrCorrupt},
		{"global builtins.eval", "\x80\x02cbuiltins\neval\n.", ErrRefused},
		{"stack global os.system", "\x80\x04\x8c\x02os\x8c\x06system\x93.", ErrRefused},
		{"build", "\x80\x04}}b.", ErrRefused},
		{"reduce of a string", "\x80\x04\x8c\x01x)R.", ErrRefused},
		{"datetime of a bad month", "\x80\x03}X\x01\x00\x00\x00acdatetime\ndatetime\nC\n\x07\xea\x0d\x01\x00\x00\x00\x00\x00\x00\x85Rs.", ErrCorrupt},
		{"datetime of a str", "\x80\x03}X\x01\x00\x00\x00acdatetime\ndatetime\nX\x01\x00\x00\x00x\x85Rs.", ErrRefused},
		{"timezone of 25 hours", "\x80\x03}X\x01\x00\x00\x00acdatetime\ndatetime\nC\n\x07\xea\x01\x01\x00\x00\x00\x00\x00\x00cdatetime\ntimezone\ncdatetime\ntimedelta\nK\x01M\x10\x0eK\x00\x87R\x85R\x86Rs.", ErrRefused},
		{"a global as a value", "\x80\x03}X\x01\x00\x00\x00acpytz\n_UTC\ns.", ErrRefused},
		{"latin1 beyond U+00FF", "\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00\xc4\x80X\x06\x00\x00\x00latin1\x86R.", ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := DecodeDict([]byte(tc.data))
			if !errors.Is(err, tc.want) {
				t.Fatalf("DecodeDict = %v, want %v", err, tc.want)
			}
		})
	}
}

// A few hundred bytes of references to one list, doubling at each level,
// would expand to billions of values: refused, quickly.
func TestSharedListsCannotExpandWithoutBound(t *testing.T) {
	p := []byte("\x80\x04]\x94") // memo 0: []
	for i := range 60 {
		// memo i+1: [memo i, memo i]
		p = append(p, ']', '(', 'j')
		p = append(p, byte(i), byte(i>>8), 0, 0)
		p = append(p, 'j', byte(i), byte(i>>8), 0, 0)
		p = append(p, 'e', 0x94)
	}
	p = append(p, "}\x8c\x01x\x94"...)
	p = append(p, 'j', 60, 0, 0, 0)
	p = append(p, 's', '.')
	if _, _, err := DecodeDict(p); !errors.Is(err, ErrRefused) {
		t.Fatalf("DecodeDict of 2^60 values: %v, want ErrRefused", err)
	}
}

func TestNestingDeeperThanMaxDepthIsRefused(t *testing.T) {
	nest := func(n int) []byte {
		p := []byte("\x80\x04}\x8c\x01x")
		for range n - 1 {
			p = append(p, ']', '(')
		}
		p = append(p, ']')
		for range n - 1 {
			p = append(p, 'e')
		}
		return append(p, 's', '.')
	}
	// The top dict counts: it and MaxDepth-1 lists is the deepest allowed.
	if _, _, err := DecodeDict(nest(MaxDepth - 1)); err != nil {
		t.Fatalf("nesting %d deep: %v", MaxDepth, err)
	}
	if _, _, err := DecodeDict(nest(MaxDepth)); !errors.Is(err, ErrRefused) {
		t.Fatalf("nesting %d deep: %v, want ErrRefused", MaxDepth+1, err)
	}
}

func TestARepeatedKeyKeepsItsPlaceAndTheLastValue(t *testing.T) {
	// {"a": 1, "b": 2, "a": 3} as SETITEMS: Python's dict is {"a": 3, "b": 2}.
	p := "\x80\x04}(\x8c\x01aK\x01\x8c\x01bK\x02\x8c\x01aK\x03u."
	keys, values, err := DecodeDict([]byte(p))
	if err != nil || !slices.Equal(keys, []string{"a", "b"}) || values["a"] != 3 || values["b"] != 2 {
		t.Fatalf("DecodeDict = %q, %v, %v", keys, values, err)
	}
}
