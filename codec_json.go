package ginsession

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"

	"github.com/ginsession/ginsession/internal/pyjson"
)

// JSONCodec is the default codec: compact JSON that Django's JSONSerializer
// reads as it is (top-level keys in insertion order, every non-ASCII
// character escaped as \uXXXX, no HTML escaping).
//
// Whatever Encode accepts, Decode returns with the same meaning: integers
// come back as int (uint64 above math.MaxInt64, and a [json.Number] holding
// the exact digits beyond 64 bits, as Python writes 2**70), so a value set as
// 42 reads back as 42 and not 42.0, and no integer is ever rounded. Floats
// come back as float64, nested objects as map[string]any and arrays as
// []any; [Get] converts them to the caller's type. Encode fails the save
// with an error naming the key, rather than store something that would read
// back different or not at all: values JSON cannot hold (channels,
// functions, NaN, ...), strings or map keys that are not valid UTF-8 (JSON
// would hold U+FFFD instead, and two such keys would merge into one), and
// values nesting more than 200 arrays and objects (maxJSONDepth), which
// Decode refuses too. Values other than the JSON shapes go through
// encoding/json and are checked the same way on its output; as encoding/json
// writes invalid UTF-8 as the escape \ufffd, a [json.Marshaler] that writes
// that escape itself is refused (write the character U+FFFD instead).
type JSONCodec struct{}

// Encode implements Codec.
func (c JSONCodec) Encode(keys []string, values map[string]any) ([]byte, error) {
	return encodeMap(c, keys, values)
}

// Decode implements Codec.
func (c JSONCodec) Decode(data []byte) ([]string, map[string]any, error) {
	return decodeMap(c, data)
}

func (JSONCodec) encodeSet(values *valueSet) ([]byte, error) { return encodeJSON(values) }

func (JSONCodec) decodeSet(data []byte, alias bool, dst *valueSet) error {
	return decodeJSONInto(data, alias, dst)
}

// maxJSONDepth is the most arrays and objects a session value may nest: []
// nests 1, [[1],{}] nests 2, a scalar 0. Encode and Decode apply this one
// rule, counted the same way, so whatever saves also loads; on Decode it
// also keeps hostile input from exhausting the stack.
const maxJSONDepth = 200

// encodeJSON writes values as one JSON object in the order of their keys (a
// key without a value, which only Encode's caller can hand over, is written
// as null).
func encodeJSON(values *valueSet) ([]byte, error) {
	keys := values.orderedKeys()
	// Sized for what the keys and top-level strings need: grown from a few
	// bytes, the buffer of a large session was copied over and over (the
	// "Growth" rows of BENCHMARKS.md).
	size := 2
	for i, k := range keys {
		size += len(k) + 6
		if s, ok := values.at(i, k).(string); ok {
			size += len(s)
		} else {
			size += 8
		}
	}
	buf := make([]byte, 0, size)
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		var ok bool
		if buf, ok = pyjson.AppendString(buf, k); !ok {
			return nil, fmt.Errorf("ginsession: session key %q: %w", k, errKeyNotUTF8)
		}
		buf = append(buf, ':')
		var err error
		buf, err = appendJSONValue(buf, values.at(i, k), 0)
		if err != nil {
			return nil, fmt.Errorf("ginsession: session key %q: %w", k, err)
		}
	}
	return append(buf, '}'), nil
}

var (
	errTooDeep    = fmt.Errorf("value nests more than %d arrays and objects, which could not be loaded again", maxJSONDepth)
	errNotUTF8    = errors.New("string is not valid UTF-8 (JSON would hold U+FFFD instead)")
	errKeyNotUTF8 = errors.New("key is not valid UTF-8 (JSON would hold U+FFFD instead, and could merge it with another key)")
	errBadNumber  = errors.New("not a JSON number that could be loaded again")
)

// appendJSONValue appends v, which sits inside depth arrays and objects of
// its session value.
func appendJSONValue(buf []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case string:
		buf, ok := pyjson.AppendString(buf, x)
		if !ok {
			return nil, errNotUTF8
		}
		return buf, nil
	case bool:
		return strconv.AppendBool(buf, x), nil
	case int:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(buf, x, 10), nil
	case int32:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(buf, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(buf, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(buf, x, 10), nil
	case uint32:
		return strconv.AppendUint(buf, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(buf, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(buf, uint64(x), 10), nil
	case float64:
		return appendJSONFloat(buf, x, 64)
	case float32:
		return appendJSONFloat(buf, float64(x), 32)
	case json.Number:
		if !isJSONNumber(string(x)) {
			return nil, fmt.Errorf("%w: %q", errBadNumber, string(x))
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
		if depth >= maxJSONDepth {
			return nil, errTooDeep
		}
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			var err error
			if buf, err = appendJSONValue(buf, e, depth+1); err != nil {
				return nil, err
			}
		}
		return append(buf, ']'), nil
	case []string:
		if depth >= maxJSONDepth {
			return nil, errTooDeep
		}
		buf = append(buf, '[')
		for i, e := range x {
			if i > 0 {
				buf = append(buf, ',')
			}
			var ok bool
			if buf, ok = pyjson.AppendString(buf, e); !ok {
				return nil, errNotUTF8
			}
		}
		return append(buf, ']'), nil
	case map[string]any:
		if depth >= maxJSONDepth {
			return nil, errTooDeep
		}
		ks := make([]string, 0, len(x))
		for k := range x {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		buf = append(buf, '{')
		for i, k := range ks {
			if i > 0 {
				buf = append(buf, ',')
			}
			var ok bool
			if buf, ok = pyjson.AppendString(buf, k); !ok {
				return nil, fmt.Errorf("map key %q: %w", k, errKeyNotUTF8)
			}
			buf = append(buf, ':')
			var err error
			if buf, err = appendJSONValue(buf, x[k], depth+1); err != nil {
				return nil, err
			}
		}
		return append(buf, '}'), nil
	case json.RawMessage:
		if !json.Valid(x) {
			return nil, errors.New("invalid json.RawMessage")
		}
		return appendForeignJSON(buf, x, depth, false)
	}
	return appendReflectJSON(buf, v, depth)
}

// appendReflectJSON handles every other type (structs, typed maps and
// slices, time.Time, json.Marshaler ...) through encoding/json, then checks
// and escapes the result like the fast paths.
func appendReflectJSON(buf []byte, v any, depth int) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("cannot store %T as JSON: %w", v, unwrapJSONError(err))
	}
	out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	buf, err := appendForeignJSON(buf, out, depth, true)
	if err != nil {
		return nil, fmt.Errorf("%T: %w", v, err)
	}
	return buf, nil
}

func unwrapJSONError(err error) error {
	var ute *json.UnsupportedTypeError
	if errors.As(err, &ute) {
		return fmt.Errorf("type %s has no JSON form", ute.Type)
	}
	return err
}

func appendJSONFloat(buf []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("float %v has no JSON form", f)
	}
	start := len(buf)
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	buf = strconv.AppendFloat(buf, f, format, -1, bits)
	// Keep a float a float across a round trip: "1" would read back as int.
	if !bytes.ContainsAny(buf[start:], ".eE") {
		buf = append(buf, ".0"...)
	}
	return buf, nil
}

// appendForeignJSON copies valid JSON text that encoding/json or a
// json.RawMessage made, for a value inside depth arrays and objects: it
// escapes non-ASCII runes and DEL as \uXXXX like the fast paths, and refuses
// text that nests too deeply or holds invalid UTF-8. encoding/json writes
// invalid UTF-8 as the escape \ufffd (and a real U+FFFD as the character),
// so with marshaled that escape is refused too.
func appendForeignJSON(buf, js []byte, depth int, marshaled bool) ([]byte, error) {
	inString := false
	for i := 0; i < len(js); {
		c := js[i]
		switch {
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(js[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, errNotUTF8
			}
			buf = pyjson.AppendEscapedRune(buf, r)
			i += size
			continue
		case c == 0x7f:
			buf = pyjson.AppendU4(buf, 0x7f)
			i++
			continue
		case inString && c == '\\':
			// Valid JSON: an escape always has its next byte.
			if marshaled && bytes.HasPrefix(js[i+1:], []byte("ufffd")) {
				return nil, errNotUTF8
			}
			buf = append(buf, c, js[i+1])
			i += 2
			continue
		case c == '"':
			inString = !inString
		case inString:
		case c == '-' || (c >= '0' && c <= '9'):
			// encoding/json writes a json.Number's text as it is: 1e400
			// would save, then make the record unreadable.
			d := jsonDecoder{data: js, pos: i}
			if isFloat, _ := d.scanNumber(); isFloat && !floatInRange(bytesToString(js[i:d.pos])) {
				return nil, errBadNumber
			}
			buf = append(buf, js[i:d.pos]...)
			i = d.pos
			continue
		case c == '[' || c == '{':
			if depth++; depth > maxJSONDepth {
				return nil, errTooDeep
			}
		case c == ']' || c == '}':
			depth--
		}
		buf = append(buf, c)
		i++
	}
	return buf, nil
}

// decodeJSONInto reads one JSON object into dst, replacing its entries,
// with its keys in document order; on an error dst is left empty. A key
// that appears twice keeps its last value and its first position, as a
// Python dict would. With alias, plain strings point into data instead of
// being copied: only for a buffer nobody will change.
func decodeJSONInto(data []byte, alias bool, dst *valueSet) error {
	dst.reset()
	if err := readJSONObject(data, alias, dst); err != nil {
		dst.reset()
		return err
	}
	return nil
}

// readJSONObject is decodeJSONInto on an empty dst.
func readJSONObject(data []byte, alias bool, dst *valueSet) error {
	d := jsonDecoder{data: data, alias: alias}
	d.skipSpace()
	if d.pos >= len(d.data) || d.data[d.pos] != '{' {
		return d.errorf("session data is not a JSON object")
	}
	d.pos++
	// The entries are read into keys (in dst's buffer while they fit) and
	// vals first, and a map, if the session needs one, is made at its
	// final size: grown one entry at a time, it rehashed its way to the
	// size of a large session, over a third of reading one (the "Growth"
	// rows of BENCHMARKS.md).
	keys := dst.keyBuf[:0]
	var valBuf [8]any
	vals := valBuf[:0]
	d.skipSpace()
	if d.peek() == '}' {
		d.pos++
	} else {
		for {
			d.skipSpace()
			k, err := d.readString()
			if err != nil {
				return err
			}
			d.skipSpace()
			if d.peek() != ':' {
				return d.errorf("expected ':'")
			}
			d.pos++
			v, err := d.readValue(0)
			if err != nil {
				return err
			}
			keys, vals = append(keys, k), append(vals, v)
			d.skipSpace()
			c := d.peek()
			d.pos++
			if c == '}' {
				break
			}
			if c != ',' {
				return d.errorf("expected ',' or '}'")
			}
		}
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return d.errorf("trailing data after the object")
	}
	if len(vals) <= smallValues {
		// Each value goes in the slot of its key's first place.
		out := keys[:0]
		for i, k := range keys {
			if j := slices.Index(out, k); j >= 0 {
				dst.vals[j] = vals[i]
				continue
			}
			dst.vals[len(out)] = vals[i]
			out = append(out, k)
		}
		clear(keys[len(out):])
		if len(out) > 0 {
			dst.keys = out // an empty object leaves keys nil, as reset does
		}
		return nil
	}
	m := make(map[string]any, len(vals))
	out := keys[:0]
	for i, k := range keys {
		if _, dup := m[k]; !dup {
			out = append(out, k)
		}
		m[k] = vals[i]
	}
	clear(keys[len(out):])
	clear(dst.keyBuf[:]) // keys outgrew it
	dst.keys, dst.m = out, m
	return nil
}

type jsonDecoder struct {
	data  []byte
	pos   int
	alias bool // plain strings may point into data
}

func (d *jsonDecoder) errorf(format string, args ...any) error {
	return fmt.Errorf("ginsession: decode JSON at byte %d: %s", d.pos, fmt.Sprintf(format, args...))
}

func (d *jsonDecoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *jsonDecoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// readValue reads a value that sits inside depth arrays and objects of its
// session value (the rule of maxJSONDepth, as on encode).
func (d *jsonDecoder) readValue(depth int) (any, error) {
	d.skipSpace()
	c := d.peek()
	if (c == '{' || c == '[') && depth >= maxJSONDepth {
		return nil, d.errorf("nested deeper than %d arrays and objects", maxJSONDepth)
	}
	switch {
	case c == '"':
		return d.readString()
	case c == '{':
		d.pos++
		m := make(map[string]any)
		d.skipSpace()
		if d.peek() == '}' {
			d.pos++
			return m, nil
		}
		for {
			d.skipSpace()
			k, err := d.readString()
			if err != nil {
				return nil, err
			}
			d.skipSpace()
			if d.peek() != ':' {
				return nil, d.errorf("expected ':'")
			}
			d.pos++
			v, err := d.readValue(depth + 1)
			if err != nil {
				return nil, err
			}
			m[k] = v
			d.skipSpace()
			c := d.peek()
			d.pos++
			if c == '}' {
				return m, nil
			}
			if c != ',' {
				return nil, d.errorf("expected ',' or '}'")
			}
		}
	case c == '[':
		d.pos++
		a := []any{}
		d.skipSpace()
		if d.peek() == ']' {
			d.pos++
			return a, nil
		}
		for {
			v, err := d.readValue(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			d.skipSpace()
			c := d.peek()
			d.pos++
			if c == ']' {
				return a, nil
			}
			if c != ',' {
				return nil, d.errorf("expected ',' or ']'")
			}
		}
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.readNumber()
	case c == 'N' || c == 'I':
		// Python writes NaN and Infinity as bare tokens; Go has no JSON for them.
		return nil, d.errorf("NaN and Infinity are not supported")
	}
	return nil, d.errorf("unexpected character %q", d.peek())
}

func (d *jsonDecoder) literal(word string) error {
	if !bytes.HasPrefix(d.data[d.pos:], []byte(word)) {
		return d.errorf("invalid literal")
	}
	d.pos += len(word)
	return nil
}

// scanNumber moves past one JSON number, reporting whether it was valid and
// whether it has a fraction or an exponent.
func (d *jsonDecoder) scanNumber() (isFloat, ok bool) {
	if d.peek() == '-' {
		d.pos++
	}
	digits := d.pos
	d.skipDigits()
	if d.pos == digits || (d.data[digits] == '0' && d.pos-digits > 1) {
		return false, false
	}
	if d.peek() == '.' {
		isFloat = true
		d.pos++
		if frac := d.pos; d.skipDigits() == frac {
			return false, false
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		isFloat = true
		d.pos++
		if c := d.peek(); c == '+' || c == '-' {
			d.pos++
		}
		if exp := d.pos; d.skipDigits() == exp {
			return false, false
		}
	}
	return isFloat, true
}

// skipDigits moves past ASCII digits and returns the new position.
func (d *jsonDecoder) skipDigits() int {
	for d.pos < len(d.data) && d.data[d.pos] >= '0' && d.data[d.pos] <= '9' {
		d.pos++
	}
	return d.pos
}

// isJSONNumber reports whether s is exactly one JSON number that Decode
// reads back: a float beyond float64's range is not.
func isJSONNumber(s string) bool {
	d := jsonDecoder{data: []byte(s)}
	isFloat, ok := d.scanNumber()
	if !ok || d.pos != len(s) {
		return false
	}
	return !isFloat || floatInRange(s)
}

// floatInRange reports whether the valid JSON float text is within
// float64's range, so that Decode reads it back.
func floatInRange(text string) bool {
	f, _ := strconv.ParseFloat(text, 64)
	return !math.IsInf(f, 0)
}

// readNumber reads a number as Python's json.loads does: an integer (no
// fraction, no exponent) stays an integer, exactly, whatever its size; the
// rest is a float64, as Python's float.
func (d *jsonDecoder) readNumber() (any, error) {
	start := d.pos
	isFloat, ok := d.scanNumber()
	if !ok {
		return nil, d.errorf("invalid number")
	}
	text := bytesToString(d.data[start:d.pos])
	if !isFloat {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			if n == int64(int(n)) {
				return int(n), nil
			}
			return n, nil // on 32-bit platforms
		}
		if n, err := strconv.ParseUint(text, 10, 64); err == nil {
			return n, nil
		}
		// Beyond 64 bits (Python's 2**70): kept as its digits, so it is
		// saved again unchanged and never rounded.
		return json.Number(string(d.data[start:d.pos])), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, d.errorf("invalid number")
	}
	if math.IsInf(f, 0) {
		// Beyond float64: Python reads it as inf, which JSON cannot hold,
		// so it could never be saved again; the data is unreadable.
		return nil, d.errorf("number out of range")
	}
	return f, nil
}

func (d *jsonDecoder) readString() (string, error) {
	if d.peek() != '"' {
		return "", d.errorf("expected a string")
	}
	d.pos++
	start := d.pos
	// Fast path: no escapes and only ASCII.
	d.pos = plainJSONRun(d.data, d.pos)
	if d.pos < len(d.data) && d.data[d.pos] == '"' {
		var s string
		if d.alias {
			s = bytesToString(d.data[start:d.pos])
		} else {
			s = string(d.data[start:d.pos])
		}
		d.pos++
		return s, nil
	}
	out := make([]byte, 0, d.pos-start+16)
	out = append(out, d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		if j := plainJSONRun(d.data, d.pos); j > d.pos {
			out = append(out, d.data[d.pos:j]...)
			if d.pos = j; j == len(d.data) {
				break
			}
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return string(out), nil
		case c < 0x20:
			return "", d.errorf("control character in string")
		case c == '\\':
			d.pos++
			if d.pos >= len(d.data) {
				return "", d.errorf("unterminated string")
			}
			e := d.data[d.pos]
			d.pos++
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'u':
				r, ok := d.readHex4()
				if !ok {
					return "", d.errorf("invalid \\u escape")
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
						save := d.pos
						d.pos += 2
						var ok2 bool
						if r2, ok2 = d.readHex4(); !ok2 {
							return "", d.errorf("invalid \\u escape")
						}
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							r = dec
						} else {
							d.pos = save
							r = utf8.RuneError
						}
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", d.errorf("invalid escape \\%c", e)
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			out = utf8.AppendRune(out, r)
			d.pos += size
		}
	}
	return "", d.errorf("unterminated string")
}

// plainJSONRun returns the index of the first byte from i on that ends or
// interrupts a plain run of string content: '"', '\\', a control
// character or a non-ASCII byte (len(b) if none). A byte-by-byte loop made
// reading a session of long strings slower than scs's gob (the "Growth"
// rows of BENCHMARKS.md), so it looks for the quote and the backslash with
// bytes.IndexByte and for the others eight bytes at a time, a window at a
// time: the work stays proportional to the run even when escapes come
// thick in a long string.
func plainJSONRun(b []byte, i int) int {
	const window = 256
	for i < len(b) {
		end := min(i+window, len(b))
		stop := end
		if q := bytes.IndexByte(b[i:end], '"'); q >= 0 {
			stop = i + q
		}
		if e := bytes.IndexByte(b[i:stop], '\\'); e >= 0 {
			stop = i + e
		}
		if j := controlOrHigh(b, i, stop); j < stop || stop < end {
			return j
		}
		i = end
	}
	return i
}

// controlOrHigh returns the index of the first byte in b[i:stop] under
// 0x20 or over 0x7f, stop if none.
func controlOrHigh(b []byte, i, stop int) int {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	ctrlOrHigh := func(x uint64) uint64 { return (x-0x20*ones)&^x | x }
	for ; i+32 <= stop; i += 32 {
		w := b[i : i+32 : i+32]
		if (ctrlOrHigh(binary.LittleEndian.Uint64(w[0:]))|ctrlOrHigh(binary.LittleEndian.Uint64(w[8:]))|
			ctrlOrHigh(binary.LittleEndian.Uint64(w[16:]))|ctrlOrHigh(binary.LittleEndian.Uint64(w[24:])))&high != 0 {
			break
		}
	}
	for ; i+8 <= stop; i += 8 {
		// A byte's high bit is set when it is over 0x7f, or when it is under
		// 0x20 (a borrow can set a later byte's too, but only after one that
		// matched, and the bytes are then looked at one by one).
		if x := binary.LittleEndian.Uint64(b[i:]); ((x-0x20*ones)&^x|x)&high != 0 {
			break
		}
	}
	for ; i < stop; i++ {
		if c := b[i]; c < 0x20 || c >= utf8.RuneSelf {
			return i
		}
	}
	return stop
}

func (d *jsonDecoder) readHex4() (rune, bool) {
	if d.pos+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[d.pos : d.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	d.pos += 4
	return r, true
}

// isJSONCodec reports whether c produces plain JSON (what client-side
// stores sign themselves).
func isJSONCodec(c Codec) bool {
	_, ok := c.(JSONCodec)
	if !ok {
		_, ok = c.(*JSONCodec)
	}
	return ok
}

// bytesToString views b as a string without copying, for parsers that do not
// keep the result.
func bytesToString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
