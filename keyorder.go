package ginsession

// A valueSet keeps its keys in insertion order (Django's dict order) in a
// slice beside the values. Removing a key from the middle of a slice costs
// a scan and a shift, which on a large session makes many Deletes
// quadratic (1000 Deletes on 32k keys moved ~500 MB). So small sessions
// shift in place, and large ones, after a few Deletes served the same way,
// switch to a position index and leave tombstones that are compacted once,
// when the order is next needed (a save, Keys, Values, All) or when they
// outnumber the live keys.

// indexFrom is the size from which a Delete may build the position index
// instead of scanning: below it a scan and shift of a few strings is
// cheaper than a map.
const indexFrom = 32

// scanDeletes is how many Deletes a large session serves by a scan and a
// shift before it builds the index: each costs a pass over the keys, the
// index a map of all of them (~0.5 MB for 32k keys). A request that deletes
// a key or two, the common case, never pays for the map; one that deletes
// many pays for at most scanDeletes passes before the index makes the rest
// cheap.
const scanDeletes = 8

// keyIndex is a large session's key positions. An entry keys[i] is live
// exactly when pos[keys[i]] == i: a deleted key leaves its slot behind
// (a tombstone), and a key set again after a delete is appended at a new
// position, so its old slot no longer matches. Until scanDeletes Deletes
// have been served by scanning, pos is nil and only scans counts them.
type keyIndex struct {
	pos   map[string]int
	dead  int // tombstones in keys
	scans int // Deletes served by a scan
}

// appendKey records a key that is new to the set.
func (s *valueSet) appendKey(key string) {
	if s.keys == nil {
		s.keys = s.keyBuf[:0]
	}
	s.keys = append(s.keys, key)
	if s.big != nil && s.big.pos != nil {
		s.big.pos[key] = len(s.keys) - 1
	}
}

// removeKey drops a key that the set held from the order, once the values
// are in the map (a small set shifts its slots itself, see del).
func (s *valueSet) removeKey(key string) {
	if s.big == nil || s.big.pos == nil {
		if len(s.keys) >= indexFrom {
			if s.big == nil {
				s.big = &keyIndex{}
			}
			if s.big.scans++; s.big.scans > scanDeletes {
				pos := make(map[string]int, len(s.keys))
				for i, k := range s.keys {
					pos[k] = i
				}
				s.big.pos = pos
			}
		}
		if s.big == nil || s.big.pos == nil {
			for i, k := range s.keys {
				if k == key {
					// keys is the set's own (its buffer, or grown by
					// append), so it shifts in place.
					n := copy(s.keys[i:], s.keys[i+1:])
					s.keys[i+n] = ""
					s.keys = s.keys[:i+n]
					return
				}
			}
			return
		}
	}
	delete(s.big.pos, key)
	s.big.dead++
	if s.big.dead > len(s.big.pos)+indexFrom {
		// Mostly tombstones (a loop that sets and deletes new keys): compact
		// now so keys does not grow without bound.
		s.compactKeys()
	}
}

// orderedKeys returns the live keys in insertion order, compacting away
// tombstones first. The slice is the set's own: callers copy it before
// handing it out.
func (s *valueSet) orderedKeys() []string {
	if s.big != nil && s.big.dead > 0 {
		s.compactKeys()
	}
	return s.keys
}

// compactKeys removes tombstones from keys in one pass, in place, and
// renumbers the index.
func (s *valueSet) compactKeys() {
	b := s.big
	out := s.keys[:0]
	for i, k := range s.keys {
		if p, ok := b.pos[k]; ok && p == i {
			b.pos[k] = len(out)
			out = append(out, k)
		}
	}
	clear(s.keys[len(out):])
	s.keys = out
	b.dead = 0
}
