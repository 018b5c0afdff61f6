package ginsession

// smallValues is how many entries a session holds in slots of its own
// before it moves them to a map. Most sessions are this small (a login is
// three entries); for them the map was the largest allocation of a request
// that used the session, and two of its allocations (the memory "new" and
// "read" rows of BENCHMARKS.md).
const smallValues = 4

// entry is one key and its value.
type entry struct {
	key string
	val any
}

// valueSet holds a session's values: in slot, unordered, while there are
// at most smallValues of them, and in m from then on (or from the start,
// when a Codec hands over a map). The order of the keys is kept apart, in
// Session.keys. The zero value is empty and ready to use.
type valueSet struct {
	m    map[string]any // every entry, when not nil; slot is then unused
	n    int            // entries in slot
	slot [smallValues]entry
}

// lookup returns the value under key and whether there is one.
func (v *valueSet) lookup(key string) (any, bool) {
	if v.m != nil {
		x, ok := v.m[key]
		return x, ok
	}
	for i := range v.n {
		if v.slot[i].key == key {
			return v.slot[i].val, true
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

// set stores x under key and reports whether key is new.
func (v *valueSet) set(key string, x any) (added bool) {
	if v.m == nil {
		for i := range v.n {
			if v.slot[i].key == key {
				v.slot[i].val = x
				return false
			}
		}
		if v.n < smallValues {
			v.slot[v.n] = entry{key, x}
			v.n++
			return true
		}
		v.spill(2 * smallValues)
	}
	_, had := v.m[key]
	v.m[key] = x
	return !had
}

// spill moves the slots' entries to a map with room for size.
func (v *valueSet) spill(size int) {
	m := make(map[string]any, max(size, v.n))
	for _, e := range v.slot[:v.n] {
		m[e.key] = e.val
	}
	v.m, v.n, v.slot = m, 0, [smallValues]entry{}
}

// del removes key, returning the value it had and whether it had one.
func (v *valueSet) del(key string) (any, bool) {
	if v.m != nil {
		x, ok := v.m[key]
		if ok {
			delete(v.m, key)
		}
		return x, ok
	}
	for i := range v.n {
		if v.slot[i].key == key {
			x := v.slot[i].val
			v.n--
			v.slot[i] = v.slot[v.n]
			v.slot[v.n] = entry{} // nothing stays reachable from an empty slot
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
	return v.n
}

// reset empties the set, keeping no reference to what it held.
func (v *valueSet) reset() { *v = valueSet{} }

// adopt makes m, which the caller gives up, the set's entries: a Codec's
// decoded map is used as it is.
func (v *valueSet) adopt(m map[string]any) {
	v.reset()
	if m != nil {
		v.m = m
	}
}

// toMap returns the entries as a map: the set's own when it has one (the
// caller must not change it), a new one otherwise.
func (v *valueSet) toMap() map[string]any {
	if v.m != nil {
		return v.m
	}
	m := make(map[string]any, v.n)
	for _, e := range v.slot[:v.n] {
		m[e.key] = e.val
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
