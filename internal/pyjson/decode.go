package pyjson

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DecodeObject reads one JSON object as Python's json.loads does: its keys
// in document order (a key that appears twice keeps its first place and its
// last value, as in a Python dict), integers as int (int64 on 32-bit
// platforms, uint64 above math.MaxInt64, and json.Number holding the exact
// digits beyond 64 bits), other numbers as float64, nested objects as
// map[string]any and arrays as []any. Every string is copied: nothing
// returned refers to data.
func DecodeObject(data []byte) (keys []string, values map[string]any, err error) {
	d := decoder{data: data}
	d.skipSpace()
	if d.peek() != '{' {
		return nil, nil, d.errorf("session data is not a JSON object")
	}
	values = make(map[string]any)
	err = d.readContainer(0, func(_ int, key string) error {
		v, err := d.readValue(0)
		if _, dup := values[key]; !dup {
			keys = append(keys, key)
		}
		values[key] = v
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if d.skipSpace(); d.pos != len(d.data) {
		return nil, nil, d.errorf("trailing data after the object")
	}
	return keys, values, nil
}

// Decode reads one JSON value of any kind as DecodeObject reads a member's.
func Decode(data []byte) (any, error) {
	d := decoder{data: data}
	v, err := d.readValue(0)
	if err != nil {
		return nil, err
	}
	if d.skipSpace(); d.pos != len(d.data) {
		return nil, d.errorf("trailing data")
	}
	return v, nil
}

type decoder struct {
	data      []byte
	pos       int
	marshaled bool // refuse the escape \ufffd, encoding/json's invalid UTF-8
}

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("decode JSON at byte %d: %w", d.pos, fmt.Errorf(format, args...))
}

func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// readContainer reads the array or object at d.pos, calling entry to read
// each element's value, with its index and, in an object, its key.
func (d *decoder) readContainer(depth int, entry func(i int, key string) error) error {
	if depth > MaxDepth {
		return d.errorf("%w", ErrTooDeep)
	}
	closing := byte(']')
	if d.data[d.pos] == '{' {
		closing = '}'
	}
	d.pos++
	d.skipSpace()
	if d.peek() == closing {
		d.pos++
		return nil
	}
	for i := 0; ; i++ {
		var key string
		if closing == '}' {
			d.skipSpace()
			var err error
			if key, err = d.readString(); err != nil {
				return err
			}
			d.skipSpace()
			if d.peek() != ':' {
				return d.errorf("expected ':'")
			}
			d.pos++
		}
		if err := entry(i, key); err != nil {
			return err
		}
		d.skipSpace()
		switch c := d.peek(); c {
		case ',':
			d.pos++
		case closing:
			d.pos++
			return nil
		default:
			return d.errorf("expected ',' or '%c'", closing)
		}
	}
}

func (d *decoder) readValue(depth int) (any, error) {
	d.skipSpace()
	switch c := d.peek(); {
	case c == '"':
		return d.readString()
	case c == '{':
		m := make(map[string]any)
		return m, d.readContainer(depth+1, func(_ int, key string) (err error) {
			m[key], err = d.readValue(depth + 1)
			return err
		})
	case c == '[':
		a := []any{}
		err := d.readContainer(depth+1, func(int, string) error {
			v, err := d.readValue(depth + 1)
			a = append(a, v)
			return err
		})
		return a, err
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

func (d *decoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.errorf("invalid literal")
	}
	d.pos += len(word)
	return nil
}

// isNumber reports whether s is exactly one JSON number that DecodeObject
// reads back: a float beyond float64's range is not.
func isNumber(s string) bool {
	d := decoder{data: []byte(s)}
	_, err := d.readNumber()
	return err == nil && d.pos == len(s)
}

// readNumber reads a number as Python's json.loads does: an integer stays
// exact whatever its size; the rest is a float64.
func (d *decoder) readNumber() (any, error) {
	start := d.pos
	for d.pos < len(d.data) && strings.IndexByte("+-.0123456789Ee", d.data[d.pos]) >= 0 {
		d.pos++
	}
	text := string(d.data[start:d.pos])
	if !json.Valid(d.data[start:d.pos]) { // a number, by JSON's grammar, which is Python's
		return nil, d.errorf("invalid number")
	}
	if !strings.ContainsAny(text, ".Ee") {
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			if n == int64(int(n)) {
				return int(n), nil
			}
			return n, nil // on 32-bit platforms
		}
		if n, err := strconv.ParseUint(text, 10, 64); err == nil {
			return n, nil
		}
		return json.Number(text), nil // beyond 64 bits: kept as its digits
	}
	f, _ := strconv.ParseFloat(text, 64) // valid, so only out of range: ±Inf or 0
	if math.IsInf(f, 0) {
		// Python reads inf, which could never be saved again.
		return nil, d.errorf("number out of range")
	}
	return f, nil
}

// readString reads a string as encoding/json and Python do: a surrogate pair
// is one character, a lone surrogate or invalid UTF-8 reads as U+FFFD.
func (d *decoder) readString() (string, error) {
	if d.peek() != '"' {
		return "", d.errorf("expected a string")
	}
	start, plain := d.pos, true
	for d.pos++; d.pos < len(d.data); {
		switch c := d.data[d.pos]; {
		case c == '"':
			d.pos++
			if plain {
				return string(d.data[start+1 : d.pos-1]), nil
			}
			var s string
			if err := json.Unmarshal(d.data[start:d.pos], &s); err != nil {
				return "", d.errorf("%v", err)
			}
			return s, nil
		case c < 0x20:
			return "", d.errorf("control character in string")
		case c == '\\':
			if d.marshaled && len(d.data)-d.pos > 5 && strings.EqualFold(string(d.data[d.pos+1:d.pos+6]), "ufffd") {
				return "", ErrNotUTF8
			}
			plain = false
			d.pos += 2
		default:
			plain = plain && c < utf8.RuneSelf
			d.pos++
		}
	}
	return "", d.errorf("unterminated string")
}
