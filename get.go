package ginsession

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"reflect"
	"strconv"
	"strings"
)

// Errors of GetErr.
var (
	// ErrNoKey reports that the session has no value under the key.
	ErrNoKey = errors.New("ginsession: no value under the key")
	// ErrWrongType reports a value that does not convert to the type asked
	// for: another type, a number it cannot hold exactly, or an object with
	// a key the struct has no field for.
	ErrWrongType = errors.New("ginsession: the value is not of the type asked for")
)

// Get returns the value under key as a T, and whether that worked.
//
// A value still holding its Go type is returned as it is. After a round trip
// through the store a value is in its JSON shape (int, float64, string,
// bool, []any, map[string]any, and uint64 or [json.Number] for integers
// beyond int64), so Get converts: an integer to any numeric type that holds
// it exactly (42 to int8 or float32, 3.0 to int, but not 3.5 to int, 300 to
// uint8, 16777217 to float32 or 2^53+1 to float64), a float to float32 when
// it is within float32's range (rounded to float32's precision, so a
// float32 reads back as itself), and anything else through JSON (a
// map[string]any into a struct whose fields name every key of the object,
// []any into []string, an integer of any size into *big.Int). A missing
// key, or a value that does not convert, gives the zero T and false; use
// [GetErr] to tell them apart.
func Get[T any](s *Session, key string) (T, bool) {
	v, err := GetErr[T](s, key)
	return v, err == nil
}

// GetErr is Get with the reason when there is no T: [ErrNoKey], the store
// failure that kept the session from loading (Err's), or [ErrWrongType].
// An object's keys that the struct lacks are ErrWrongType; fields the
// object lacks keep their zero value, as a struct saved with omitempty
// needs.
func GetErr[T any](s *Session, key string) (T, error) {
	var out T
	v, err := s.lookup(key)
	if err != nil {
		return out, err
	}
	if t, ok := v.(T); ok {
		return t, nil
	}
	rv := reflect.ValueOf(&out).Elem()
	if convertNumber(v, rv) {
		return out, nil
	}
	err = errors.New("not exactly")
	if !isNumber(v) || !isNumericKind(rv.Kind()) {
		// Numbers are not: encoding/json would round them (2^53+1 into
		// float64).
		err = decodeStrict(v, &out)
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%w: %q holds %T, not %v (%v)", ErrWrongType, key, v, rv.Type(), err)
	}
	return out, nil
}

// decodeStrict converts v to *dst through JSON, failing on an object key
// that a struct in dst has no field for.
func decodeStrict(v, dst any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}

func isNumber(v any) bool {
	if _, ok := v.(json.Number); ok {
		return true
	}
	return isNumericKind(reflect.ValueOf(v).Kind())
}

func isNumericKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// convertNumber stores the number v in dst when dst is numeric and holds v
// exactly.
func convertNumber(v any, dst reflect.Value) bool {
	if n, ok := v.(json.Number); ok {
		return convertJSONNumber(n, dst)
	}
	src := reflect.ValueOf(v)
	var i int64
	var u uint64
	var f float64
	var isInt, isUint bool
	switch src.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, isInt = src.Int(), true
		f = float64(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, isUint = src.Uint(), true
		f = float64(u)
	case reflect.Float32, reflect.Float64:
		f = src.Float()
	default:
		return false
	}
	switch dst.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		switch {
		case isInt:
		case isUint:
			if u > math.MaxInt64 {
				return false
			}
			i = int64(u)
		default:
			if f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
				return false
			}
			i = int64(f)
		}
		if dst.OverflowInt(i) {
			return false
		}
		dst.SetInt(i)
		return true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		switch {
		case isUint:
		case isInt:
			if i < 0 {
				return false
			}
			u = uint64(i)
		default:
			if f != math.Trunc(f) || f < 0 || f >= math.MaxUint64 {
				return false
			}
			u = uint64(f)
		}
		if dst.OverflowUint(u) {
			return false
		}
		dst.SetUint(u)
		return true
	case reflect.Float32, reflect.Float64:
		mantissa := 53
		if dst.Kind() == reflect.Float32 {
			mantissa = 24
		}
		switch {
		case isInt:
			// The magnitude as uint64; -MinInt64 wraps to 1<<63, which is right.
			u = uint64(i)
			if i < 0 {
				u = -u
			}
			fallthrough
		case isUint:
			if !fitsMantissa(u, mantissa) {
				return false
			}
		default:
			if dst.OverflowFloat(f) {
				return false
			}
		}
		dst.SetFloat(f)
		return true
	}
	return false
}

// fitsMantissa reports whether the integer u has at most mantissa
// significant bits, so a float with that mantissa holds it exactly.
func fitsMantissa(u uint64, mantissa int) bool {
	return u == 0 || bits.Len64(u>>bits.TrailingZeros64(u)) <= mantissa
}

// maxIntegerDigits bounds the json.Number integers convertJSONNumber
// parses: past 310 digits no Go numeric type holds one (float64 ends near
// 1.8e308), and parsing long ones costs time.
const maxIntegerDigits = 310

// convertJSONNumber stores n in dst when dst is numeric and holds it
// exactly; a decimal n is read as a float64 first, as Decode would.
func convertJSONNumber(n json.Number, dst reflect.Value) bool {
	s := string(n)
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		return err == nil && convertNumber(f, dst)
	}
	var b big.Int
	if len(s) > maxIntegerDigits+1 {
		return false
	}
	if _, ok := b.SetString(s, 10); !ok {
		return false
	}
	switch {
	case b.IsInt64():
		return convertNumber(b.Int64(), dst)
	case b.IsUint64():
		return convertNumber(b.Uint64(), dst)
	}
	var f float64
	var acc big.Accuracy
	bf := new(big.Float).SetInt(&b)
	switch dst.Kind() {
	case reflect.Float32:
		var f32 float32
		f32, acc = bf.Float32()
		f = float64(f32)
	case reflect.Float64:
		f, acc = bf.Float64()
	default:
		return false
	}
	if acc != big.Exact || math.IsInf(f, 0) {
		return false
	}
	dst.SetFloat(f)
	return true
}
