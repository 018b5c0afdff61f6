package pickle

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// goSamples are what Go writes; repr is Python's repr of what
// pickle.loads makes of it, and back is what DecodeDict gives (nil: the
// same values).
var goSamples = []struct {
	name   string
	keys   []string
	values map[string]any
	repr   string
	back   map[string]any
}{
	{
		name: "a login", keys: []string{"_auth_user_id", "_auth_user_backend", "_auth_user_hash"},
		values: map[string]any{"_auth_user_id": "42", "_auth_user_backend": "django.contrib.auth.backends.ModelBackend", "_auth_user_hash": "abc"},
		repr:   `{'_auth_user_id': '42', '_auth_user_backend': 'django.contrib.auth.backends.ModelBackend', '_auth_user_hash': 'abc'}`,
	},
	{
		name: "every JSON shape", keys: []string{"s", "i", "f", "t", "n", "l", "d"},
		values: map[string]any{"s": "Zoë 😀", "i": -7, "f": 1.0, "t": true, "n": nil, "l": []any{1, "a", []any{}}, "d": map[string]any{"b": 2, "a": map[string]any{}}},
		repr:   `{'s': 'Zoë 😀', 'i': -7, 'f': 1.0, 't': True, 'n': None, 'l': [1, 'a', []], 'd': {'a': {}, 'b': 2}}`,
	},
	{
		name: "integers at every width", keys: []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"},
		values: map[string]any{
			"a": 0, "b": 255, "c": 256, "d": 65535, "e": 65536, "f": math.MaxInt32, "g": math.MinInt32,
			"h": int64(math.MinInt32) - 1, "i": math.MinInt64, "j": uint64(math.MaxUint64),
			"k": json.Number("-1180591620717411303424"), "l": new(big.Int).Lsh(big.NewInt(1), 3000),
		},
		repr: `{'a': 0, 'b': 255, 'c': 256, 'd': 65535, 'e': 65536, 'f': 2147483647, 'g': -2147483648, 'h': -2147483649, 'i': -9223372036854775808, 'j': 18446744073709551615, 'k': -1180591620717411303424, 'l': ` + new(big.Int).Lsh(big.NewInt(1), 3000).String() + `}`,
		back: map[string]any{
			"a": 0, "b": 255, "c": 256, "d": 65535, "e": 65536, "f": math.MaxInt32, "g": math.MinInt32,
			"h": int(math.MinInt32) - 1, "i": math.MinInt64, "j": uint64(math.MaxUint64),
			"k": json.Number("-1180591620717411303424"), "l": json.Number(new(big.Int).Lsh(big.NewInt(1), 3000).String()),
		},
	},
	{
		name: "Go types", keys: []string{"u8", "f32", "num", "strs", "struct"},
		values: map[string]any{"u8": uint8(200), "f32": float32(0.1), "num": json.Number("2.5"), "strs": []string{"x", "y"}, "struct": struct {
			A int    `json:"a"`
			B string `json:"b"`
		}{1, "z"}},
		repr: `{'u8': 200, 'f32': 0.1, 'num': 2.5, 'strs': ['x', 'y'], 'struct': {'a': 1, 'b': 'z'}}`,
		back: map[string]any{"u8": 200, "f32": 0.1, "num": 2.5, "strs": []any{"x", "y"}, "struct": map[string]any{"a": 1, "b": "z"}},
	},
	{
		name: "tuples", keys: []string{"a", "b", "c", "d", "e"},
		values: map[string]any{"a": Tuple{}, "b": Tuple{1}, "c": Tuple{1, 2}, "d": Tuple{1, 2, Tuple{3}}, "e": Tuple{1, 2, 3, 4}},
		repr:   `{'a': (), 'b': (1,), 'c': (1, 2), 'd': (1, 2, (3,)), 'e': (1, 2, 3, 4)}`,
	},
	{
		name: "datetimes", keys: []string{"utc", "naive", "west", "east"},
		values: map[string]any{
			"utc":   DateTime{2026, 12, 7, 18, 0, 0, 123456, true, 0},
			"naive": DateTime{2000, 2, 29, 0, 0, 0, 0, false, 0},
			"west":  DateTime{2026, 1, 1, 23, 59, 59, 0, true, -(5*3600 + 30*60)},
			"east":  DateTime{9999, 12, 31, 23, 59, 59, 999999, true, 14 * 3600},
		},
		repr: `{'utc': datetime.datetime(2026, 12, 7, 18, 0, 0, 123456, tzinfo=datetime.timezone.utc), 'naive': datetime.datetime(2000, 2, 29, 0, 0), 'west': datetime.datetime(2026, 1, 1, 23, 59, 59, tzinfo=datetime.timezone(datetime.timedelta(days=-1, seconds=66600))), 'east': datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.timezone(datetime.timedelta(seconds=50400)))}`,
	},
	{
		name: "keys not listed come last, sorted", keys: []string{"z", "missing"},
		values: map[string]any{"b": 1, "z": 2, "a": 3},
		repr:   `{'z': 2, 'a': 3, 'b': 1}`,
	},
	{name: "empty", values: map[string]any{}, repr: `{}`},
	{
		name: "long strings", keys: []string{"s"},
		values: map[string]any{"s": strings.Repeat("é", 40000)},
		repr:   `{'s': '` + strings.Repeat("é", 40000) + `'}`,
	},
}

func TestWhatGoWritesDecodesBack(t *testing.T) {
	for _, tc := range goSamples {
		t.Run(tc.name, func(t *testing.T) {
			data, err := EncodeDict(tc.keys, tc.values)
			if err != nil {
				t.Fatal(err)
			}
			keys, values, err := DecodeDict(data)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.back
			if want == nil {
				want = tc.values
			}
			if !reflect.DeepEqual(values, want) {
				t.Errorf("values\n%#v\nwant\n%#v", values, want)
			}
			if len(keys) != len(want) || (len(tc.keys) > 0 && tc.keys[0] != "missing" && !slices.Equal(keys[:1], tc.keys[:1])) {
				t.Errorf("keys %q", keys)
			}
		})
	}
}

// python3 is Debian's interpreter, which has pytz (a dependency of
// Debian's Django 3.2).
const python3 = "/usr/bin/python3"

func needPython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(python3); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is needed under CI: %v", python3, err)
		}
		t.Skipf("no %s: %v", python3, err)
	}
}

// TestPythonReadsWhatGoWrites has Python's own pickle.loads read each
// sample and compares its repr, which tells a tuple from a list and 1 from
// 1.0.
func TestPythonReadsWhatGoWrites(t *testing.T) {
	needPython(t)
	var in bytes.Buffer
	for _, tc := range goSamples {
		data, err := EncodeDict(tc.keys, tc.values)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		in.WriteString(base64.StdEncoding.EncodeToString(data) + "\n")
	}
	cmd := exec.Command(python3, "-c", `
import base64, datetime, pickle, sys
for line in sys.stdin:
    print(repr(pickle.loads(base64.b64decode(line))))
`)
	cmd.Stdin = &in
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(goSamples) {
		t.Fatalf("python answered %d lines for %d samples", len(lines), len(goSamples))
	}
	for i, tc := range goSamples {
		if lines[i] != tc.repr {
			t.Errorf("%s: Python read\n%.300s\nwant\n%.300s", tc.name, lines[i], tc.repr)
		}
	}
}

func TestValuesThatCannotBeWrittenFailNamingTheKey(t *testing.T) {
	deep := any("x")
	for range MaxDepth {
		deep = []any{deep}
	}
	tests := map[string]any{
		"bad utf8":    "\xff",
		"bad key":     map[string]any{"\xff": 1},
		"deep":        deep,
		"chan":        make(chan int),
		"nan number":  json.Number("1e400"),
		"not number":  json.Number("x"),
		"bad date":    DateTime{Year: 2026, Month: 2, Day: 30},
		"bad in json": []string{"\xff"},
	}
	for key, v := range tests {
		t.Run(key, func(t *testing.T) {
			_, err := EncodeDict([]string{key}, map[string]any{key: v})
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Fatalf("EncodeDict = %v, want an error naming %q", err, key)
			}
			if errors.Is(err, ErrCorrupt) {
				t.Fatalf("an encoding error is not corrupt data: %v", err)
			}
		})
	}
}

func TestParseISOReadsExactlyWhatISOWrites(t *testing.T) {
	good := []string{"2026-12-07T18:00:00+00:00", "2026-12-07T18:00:00.123456+00:00", "2000-02-29T00:00:00", "0001-01-01T00:00:00-23:59", "2026-01-01T00:00:00.000001+05:30"}
	for _, s := range good {
		d, ok := ParseISO(s)
		if !ok || d.ISO() != s {
			t.Errorf("ParseISO(%q) = %+v, %v", s, d, ok)
		}
	}
	bad := []string{"", "2026-12-07", "2026-12-07T18:00:00Z", "2026-12-07T18:00:00.000000+00:00", "2026-12-07T18:00:00.5+00:00", "2026-02-30T00:00:00", "2026-12-07 18:00:00", "2026-12-07T24:00:00", "2026-12-07T18:00:00+24:00", "2026-12-07T18:00:00+00:00:00", "+026-12-07T18:00:00", "2026-12-07T18:00:00+0:000"}
	for _, s := range bad {
		if d, ok := ParseISO(s); ok {
			t.Errorf("ParseISO(%q) = %+v, want refused", s, d)
		}
	}
}
