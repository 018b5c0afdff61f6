package messages

import (
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
	js, err := pyjson.Decode([]byte(s))
	items, isList := js.([]any)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	case !isList && pyFalse(js):
		return nil, nil
	case !isList:
		return nil, fmt.Errorf("%w: not a JSON list: %.80s", ErrCorrupt, s)
	}
	ms := make([]Message, len(items))
	for i, item := range items {
		if err := decodeMessage(item, &ms[i]); err != nil {
			return nil, fmt.Errorf("%w: item %d: %v", ErrCorrupt, i, err)
		}
	}
	return ms, nil
}

// decodeMessage reads ["__json_message", is_safedata, level, message] with
// an optional fifth item, the extra tags (a string; null is read as none).
// Django writes is_safedata as 0 or 1 and tests its truth, so true and false
// are read too.
func decodeMessage(item any, m *Message) error {
	parts, _ := item.([]any)
	if len(parts) < 4 || len(parts) > 5 || parts[0] != messageKey {
		return fmt.Errorf("not a message: %.80v", item)
	}
	switch parts[1] {
	case 0, false:
	case 1, true:
		m.Safe = true
	default:
		return fmt.Errorf("safe flag %.20v is not 0 or 1", parts[1])
	}
	level, ok := parts[2].(int)
	if !ok {
		return fmt.Errorf("level %.20v is not an integer", parts[2])
	}
	m.Level = Level(level)
	if m.Text, ok = parts[3].(string); !ok {
		return fmt.Errorf("message %.80v is not a string", parts[3])
	}
	if len(parts) == 5 && parts[4] != nil {
		if m.ExtraTags, ok = parts[4].(string); !ok {
			return fmt.Errorf("extra tags %.80v are not a string", parts[4])
		}
	}
	return nil
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
