package ginsession

import (
	"slices"

	"github.com/ginsession/ginsession/internal/keymerge"
)

// A session remembers what its request changed, so that a save that finds
// the record changed by a concurrent request (stores.ErrConflict) can apply
// this request's changes on top of the other's instead of overwriting them.
//
// The journal is the list of keys this request set or deleted (changes),
// or, once the request replaced the whole session (Clear, Flush, a login
// that flushes), the flag replaced: then nothing of the record matters and
// the session is saved as it is. A key's recorded change is its state at
// save time: present in values means set to that value, absent means
// deleted, whatever the request did to it in between.
//
// base is the encoded data as loaded or last saved: what the record must
// still hold for a conditional save to go through.
//
// A key changed with a merge rule (internal/keymerge, such as package
// messages' "_messages") is replayed by its rule instead (merges).

// keyMerge is what replaying a key changed with a merge rule needs: the
// rule, the key's value at load or last save, its value in this request,
// and whether the request deleted it since.
type keyMerge struct {
	merge     keymerge.Func
	from, own any
	dropped   bool
}

// mergeKey notes that key, holding old, is being changed with merge. A key
// this request already changed without a rule keeps being replayed as any
// other key. s.mu is held.
func (s *Session) mergeKey(key string, merge keymerge.Func, old any) {
	if s.replaced || s.base == nil || s.merges[key] != nil || slices.Contains(s.changes, key) {
		return
	}
	if s.merges == nil {
		s.merges = make(map[string]*keyMerge)
	}
	s.merges[key] = &keyMerge{merge: merge, from: old, own: old}
}

// recordChange notes that the request set or deleted key. Without a base
// there is nothing to merge into (a new session's save is insert-only),
// so nothing is noted. s.mu is held.
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
		// A loop setting the same few keys: keep the list about as long
		// as the distinct keys, not the calls. Each dedupe at least doubles
		// the next one's bar, so that it costs O(1) a change overall.
		s.changes = dedupe(s.changes)
		s.distinct = len(s.changes)
	}
}

// replaceAll notes that the request replaced the whole session. s.mu is
// held.
func (s *Session) replaceAll() {
	s.replaced = true
	s.changes, s.distinct, s.merges = nil, 0, nil
}

// saved notes that data is now the record: nothing is pending. s.mu is
// held.
func (s *Session) saved(data []byte) {
	s.base = data
	s.replaced = false
	clear(s.changes)
	s.changes, s.distinct, s.merges = s.changes[:0], 0, nil
}

// mustMerge reports whether a save has to be conditional on the record
// still holding base: the session was loaded from it and the request
// changed some keys rather than replacing them all. s.mu is held.
func (s *Session) mustMerge() bool {
	return s.base != nil && !s.replaced
}

// replay makes the session the record's current data with this request's
// changes applied on top: a changed key takes this request's value (or
// stays deleted), or what its merge rule makes of the record's value;
// every other key the record's. The record's keys keep their places; keys
// new to it go after them, in this request's order.
// s.mu is held.
func (s *Session) replay(current []byte) {
	var cur dict
	if err := s.decode(current, &cur); err != nil {
		// What a concurrent request saved cannot be read: as at load, the
		// session carries on without it (and the save overwrites it).
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
