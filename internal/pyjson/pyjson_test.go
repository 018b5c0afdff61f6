package pyjson

import (
	"fmt"
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

// TestDecodeReadsOneValueOfAnyKind: a bare value reads as a member of
// DecodeObject would, and anything after it but white space is refused.
func TestDecodeReadsOneValueOfAnyKind(t *testing.T) {
	for in, want := range map[string]string{
		` [1, "\u00e9", [], {"a": null}, 2.5, 18446744073709551615] `: `[]interface {}{1, "é", []interface {}{}, map[string]interface {}{"a":interface {}(nil)}, 2.5, 0xffffffffffffffff}`,
		`0`:      `0`,
		`"x"`:    `"x"`,
		`false`:  `false`,
		"null\n": `<nil>`,
	} {
		got, err := Decode([]byte(in))
		if err != nil || fmt.Sprintf("%#v", got) != want {
			t.Errorf("Decode(%q) = %#v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{``, `1 2`, `[1] x`, `[1`, `1e400`, `NaN`} {
		if got, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) = %#v, want an error", in, got)
		}
	}
}
