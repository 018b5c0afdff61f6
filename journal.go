package ginsession

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

// recordChange notes that the request set or deleted key. Without a base
// there is nothing to merge into (a new session's save is insert-only),
// so nothing is noted. s.mu is held.
func (s *Session) recordChange(key string) {
	if s.replaced || s.base == nil {
		return
	}
	s.changes = append(s.changes, key)
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
	s.changes, s.distinct = nil, 0
}

// saved notes that data is now the record: nothing is pending. s.mu is
// held.
func (s *Session) saved(data []byte) {
	s.base = data
	s.replaced = false
	clear(s.changes)
	s.changes, s.distinct = s.changes[:0], 0
}

// mustMerge reports whether a save has to be conditional on the record
// still holding base: the session was loaded from it and the request
// changed some keys rather than replacing them all. s.mu is held.
func (s *Session) mustMerge() bool {
	return s.base != nil && !s.replaced
}

// replay makes the session the record's current data with this request's
// changes applied on top: a changed key takes this request's value (or
// stays deleted), every other key the record's. The record's keys keep
// their places; keys new to it go after them, in this request's order.
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
		changed[k] = true
		if !s.values.has(k) {
			cur.del(k)
		}
	}
	for _, k := range s.values.keys() {
		if changed[k] {
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
