package ginsession

import (
	"slices"

	"github.com/ginsession/ginsession/internal/keymerge"
)

// The journal: what a request changed, so that a save that finds the record
// changed by a concurrent request (stores.ErrConflict) applies this
// request's changes on top of the other's. It lists the keys set or deleted
// (changes; a key's change is its state at save time), or notes that the
// request replaced the session whole (replaced: Clear, Flush). base is the
// data as loaded or last saved, what a conditional save expects to find. A
// key changed with a merge rule (internal/keymerge, such as messages'
// "_messages") is replayed by its rule (merges).

// keyMerge replays a key changed with a merge rule: the rule, the key's
// value at load or last save, its value now, and whether it was deleted.
type keyMerge struct {
	merge     keymerge.Func
	from, own any
	dropped   bool
}

// mergeKey notes that key, holding old, is being changed with merge, unless
// the request changed it without a rule already. s.mu is held.
func (s *Session) mergeKey(key string, merge keymerge.Func, old any) {
	if s.replaced || s.base == nil || s.merges[key] != nil || slices.Contains(s.changes, key) {
		return
	}
	if s.merges == nil {
		s.merges = make(map[string]*keyMerge)
	}
	s.merges[key] = &keyMerge{merge: merge, from: old, own: old}
}

// recordChange notes that the request set or deleted key, when there is a
// record to merge into. s.mu is held.
func (s *Session) recordChange(key string) {
	if s.replaced || s.base == nil {
		return
	}
	s.changes = append(s.changes, key)
	if m := s.merges[key]; m != nil {
		m.own = s.values.get(key)
		m.dropped = m.dropped || !s.values.has(key)
	}
	if len(s.changes) > 2*s.distinct+32 {
		// A loop setting the same few keys: the list stays about as long
		// as the distinct keys, at O(1) a change overall.
		s.changes = dedupe(s.changes)
		s.distinct = len(s.changes)
	}
}

// replaceAll notes that the request replaced the whole session.
func (s *Session) replaceAll() {
	s.replaced = true
	s.changes, s.distinct, s.merges = nil, 0, nil
}

// saved notes that data is now the record: nothing is pending.
func (s *Session) saved(data []byte) {
	s.base = data
	s.replaced = false
	clear(s.changes)
	s.changes, s.distinct, s.merges = s.changes[:0], 0, nil
}

// mustMerge reports whether a save has to be conditional on the record
// still holding base: the request changed a loaded session key by key.
func (s *Session) mustMerge() bool {
	return s.base != nil && !s.replaced
}

// replay makes the session the record's current data with this request's
// changes on top: a changed key takes this request's value (or stays
// deleted), or what its merge rule makes of the record's; keys new to the
// record go last, in this request's order. s.mu is held.
func (s *Session) replay(current []byte) {
	var cur dict
	if err := s.decode(current, &cur); err != nil {
		// Unreadable: as at load, the save overwrites it.
		s.logCorrupt(err)
	}
	changed := make(map[string]bool, len(s.changes))
	for _, k := range s.changes {
		m := s.merges[k]
		switch {
		case changed[k]:
		case m != nil:
			if v, keep := m.merge(m.from, m.own, cur.get(k), m.dropped); keep {
				cur.set(k, v)
			} else {
				cur.del(k)
			}
		case !s.values.has(k):
			cur.del(k)
		}
		changed[k] = true
	}
	for _, k := range s.values.keys() {
		if changed[k] && s.merges[k] == nil {
			cur.set(k, s.values.get(k))
		}
	}
	s.values = cur
	s.base = current
}

// dedupe removes repeated keys in place, keeping the first of each.
func dedupe(keys []string) []string {
	seen := make(map[string]bool, len(keys))
	out := keys[:0]
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	clear(keys[len(out):])
	return out
}
