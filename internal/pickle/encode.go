package pickle

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// EncodeDict writes a protocol 4 pickle of a dict: the entries of values
// under keys, in that order, then any entries keys does not list, sorted.
// Nested maps are written with their keys sorted.
//
// Values may be nil, bool, string (valid UTF-8), any Go integer, *big.Int,
// float32, float64, json.Number, []any (a list), Tuple, map[string]any and
// DateTime; any other value goes through encoding/json and is written as
// what that makes of it (a struct becomes a dict), as ginsession's JSON
// codec would store it. An error names the key whose value cannot be
// written (invalid UTF-8, nesting deeper than MaxDepth, what encoding/json
// refuses).
func EncodeDict(keys []string, values map[string]any) ([]byte, error) {
	e := encoder{buf: []byte{opProto, 4}}
	order := make([]string, 0, len(values))
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if _, ok := values[k]; ok && !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
	}
	var rest []string
	for k := range values {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	order = append(order, rest...)
	e.buf = append(e.buf, opEmptyDict)
	if len(order) > 0 {
		e.buf = append(e.buf, opMark)
		for _, k := range order {
			if err := e.str(k); err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			if err := e.value(values[k], 1); err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
		}
		e.buf = append(e.buf, opSetItems)
	}
	return append(e.buf, opStop), nil
}

type encoder struct{ buf []byte }

func (e *encoder) str(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("pickle: a string that is not valid UTF-8 (%.20q)", s)
	}
	switch n := len(s); {
	case n < 256:
		e.buf = append(e.buf, opShortBinUnicode, byte(n))
	case uint64(n) <= math.MaxUint32:
		e.buf = binary.LittleEndian.AppendUint32(append(e.buf, opBinUnicode), uint32(n))
	default:
		e.buf = binary.LittleEndian.AppendUint64(append(e.buf, opBinUnicode8), uint64(n))
	}
	e.buf = append(e.buf, s...)
	return nil
}

// int writes x as Python does: BININT1, BININT2 or BININT when it fits,
// LONG1 otherwise.
func (e *encoder) int(x int64) {
	switch {
	case x >= 0 && x < 256:
		e.buf = append(e.buf, opBinInt1, byte(x))
	case x >= 0 && x < 65536:
		e.buf = binary.LittleEndian.AppendUint16(append(e.buf, opBinInt2), uint16(x))
	case x >= math.MinInt32 && x <= math.MaxInt32:
		e.buf = binary.LittleEndian.AppendUint32(append(e.buf, opBinInt), uint32(int32(x)))
	default:
		e.bigInt(big.NewInt(x))
	}
}

// bigInt writes x as LONG1 or LONG4: the fewest bytes of two's complement,
// little-endian.
func (e *encoder) bigInt(x *big.Int) {
	if x.IsInt64() && x.Int64() >= math.MinInt32 && x.Int64() <= math.MaxInt32 {
		e.int(x.Int64())
		return
	}
	n := x.BitLen()/8 + 1 // room for the sign bit
	v := x
	if x.Sign() < 0 {
		// Two's complement of n bytes: 2^(8n) + x.
		v = new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), uint(8*n)), x)
	}
	be := v.FillBytes(make([]byte, n))
	if x.Sign() < 0 && n > 1 && be[0] == 0xff && be[1]&0x80 != 0 {
		be = be[1:] // the sign is already in the next byte
		n--
	}
	if n < 256 {
		e.buf = append(e.buf, opLong1, byte(n))
	} else {
		e.buf = binary.LittleEndian.AppendUint32(append(e.buf, opLong4), uint32(n))
	}
	for i := len(be) - 1; i >= 0; i-- {
		e.buf = append(e.buf, be[i])
	}
}

func (e *encoder) float(f float64) {
	e.buf = binary.BigEndian.AppendUint64(append(e.buf, opBinFloat), math.Float64bits(f))
}

func (e *encoder) value(v any, depth int) error {
	switch v := v.(type) {
	case nil:
		e.buf = append(e.buf, opNone)
	case bool:
		if v {
			e.buf = append(e.buf, opNewTrue)
		} else {
			e.buf = append(e.buf, opNewFalse)
		}
	case string:
		return e.str(v)
	case int:
		e.int(int64(v))
	case int8:
		e.int(int64(v))
	case int16:
		e.int(int64(v))
	case int32:
		e.int(int64(v))
	case int64:
		e.int(v)
	case uint:
		e.bigInt(new(big.Int).SetUint64(uint64(v)))
	case uint8:
		e.int(int64(v))
	case uint16:
		e.int(int64(v))
	case uint32:
		e.int(int64(v))
	case uint64:
		e.bigInt(new(big.Int).SetUint64(v))
	case *big.Int:
		if v == nil {
			e.buf = append(e.buf, opNone)
			return nil
		}
		e.bigInt(v)
	case big.Int:
		e.bigInt(&v)
	case float64:
		e.float(v)
	case float32:
		// The float64 nearest the float32's shortest decimal form, as
		// ginsession's JSON codec stores it: float32(0.1) is 0.1.
		f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v), 'g', -1, 32), 64)
		e.float(f)
	case json.Number:
		return e.number(v)
	case DateTime:
		return e.dateTime(v)
	case []any:
		return e.list(v, depth)
	case Tuple:
		return e.tuple(v, depth)
	case map[string]any:
		return e.dict(v, depth)
	default:
		return e.viaJSON(v, depth)
	}
	return nil
}

// number writes a json.Number: an int when it is an integer literal, a
// float otherwise.
func (e *encoder) number(n json.Number) error {
	s := string(n)
	if !strings.ContainsAny(s, ".eE") {
		x, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return fmt.Errorf("pickle: %q is not a number", s)
		}
		e.bigInt(x)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("pickle: %q is not a float Python can hold", s)
	}
	e.float(f)
	return nil
}

func (e *encoder) nest(depth int) error {
	if depth >= MaxDepth {
		return fmt.Errorf("pickle: values nested more than %d deep", MaxDepth)
	}
	return nil
}

func (e *encoder) list(items []any, depth int) error {
	if err := e.nest(depth); err != nil {
		return err
	}
	e.buf = append(e.buf, opEmptyList)
	if len(items) == 0 {
		return nil
	}
	e.buf = append(e.buf, opMark)
	for _, x := range items {
		if err := e.value(x, depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, opAppends)
	return nil
}

func (e *encoder) tuple(items Tuple, depth int) error {
	if err := e.nest(depth); err != nil {
		return err
	}
	if len(items) == 0 {
		e.buf = append(e.buf, opEmptyTuple)
		return nil
	}
	if len(items) > 3 {
		e.buf = append(e.buf, opMark)
	}
	for _, x := range items {
		if err := e.value(x, depth+1); err != nil {
			return err
		}
	}
	if len(items) > 3 {
		e.buf = append(e.buf, opTuple)
	} else {
		e.buf = append(e.buf, opTuple1+byte(len(items)-1))
	}
	return nil
}

func (e *encoder) dict(m map[string]any, depth int) error {
	if err := e.nest(depth); err != nil {
		return err
	}
	e.buf = append(e.buf, opEmptyDict)
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	e.buf = append(e.buf, opMark)
	for _, k := range keys {
		if err := e.str(k); err != nil {
			return err
		}
		if err := e.value(m[k], depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, opSetItems)
	return nil
}

// dateTime writes datetime.datetime(state) or, aware,
// datetime.datetime(state, datetime.timezone(datetime.timedelta(days, seconds, 0))),
// which Python reads without pytz.
func (e *encoder) dateTime(d DateTime) error {
	if !d.valid() {
		return fmt.Errorf("pickle: an invalid datetime %+v", d)
	}
	e.buf = append(e.buf, "cdatetime\ndatetime\n"...)
	e.buf = append(e.buf, opShortBinBytes, 10)
	e.buf = append(e.buf, d.state()...)
	if !d.Aware {
		e.buf = append(e.buf, opTuple1, opReduce)
		return nil
	}
	days := int64(math.Floor(float64(d.Offset) / 86400))
	e.buf = append(e.buf, "cdatetime\ntimezone\n"...)
	e.buf = append(e.buf, "cdatetime\ntimedelta\n"...)
	e.int(days)
	e.int(int64(d.Offset) - days*86400)
	e.int(0)
	e.buf = append(e.buf, opTuple3, opReduce, opTuple1, opReduce, opTuple2, opReduce)
	return nil
}

// viaJSON writes what encoding/json makes of v, read back with its numbers
// exact.
func (e *encoder) viaJSON(v any, depth int) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("pickle: %T: %w", v, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return fmt.Errorf("pickle: %T: %w", v, err)
	}
	if !utf8.Valid(b) || bytes.Contains(b, []byte(`\ufffd`)) {
		// encoding/json writes invalid UTF-8 as U+FFFD: the value would
		// not read back as what was set.
		return fmt.Errorf("pickle: %T holds a string that is not valid UTF-8", v)
	}
	return e.value(x, depth)
}
