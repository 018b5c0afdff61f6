package messages

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestEncodeWritesDjangosMessageEncoderString(t *testing.T) {
	// MessageEncoder().encode of Django 4.1+ for the same messages (3.2
	// leaves out empty extra tags); interop proves Django reads it.
	got := encode([]Message{
		{Level: LevelSuccess, Text: "Welcome, Zoë 😀"},
		{Level: 35, Text: "<b>\"q\"</b>\n\t\u007f", ExtraTags: "a b", Safe: true},
	})
	want := `[["__json_message", 0, 25, "Welcome, Zo\u00eb \ud83d\ude00", ""], ["__json_message", 1, 35, "<b>\"q\"</b>\n\t\u007f", "a b"]]`
	if got != want {
		t.Fatalf("encode\n%s\nwant\n%s", got, want)
	}
	if encode(nil) != "[]" {
		t.Fatalf("encode(nil) = %s", encode(nil))
	}
}

func TestDecodeReadsWhatEveryDjangoWrites(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Message
	}{
		{"Django 3.2: no extra tags item when empty", `[["__json_message", 0, 20, "hi"]]`, []Message{{Level: 20, Text: "hi"}}},
		{"Django 4.1+: empty extra tags written", `[["__json_message", 0, 20, "hi", ""]]`, []Message{{Level: 20, Text: "hi"}}},
		{"null extra tags", `[["__json_message",0,20,"hi",null]]`, []Message{{Level: 20, Text: "hi"}}},
		{"safe, extra tags, custom level, escapes", `[["__json_message", 1, 35, "<i>\u00e9</i>", "x y"], ["__json_message", 0, -1, "z"]]`,
			[]Message{{Level: 35, Text: "<i>é</i>", ExtraTags: "x y", Safe: true}, {Level: -1, Text: "z"}}},
		{"true and false flags", `[["__json_message", true, 20, "a"], ["__json_message", false, 20, "b"]]`,
			[]Message{{Level: 20, Text: "a", Safe: true}, {Level: 20, Text: "b"}}},
		{"an empty list", `[]`, []Message{}},
		{"an empty string is no messages", ``, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decode(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decode %s = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestDecodeRefusesWhatIsNotDjangosFormat(t *testing.T) {
	for name, in := range map[string]any{
		"not a string":              []any{"x"},
		"not JSON":                  `[["__json_message", 0, 20, "hi"]`,
		"an object":                 `{"a": 1}`,
		"a bare string item":        `["__messagesnotfinished__"]`,
		"another marker":            `[["__json_other", 0, 20, "hi"]]`,
		"too short":                 `[["__json_message", 0, 20]]`,
		"too long":                  `[["__json_message", 0, 20, "hi", "", 1]]`,
		"a float level":             `[["__json_message", 0, 20.5, "hi"]]`,
		"a string level":            `[["__json_message", 0, "20", "hi"]]`,
		"a number text":             `[["__json_message", 0, 20, 5]]`,
		"a list of tags":            `[["__json_message", 0, 20, "hi", ["a"]]]`,
		"a flag of 2":               `[["__json_message", 2, 20, "hi"]]`,
		"trailing data":             `[["__json_message", 0, 20, "hi"]] x`,
		"a nested list of messages": `[[["__json_message", 0, 20, "hi"]]]`,
		"a true value":              true,
		"a number":                  1,
		"a non-empty object":        map[string]any{"a": 1},
		"the JSON true":             `true`,
		"the JSON 1":                `1`,
		"a JSON string":             `"hi"`,
		"the JSON 1e400":            `1e400`,
	} {
		t.Run(name, func(t *testing.T) {
			if ms, err := decode(in); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("decode(%v) = %+v, %v; want ErrCorrupt", in, ms, err)
			}
		})
	}
}

// TestDecodeReadsFalseValuesAsNoMessages follows Django 3.2's
// SessionStorage: deserialize_messages returns a false value as it is and
// json.loads a non-empty string, and _loaded_messages reads any false
// result as no messages.
func TestDecodeReadsFalseValuesAsNoMessages(t *testing.T) {
	for _, in := range []any{
		nil, false, 0, int64(0), uint64(0), 0.0, math.Copysign(0, -1), json.Number("0"), json.Number("-0.0"),
		"", []any{}, map[string]any{},
		"null", "false", "0", "-0", "0.0", "0e5", "1e-400", `""`, "[]", " [ ] ", "{}", "\n{ }\t",
	} {
		if ms, err := decode(in); err != nil || len(ms) != 0 {
			t.Errorf("decode(%#v) = %+v, %v; want no messages", in, ms, err)
		}
	}
}

func TestEncodeThenDecodeGivesTheMessagesBack(t *testing.T) {
	ms := []Message{
		{Level: LevelDebug, Text: "a\u2028b\x00c \\ \" ' / <>&", ExtraTags: "t"},
		{Level: 1 << 40, Text: "𝄞 ü", Safe: true},
	}
	got, err := decode(encode(ms))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ms) {
		t.Fatalf("round trip %+v, want %+v", got, ms)
	}
}
