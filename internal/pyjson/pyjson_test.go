package pyjson

import (
	"strings"
	"testing"
)

// TestAppendStringEscapesAsPython: a few strings against the output of
// Python 3's json.dumps, around the bytes that need escaping.
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
