package pyjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf8"
)

// EncodeObject writes values as one compact JSON object with its members in
// the order of keys (a key without a value is written as null), nested maps
// with sorted keys. Other types go through encoding/json, whose output is
// written again with Python's escapes; a json.Marshaler that writes \ufffd
// (encoding/json's invalid UTF-8) is refused.
func EncodeObject(keys []string, values map[string]any) ([]byte, error) {
	buf, err := appendObject(nil, keys, values, 0)
	if err != nil {
		return nil, fmt.Errorf("session %w", err)
	}
	return buf, nil
}

// appendObject appends values in the order of keys, inside depth arrays and
// objects; an error names the key whose member failed.
func appendObject(buf []byte, keys []string, values map[string]any, depth int) ([]byte, error) {
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		var ok bool
		if buf, ok = AppendString(buf, k); !ok {
			return nil, fmt.Errorf("key %q: %w", k, ErrKeyNotUTF8)
		}
		buf = append(buf, ':')
		var err error
		if buf, err = appendValue(buf, values[k], depth); err != nil {
			return nil, fmt.Errorf("key %q: %w", k, err)
		}
	}
	return append(buf, '}'), nil
}

func appendValue(buf []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case string:
		buf, ok := AppendString(buf, x)
		if !ok {
			return nil, ErrNotUTF8
		}
		return buf, nil
	case bool:
		return strconv.AppendBool(buf, x), nil
	case int:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(buf, x, 10), nil
	case uint64:
		return strconv.AppendUint(buf, x, 10), nil
	case float64:
		return appendFloat(buf, x, 64)
	case float32:
		return appendFloat(buf, float64(x), 32)
	case json.Number:
		if !isNumber(string(x)) {
			return nil, fmt.Errorf("%w: %q", ErrBadNumber, string(x))
		}
		return append(buf, x...), nil
	case *big.Int:
		if x == nil {
			return append(buf, "null"...), nil
		}
		return x.Append(buf, 10), nil
	case big.Int:
		// encoding/json would write the value (not pointer) as {}.
		return x.Append(buf, 10), nil
	case []any:
		if depth >= MaxDepth {
			return nil, ErrTooDeep
		}
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendValue(buf, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	case map[string]any:
		if depth >= MaxDepth {
			return nil, ErrTooDeep
		}
		return appendObject(buf, slices.Sorted(maps.Keys(x)), x, depth+1)
	case json.RawMessage:
		return appendText(buf, x, depth, false)
	}
	return appendMarshaled(buf, v, depth)
}

// appendMarshaled writes every other type through encoding/json.
func appendMarshaled(buf []byte, v any, depth int) ([]byte, error) {
	if f := dropped(reflect.ValueOf(v), depth); f != "" {
		return nil, fmt.Errorf("cannot store %T as JSON: field %s is unexported, and JSON would drop it (export it, or give the type a MarshalJSON method)", v, f)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		var ute *json.UnsupportedTypeError
		if errors.As(err, &ute) {
			err = fmt.Errorf("type %s has no JSON form", ute.Type)
		}
		return nil, fmt.Errorf("cannot store %T as JSON: %w", v, err)
	}
	buf, err := appendText(buf, bytes.TrimSuffix(b.Bytes(), []byte("\n")), depth, true)
	if err != nil {
		return nil, fmt.Errorf("%T: %w", v, err)
	}
	return buf, nil
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// dropped names a non-zero struct field in v that encoding/json would leave
// out without an error (unexported, not an embedded struct), or returns "".
// Types that marshal themselves are trusted; "-" fields are left out on purpose.
func dropped(v reflect.Value, depth int) string {
	if !v.IsValid() || depth > MaxDepth {
		return ""
	}
	t := v.Type()
	for _, m := range []reflect.Type{marshalerType, textMarshalerType} {
		if t.Implements(m) || v.CanAddr() && reflect.PointerTo(t).Implements(m) {
			return ""
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return dropped(v.Elem(), depth+1)
		}
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			embedded := f.Anonymous && (f.Type.Kind() == reflect.Struct || f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct)
			switch {
			case f.Tag.Get("json") == "-":
			case !f.IsExported() && !embedded:
				if !v.Field(i).IsZero() {
					return t.String() + "." + f.Name
				}
			default:
				if name := dropped(v.Field(i), depth+1); name != "" {
					return name
				}
			}
		}
	case reflect.Slice, reflect.Array, reflect.Map:
		if k := t.Elem().Kind(); k <= reflect.Complex128 || k == reflect.String {
			return "" // no struct inside
		}
		for _, e := range v.Seq2() {
			if name := dropped(e, depth+1); name != "" {
				return name
			}
		}
	}
	return ""
}

// appendFloat writes f as Python's json.dumps does (float.__repr__): the
// shortest digits that read back as f, with an exponent below 1e-4 and from
// 1e16 on, and ".0" on a whole number.
func appendFloat(buf []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("float %v has no JSON form", f)
	}
	start := len(buf)
	abs := math.Abs(f)
	format := byte('f') // Python's repr: an exponent below 1e-4 and from 1e16
	if abs != 0 && (abs < 1e-4 || abs >= 1e16) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, bits)
	// Keep a float a float across a round trip: "1" would read back as int.
	if !bytes.ContainsAny(buf[start:], ".eE") {
		buf = append(buf, ".0"...)
	}
	return buf, nil
}

// appendText writes the JSON text js (from encoding/json when marshaled, or
// a json.RawMessage) again with Python's escapes, checked by the decoder as
// a loaded record would be, members in its own order.
func appendText(buf, js []byte, depth int, marshaled bool) ([]byte, error) {
	if !utf8.Valid(js) {
		return nil, ErrNotUTF8
	}
	d := decoder{data: js, marshaled: marshaled}
	buf, err := d.copyValue(buf, depth)
	if err != nil {
		return nil, err
	}
	if d.skipSpace(); d.pos != len(js) {
		return nil, d.errorf("trailing data")
	}
	return buf, nil
}

// copyValue appends the value at d.pos as appendValue would write it.
func (d *decoder) copyValue(buf []byte, depth int) ([]byte, error) {
	d.skipSpace()
	c := d.peek()
	switch {
	case c == '"':
		s, err := d.readString()
		if err != nil {
			return nil, err
		}
		buf, _ = AppendString(buf, s) // valid: js is
		return buf, nil
	case c == '[' || c == '{':
		buf = append(buf, c)
		err := d.readContainer(depth+1, func(i int, key string) error {
			if i > 0 {
				buf = append(buf, ',')
			}
			if c == '{' {
				buf, _ = AppendString(buf, key)
				buf = append(buf, ':')
			}
			var err error
			buf, err = d.copyValue(buf, depth+1)
			return err
		})
		return append(buf, c+2), err // c+2 closes: ']' or '}'
	}
	start := d.pos // a number, true, false or null, copied as it is
	if _, err := d.readValue(depth); err != nil {
		if c == '-' || (c >= '0' && c <= '9') {
			return nil, ErrBadNumber // a json.Number's 1e400 would save, then not load
		}
		return nil, err
	}
	return append(buf, d.data[start:d.pos]...), nil
}
