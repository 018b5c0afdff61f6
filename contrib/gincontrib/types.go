package gincontrib

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"time"

	"github.com/ginsession/ginsession"
)

// Values round trip through JSON in ginsession. Those that come back as
// themselves (strings, bools, ints, float64s with a fraction, []any and
// map[string]any of those) need nothing. Any other value gets a tag, kept
// under typesKey beside it: the name of its Go type, or for a []any a list
// of its entries' tags; Get converts the JSON shape back to that type. A
// tag is only a name, so converting back needs the type itself: the
// registry holds the common ones, and those given to WithTypes.

// registry maps tag names to types. It is filled while the middleware is
// built and only read afterwards.
type registry struct {
	byName map[string]reflect.Type
	warned sync.Map // tag names already logged as unknown
}

func builtinTypes() *registry {
	r := &registry{byName: map[string]reflect.Type{}}
	for _, v := range []any{
		int8(0), int16(0), int32(0), int64(0), uint(0), uint8(0), uint16(0), uint32(0), uint64(0),
		float32(0), float64(0), time.Time{}, time.Duration(0),
		[]byte(nil), []string(nil), []int(nil), []int64(nil), []float64(nil), []bool(nil),
		map[string]string(nil), map[string]int(nil), map[string]int64(nil), map[string]float64(nil),
		map[string]bool(nil), map[string][]string(nil),
	} {
		r.add(v)
	}
	return r
}

func (r *registry) add(v any) {
	if v == nil {
		panic("gincontrib: WithTypes needs values of the types, such as User{}; got nil")
	}
	t := reflect.TypeOf(v)
	r.byName[typeName(t)] = t
}

// typeName names t by its package path where it has one, as gob does.
func typeName(t reflect.Type) string {
	if t.Name() != "" && t.PkgPath() != "" {
		return t.PkgPath() + "." + t.Name()
	}
	return t.String()
}

// errNotJSON is what tagFor returns for a value that would not read back
// equal after a round trip through the session's JSON.
var errNotJSON = errors.New("it would not read back equal from JSON")

// tagFor returns v's tag: nil when v reads back as itself, or an error when
// it would not read back equal even through its type. Errors name types,
// never values, which may be secrets.
func (r *registry) tagFor(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	got, err := roundTrip(v)
	if err != nil {
		return nil, err
	}
	if same(reflect.ValueOf(got), reflect.ValueOf(v)) {
		return nil, nil
	}
	if l, ok := v.([]any); ok {
		tags := make([]any, len(l))
		for i, e := range l {
			t, err := r.tagFor(e)
			if err != nil {
				return nil, fmt.Errorf("entry %d: %w", i, err)
			}
			if t == nil {
				t = ""
			}
			tags[i] = t
		}
		return tags, nil
	}
	t := reflect.TypeOf(v)
	back, ok := convertTo(got, t)
	if !ok || !same(reflect.ValueOf(back), reflect.ValueOf(v)) {
		return nil, fmt.Errorf("%w: a %s would come back as a %T", errNotJSON, t, got)
	}
	return typeName(t), nil
}

// roundTrip returns what v reads back as after ginsession's JSON codec.
func roundTrip(v any) (any, error) {
	data, err := ginsession.JSONCodec{}.Encode([]string{"v"}, map[string]any{"v": v})
	if err != nil {
		return nil, err
	}
	_, m, err := ginsession.JSONCodec{}.Decode(data)
	return m["v"], err
}

// convertTo converts a JSON-shaped value to t, through encoding/json.
func convertTo(v any, t reflect.Type) (any, bool) {
	if v != nil && reflect.TypeOf(v) == t {
		return v, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	p := reflect.New(t)
	if err := json.Unmarshal(b, p.Interface()); err != nil {
		return nil, false
	}
	return p.Elem().Interface(), true
}

// restore converts v back to the type its tag names, where the registry
// knows it; otherwise v is returned as it is.
func (r *registry) restore(v any, tag any, log *slog.Logger, key string) any {
	switch t := tag.(type) {
	case string:
		typ, ok := r.byName[t]
		if !ok || (v != nil && reflect.TypeOf(v) == typ) {
			return v
		}
		out, ok := convertTo(v, typ)
		if !ok {
			log.Warn("gincontrib: a session value no longer converts to the type it was set with; returning its JSON shape", "key", key, "type", t)
			return v
		}
		return out
	case []any:
		l, ok := v.([]any)
		if !ok || len(l) != len(t) {
			return v
		}
		out := make([]any, len(l))
		for i, e := range l {
			out[i] = r.restore(e, t[i], log, key)
		}
		return out
	}
	return v
}

// warnUnknown logs, once per type, a tag naming a type the registry does
// not hold: such values read back in their JSON shape.
func (r *registry) warnUnknown(tag any, key string, log *slog.Logger) {
	switch t := tag.(type) {
	case string:
		if _, ok := r.byName[t]; ok || t == "" {
			return
		}
		if _, done := r.warned.LoadOrStore(t, true); !done {
			log.Warn("gincontrib: values of this type read back as their JSON shape (a struct as map[string]any) after a reload; add one to gincontrib.WithTypes, or read it with ginsession.Get[T]", "key", key, "type", t)
		}
	case []any:
		for _, e := range t {
			r.warnUnknown(e, key, log)
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

// same reports whether b holds what a holds, as reflect.DeepEqual does, but
// with times compared by Equal (a reload drops the monotonic clock reading
// and may change the *Location), a nil slice or map the same as an empty one
// (the codec writes both as empty), and a field this package cannot read
// (unexported) counted as equal only when both are zero: JSON drops it.
func same(a, b reflect.Value) bool {
	if !a.IsValid() || !b.IsValid() {
		return a.IsValid() == b.IsValid()
	}
	if a.Type() != b.Type() {
		return false
	}
	if !a.CanInterface() || !b.CanInterface() {
		return a.IsZero() && b.IsZero()
	}
	switch a.Kind() {
	case reflect.Struct:
		if a.Type() == timeType {
			return a.Interface().(time.Time).Equal(b.Interface().(time.Time))
		}
		for i := range a.NumField() {
			if !same(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !same(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.Len() != b.Len() {
			return false
		}
		for _, k := range a.MapKeys() {
			if !same(a.MapIndex(k), b.MapIndex(k)) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return same(a.Elem(), b.Elem())
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
