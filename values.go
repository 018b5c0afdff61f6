package ginsession

import (
	"maps"
	"slices"
)

// dict is a session's values in the order of a Python dict: a key goes last
// when first set, keeps its place when set again, and goes last again when
// deleted and set anew. The zero value is empty and ready to use.
//
// A delete leaves the key's place in order stale, so that deleting every
// key of a large session stays linear; stale places are dropped when the
// order is next read, or once they outnumber the live keys.
type dict struct {
	order  []string
	values map[string]any
	stale  int // places in order whose key was deleted since
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
		d.values = make(map[string]any)
	}
	if _, ok := d.values[key]; !ok {
		d.order = append(d.order, key)
	}
	d.values[key] = v
}

// del removes key, returning the value it had and whether it had one.
func (d *dict) del(key string) (any, bool) {
	v, ok := d.values[key]
	if !ok {
		return nil, false
	}
	delete(d.values, key)
	if d.stale++; d.stale > len(d.values)+32 {
		d.compact()
	}
	return v, true
}

// keys returns the keys in order. The slice is the dict's own.
func (d *dict) keys() []string {
	if d.stale > 0 {
		d.compact()
	}
	return d.order
}

// compact drops the stale places from order: a key's place is the last one
// it has there, and only a key still set has one.
func (d *dict) compact() {
	last := make(map[string]int, len(d.values))
	for i, k := range d.order {
		last[k] = i
	}
	out := d.order[:0]
	for i, k := range d.order {
		if _, ok := d.values[k]; ok && last[k] == i {
			out = append(out, k)
		}
	}
	clear(d.order[len(out):])
	d.order, d.stale = out, 0
}

// reset empties the dict, keeping no reference to what it held.
func (d *dict) reset() { *d = dict{} }

// assign makes the dict hold what a Codec decoded, taking both over. Keys
// that do not name each value once are put right: repeats and keys without
// a value are dropped, and values without a key go last in sorted order.
func (d *dict) assign(keys []string, values map[string]any) {
	*d = dict{order: keys, values: values}
	if len(keys) == len(values) && !slices.ContainsFunc(keys, func(k string) bool { return !d.has(k) }) {
		return
	}
	order := make([]string, 0, len(values))
	named := make(map[string]bool, len(values))
	for _, k := range keys {
		if d.has(k) && !named[k] {
			named[k] = true
			order = append(order, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(values)) {
		if !named[k] {
			order = append(order, k)
		}
	}
	d.order = order
}
