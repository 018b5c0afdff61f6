package messages

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/ginsession/ginsession/internal/pyjson"
)

// messageKey is Django's MessageEncoder.message_key.
const messageKey = "__json_message"

// encode writes ms as Django's SessionStorage does: MessageEncoder().encode,
// Python's default separators and ASCII escapes, so the string is byte for
// byte Django's.
//
// The extra tags are written even when empty, as Django 4.1 and later do
// (ticket #33458: 3.2 left them out, so "" came back as None and broke
// templates testing `x in message.extra_tags`). Django 3.2 reads both forms.
func encode(ms []Message) string {
	buf := []byte{'['}
	for i, m := range ms {
		if i > 0 {
			buf = append(buf, ", "...)
		}
		buf = appendMessage(buf, m)
	}
	return string(append(buf, ']'))
}

// encodeAppend returns encode's output for stored's messages then m,
// copying stored (which Add wrote: at least one message) instead of
// encoding it again.
func encodeAppend(stored string, m Message) string {
	return strings.TrimSuffix(stored, "]") + ", " + string(appendMessage(nil, m)) + "]"
}

// appendMessage appends m as Django's MessageEncoder writes one message.
func appendMessage(buf []byte, m Message) []byte {
	safe := "0, "
	if m.Safe {
		safe = "1, "
	}
	buf = append(buf, `["`+messageKey+`", `+safe...)
	buf = strconv.AppendInt(buf, int64(m.Level), 10)
	buf = append(buf, ", "...)
	// Valid UTF-8: Add refuses others, decoded ones come from JSON.
	buf, _ = pyjson.AppendString(buf, m.Text)
	buf = append(buf, ", "...)
	buf, _ = pyjson.AppendString(buf, m.ExtraTags)
	return append(buf, ']')
}

// decode reads the value under SessionKey as Django 3.2's SessionStorage
// does: a value false in Python's sense, or a string whose JSON is one, is
// no messages; anything else Django's MessageDecoder would not turn into a
// list of messages is ErrCorrupt.
func decode(v any) ([]Message, error) {
	if pyFalse(v) {
		return nil, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%w: %s holds a %T, not Django's JSON string", ErrCorrupt, SessionKey, v)
	}
	var items []json.RawMessage
	if err := json.Unmarshal([]byte(s), &items); err != nil {
		var x any
		if json.Unmarshal([]byte(s), &x) == nil && pyFalse(x) {
			return nil, nil
		}
		return nil, fmt.Errorf("%w: not a JSON list: %v", ErrCorrupt, err)
	}
	ms := make([]Message, 0, len(items))
	for i, item := range items {
		m, err := decodeMessage(item)
		if err != nil {
			return nil, fmt.Errorf("%w: item %d: %v", ErrCorrupt, i, err)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// pyFalse reports whether v is false in Python's sense: None, False, a zero
// number, or an empty string, list or dict.
func pyFalse(v any) bool {
	if n, ok := v.(json.Number); ok {
		f, err := strconv.ParseFloat(string(n), 64)
		return err == nil && f == 0
	}
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool:
		return !rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return rv.Float() == 0
	case reflect.String, reflect.Slice, reflect.Map:
		return rv.Len() == 0
	}
	return false
}

// decodeMessage reads ["__json_message", is_safedata, level, message] with
// an optional fifth item, the extra tags (a string; null is read as none).
func decodeMessage(item json.RawMessage) (Message, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(item, &parts); err != nil || len(parts) < 4 || len(parts) > 5 {
		return Message{}, fmt.Errorf("not a message: %.80s", item)
	}
	var key string
	if err := json.Unmarshal(parts[0], &key); err != nil || key != messageKey {
		return Message{}, fmt.Errorf("not a message: %.80s", item)
	}
	safe, err := decodeFlag(parts[1])
	if err != nil {
		return Message{}, err
	}
	level, err := strconv.ParseInt(string(parts[2]), 10, 0)
	if err != nil {
		return Message{}, fmt.Errorf("level %s is not an integer", parts[2])
	}
	m := Message{Level: Level(level), Safe: safe}
	if err := json.Unmarshal(parts[3], &m.Text); err != nil || parts[3][0] != '"' {
		return Message{}, fmt.Errorf("message %.80s is not a string", parts[3])
	}
	if len(parts) == 5 && !bytes.Equal(parts[4], []byte("null")) {
		if err := json.Unmarshal(parts[4], &m.ExtraTags); err != nil || parts[4][0] != '"' {
			return Message{}, fmt.Errorf("extra tags %.80s are not a string", parts[4])
		}
	}
	return m, nil
}

// decodeFlag reads is_safedata: Django writes 0 or 1 and tests its truth, so
// true and false are read too.
func decodeFlag(raw json.RawMessage) (bool, error) {
	switch string(raw) {
	case "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, fmt.Errorf("safe flag %.20s is not 0 or 1", raw)
}
