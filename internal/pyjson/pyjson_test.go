package pyjson

import (
	"strings"
	"testing"
)

// TestPlainRunStopsAtTheFirstByteToEscape: the windowed, eight-at-a-time
// scan agrees with a byte-by-byte one for every byte value at every
// position of short strings, and for the bytes that matter at every
// position of strings that span several windows.
func TestPlainRunStopsAtTheFirstByteToEscape(t *testing.T) {
	ref := func(s string, i int) int {
		for ; i < len(s); i++ {
			if c := s[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x7f {
				return i
			}
		}
		return i
	}
	check := func(b []byte, start int) {
		t.Helper()
		if got, want := plainRun(string(b), start), ref(string(b), start); got != want {
			t.Fatalf("plainRun(%q, %d) = %d, want %d", b, start, got, want)
		}
	}
	for n := 0; n <= 40; n++ {
		for _, fill := range []byte{' ', '[', '~'} {
			b := []byte(strings.Repeat(string(fill), n))
			for pos := range b {
				for v := range 256 {
					b[pos] = byte(v)
					for start := 0; start <= n; start += 5 {
						check(b, start)
					}
				}
				b[pos] = fill
			}
		}
	}
	for _, n := range []int{255, 256, 257, 300, 511, 520} {
		b := []byte(strings.Repeat("x", n))
		for pos := range b {
			for _, v := range []byte{'"', '\\', 0x1f, 0x7f, 0x80, 0xff, 'y'} {
				b[pos] = v
				for _, start := range []int{0, 1, 7, 250, 256} {
					check(b, start)
				}
			}
			b[pos] = 'x'
		}
	}
}

// TestAppendStringEscapesAsPython: a few strings against the output of
// Python 3's json.dumps, around the bytes the scan looks for.
func TestAppendStringEscapesAsPython(t *testing.T) {
	long := strings.Repeat("a", 300)
	for in, want := range map[string]string{
		"":                       `""`,
		"plain":                  `"plain"`,
		`q"b\`:                   `"q\"b\\"`,
		"tab\tnl\ndel\x7f":       `"tab\tnl\ndel\u007f"`,
		"\x00\x1f":               `"\u0000\u001f"`,
		"é€😀":                    `"\u00e9\u20ac\ud83d\ude00"`,
		long + `"` + long:        `"` + long + `\"` + long + `"`,
		long + "\n" + long + "é": `"` + long + `\n` + long + `\u00e9"`,
	} {
		got, ok := AppendString(nil, in)
		if !ok || string(got) != want {
			t.Errorf("AppendString(%q) = %s, %v; want %s", in, got, ok, want)
		}
	}
	if _, ok := AppendString(nil, "bad \xff utf-8"); ok {
		t.Error("invalid UTF-8 was accepted")
	}
}
