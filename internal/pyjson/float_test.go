package pyjson

import (
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestFloatsAsPython: floats around the boundaries where Python's repr
// switches to an exponent (1e-4, 1e16), against Python 3's json.dumps;
// then, where python3 is installed (always under CI), 3,000 random floats
// of every magnitude against the interpreter itself.
func TestFloatsAsPython(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", math.Copysign(0, -1): "-0.0", 1: "1.0", -2.5: "-2.5", 0.1: "0.1",
		1e15: "1000000000000000.0", 9999999999999998: "9999999999999998.0",
		1e16: "1e+16", 123456789012345678: "1.2345678901234568e+17", 1e21: "1e+21",
		1.5e300: "1.5e+300", 0.0001: "0.0001", 9.999999999999999e-05: "9.999999999999999e-05",
		0.00001: "1e-05", 5e-324: "5e-324", math.MaxFloat64: "1.7976931348623157e+308",
	} {
		if got := encodeFloat(t, f); got != want {
			t.Errorf("%g encodes as %s, Python writes %s", f, got, want)
		}
	}

	python, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("python3 is not installed")
		}
		t.Skip("python3 is not installed")
	}
	var floats []float64
	for range 3000 {
		f := math.Float64frombits(rand.Uint64())
		if rand.IntN(2) == 0 { // around the boundaries too, not only huge or tiny
			f = (rand.Float64() - 0.5) * math.Pow(10, float64(rand.IntN(30)-12))
		}
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			floats = append(floats, f)
		}
	}
	var in strings.Builder
	for _, f := range floats {
		in.WriteString(strconv.FormatUint(math.Float64bits(f), 10) + "\n")
	}
	cmd := exec.Command(python, "-c", `import json, struct, sys
for line in sys.stdin:
    print(json.dumps(struct.unpack("<d", struct.pack("<Q", int(line)))[0]))`)
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(string(out))
	if len(want) != len(floats) {
		t.Fatalf("python3 printed %d lines for %d floats", len(want), len(floats))
	}
	for i, f := range floats {
		if got := encodeFloat(t, f); got != want[i] {
			t.Errorf("%v encodes as %s, Python writes %s", f, got, want[i])
		}
	}
}

func encodeFloat(t *testing.T, f float64) string {
	t.Helper()
	b, err := EncodeObject([]string{"f"}, map[string]any{"f": f})
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(strings.TrimPrefix(string(b), `{"f":`), "}")
}
