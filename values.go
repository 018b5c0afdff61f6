package ginsession

// smallValues is how many entries a session holds in slots of its own
// before it moves them to a map. Most sessions are this small (a login is
// three entries); for them the map was the largest allocation of a request
// that used the session, and two of its allocations (the memory "new" and
// "read" rows of BENCHMARKS.md).
const smallValues = 4

// valueSet is a session's values and the order of their keys (Django's dict
// order). While it is small (m is nil) vals[i] is the value under keys[i],
// and keys, in keyBuf, has neither tombstones nor repeats; from the
// (smallValues+1)th key on, or when a Codec hands over a map, every value is
// in m and keys only gives the order (keyorder.go). The zero value is empty
// and ready to use. A valueSet refers to its own keyBuf: it is never copied.
type valueSet struct {
	keys   []string // read through orderedKeys: a large set may hold tombstones
	keyBuf [smallValues]string
	// big, set only for large sets that had a key deleted, finds a key's
	// place in keys without a scan; see removeKey.
	big  *keyIndex
	m    map[string]any
	vals [smallValues]any
}

// noValues stands for a nil map handed to Encode: every key is missing.
// Nothing writes to it.
var noValues = map[string]any{}

// lookup returns the value under key and whether there is one.
func (v *valueSet) lookup(key string) (any, bool) {
	if v.m != nil {
		x, ok := v.m[key]
		return x, ok
	}
	for i, k := range v.keys {
		if k == key {
			return v.vals[i], true
		}
	}
	return nil, false
}

// get returns the value under key, nil when there is none.
func (v *valueSet) get(key string) any {
	x, _ := v.lookup(key)
	return x
}

// has reports whether key is set.
func (v *valueSet) has(key string) bool {
	_, ok := v.lookup(key)
	return ok
}

// at returns the value of keys[i], the ith key of orderedKeys.
func (v *valueSet) at(i int, key string) any {
	if v.m != nil {
		return v.m[key]
	}
	return v.vals[i]
}

// set stores x under key, a new key going last, and reports whether key is
// new.
func (v *valueSet) set(key string, x any) (added bool) {
	if v.m == nil {
		for i, k := range v.keys {
			if k == key {
				v.vals[i] = x
				return false
			}
		}
		if len(v.keys) < smallValues {
			v.appendKey(key)
			v.vals[len(v.keys)-1] = x
			return true
		}
		v.spill()
	}
	if _, had := v.m[key]; had {
		v.m[key] = x
		return false
	}
	v.m[key] = x
	v.appendKey(key)
	return true
}

// spill moves a small set's values to a map, with room for as many more.
func (v *valueSet) spill() {
	m := make(map[string]any, 2*smallValues)
	for i, k := range v.keys {
		m[k] = v.vals[i]
	}
	v.m, v.vals = m, [smallValues]any{}
}

// del removes key, returning the value it had and whether it had one.
func (v *valueSet) del(key string) (any, bool) {
	if v.m != nil {
		x, ok := v.m[key]
		if ok {
			delete(v.m, key)
			v.removeKey(key)
		}
		return x, ok
	}
	for i, k := range v.keys {
		if k == key {
			x, n := v.vals[i], len(v.keys)-1
			copy(v.keys[i:], v.keys[i+1:])
			copy(v.vals[i:n], v.vals[i+1:n+1])
			// Nothing stays reachable from a freed slot.
			v.keys[n], v.vals[n] = "", nil
			v.keys = v.keys[:n]
			return x, true
		}
	}
	return nil, false
}

// len is the number of entries.
func (v *valueSet) len() int {
	if v.m != nil {
		return len(v.m)
	}
	return len(v.keys)
}

// reset empties the set, keeping no reference to what it held.
func (v *valueSet) reset() { *v = valueSet{} }

// assign makes the set hold values in the order of keys, taking both
// over: what a Codec decoded. Keys that do not name each value once (a
// Codec's own business) are kept as they are, with the values in the map.
func (v *valueSet) assign(keys []string, values map[string]any) {
	v.reset()
	if len(values) <= smallValues && len(keys) == len(values) {
		small := true
		for _, k := range keys {
			x, ok := values[k]
			if small = ok && v.set(k, x); !small {
				break
			}
		}
		if small {
			return
		}
		v.reset()
	}
	if values == nil {
		values = map[string]any{}
	}
	v.keys, v.m = keys, values
}

// toMap returns the entries as a map: the set's own when it has one (the
// caller must not change it), a new one otherwise.
func (v *valueSet) toMap() map[string]any {
	if v.m != nil {
		return v.m
	}
	m := make(map[string]any, len(v.keys))
	for i, k := range v.keys {
		m[k] = v.vals[i]
	}
	return m
}

// copyMap returns a new map of the entries, which the caller may change.
func (v *valueSet) copyMap() map[string]any {
	if v.m == nil {
		return v.toMap()
	}
	m := make(map[string]any, len(v.m))
	for k, x := range v.m {
		m[k] = x
	}
	return m
}
