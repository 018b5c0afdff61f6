package ginsession

import (
	"cmp"
	"maps"
	"slices"
)

// dict is a session's values in the order of a Python dict: a key goes last
// when first set, keeps its place when set again, and goes last again when
// deleted and set anew. The zero value is empty and ready to use.
type dict struct {
	values map[string]any
	place  map[string]int // the keys' order: each key's place, increasing
	next   int            // the place of the next new key
}

func (d *dict) lookup(key string) (any, bool) {
	v, ok := d.values[key]
	return v, ok
}

func (d *dict) get(key string) any { return d.values[key] }

func (d *dict) has(key string) bool {
	_, ok := d.values[key]
	return ok
}

func (d *dict) len() int { return len(d.values) }

// set stores v under key, a new key going last.
func (d *dict) set(key string, v any) {
	if d.values == nil {
		d.values, d.place = make(map[string]any), make(map[string]int)
	}
	if !d.has(key) {
		d.place[key], d.next = d.next, d.next+1
	}
	d.values[key] = v
}

// del removes key, returning the value it had and whether it had one.
func (d *dict) del(key string) (any, bool) {
	v, ok := d.values[key]
	delete(d.values, key)
	delete(d.place, key)
	return v, ok
}

// keys returns the keys in order, in a new slice.
func (d *dict) keys() []string {
	return slices.SortedFunc(maps.Keys(d.values), func(a, b string) int { return cmp.Compare(d.place[a], d.place[b]) })
}

// reset empties the dict, keeping no reference to what it held.
func (d *dict) reset() { *d = dict{} }

// assign makes the dict hold what a Codec decoded, taking values over. Keys
// that do not name each value once are put right: repeats and keys without
// a value are dropped, and values without a key go last in sorted order.
func (d *dict) assign(keys []string, values map[string]any) {
	*d = dict{values: values, place: make(map[string]int, len(values))}
	for _, k := range slices.Concat(keys, slices.Sorted(maps.Keys(values))) {
		if _, placed := d.place[k]; d.has(k) && !placed {
			d.place[k], d.next = d.next, d.next+1
		}
	}
}
