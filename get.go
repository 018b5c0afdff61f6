package ginsession

import (
	"encoding/json"
	"math"
	"reflect"
)

// Get returns the value under key as a T, and whether that worked.
//
// A value still holding its Go type is returned as it is. After a round trip
// through the store a value is in its JSON shape (int, float64, string,
// bool, []any, map[string]any), so Get converts: any number to any numeric
// type that holds it exactly (42 to int8, 3.0 to int, but not 3.5 to int or
// 300 to uint8), and anything else through JSON (a map[string]any into a
// struct, []any into []string). A missing key, or a value that does not
// convert, gives the zero T and false.
func Get[T any](s *Session, key string) (T, bool) {
	var zero T
	v, ok := s.Get(key)
	if !ok {
		return zero, false
	}
	if t, ok := v.(T); ok {
		return t, true
	}
	var out T
	rv := reflect.ValueOf(&out).Elem()
	if convertNumber(v, rv) {
		return out, true
	}
	if isNumber(v) {
		return zero, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return zero, false
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return zero, false
	}
	return out, true
}

func isNumber(v any) bool {
	switch reflect.ValueOf(v).Kind() {
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
		if dst.OverflowFloat(f) {
			return false
		}
		dst.SetFloat(f)
		return true
	}
	return false
}
