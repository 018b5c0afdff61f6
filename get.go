package ginsession

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
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
// Struct fields the object lacks keep their zero value (omitempty).
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
	if !isNumber(v) || !isNumeric(rv) {
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
	_, ok := v.(json.Number)
	return ok || isNumeric(reflect.ValueOf(v))
}

func isNumeric(v reflect.Value) bool { return v.CanInt() || v.CanUint() || v.CanFloat() }

// maxIntegerDigits bounds the json.Number integers convertNumber parses:
// past 310 digits no Go numeric type holds one (float64 ends near 1.8e308),
// and parsing long ones costs time.
const maxIntegerDigits = 310

// convertNumber stores the number v in dst when dst is numeric and holds v
// exactly (a float, within float32's range, as a float32); a decimal
// json.Number is read as a float64 first, as Decode would.
func convertNumber(v any, dst reflect.Value) bool {
	var n big.Int
	src := reflect.ValueOf(v)
	switch num, isJSON := v.(json.Number); {
	case isJSON && strings.ContainsAny(string(num), ".eE"):
		f, err := strconv.ParseFloat(string(num), 64)
		return err == nil && convertFloat(f, dst)
	case isJSON:
		if len(num) > maxIntegerDigits+1 {
			return false
		}
		if _, ok := n.SetString(string(num), 10); !ok {
			return false
		}
	case src.CanInt():
		n.SetInt64(src.Int())
	case src.CanUint():
		n.SetUint64(src.Uint())
	case src.CanFloat():
		return convertFloat(src.Float(), dst)
	default:
		return false
	}
	return convertInt(&n, dst)
}

// convertFloat stores f in dst: exactly into an integer type, rounded to
// float32's precision when within its range.
func convertFloat(f float64, dst reflect.Value) bool {
	if dst.CanFloat() {
		if dst.OverflowFloat(f) {
			return false
		}
		dst.SetFloat(f)
		return true
	}
	if f != math.Trunc(f) || math.IsInf(f, 0) { // NaN too
		return false
	}
	n, _ := big.NewFloat(f).Int(nil)
	return convertInt(n, dst)
}

// convertInt stores the integer n in dst when dst holds it exactly.
func convertInt(n *big.Int, dst reflect.Value) bool {
	switch {
	case dst.CanInt() && n.IsInt64() && !dst.OverflowInt(n.Int64()):
		dst.SetInt(n.Int64())
	case dst.CanUint() && n.IsUint64() && !dst.OverflowUint(n.Uint64()):
		dst.SetUint(n.Uint64())
	case dst.CanFloat():
		x := new(big.Float).SetInt(n)
		f, acc := x.Float64()
		if dst.Kind() == reflect.Float32 {
			var f32 float32
			f32, acc = x.Float32()
			f = float64(f32)
		}
		if acc != big.Exact || math.IsInf(f, 0) {
			return false
		}
		dst.SetFloat(f)
	default:
		return false
	}
	return true
}
