package ginsession

import "github.com/ginsession/ginsession/internal/keymerge"

// Change replaces the value under key with what fn makes of it, holding the
// session's lock from the read to the write, so that read-modify-writes of
// one key by several goroutines of a request lose none of each other's
// changes (a Get then a Set could).
//
// fn gets the current value (ok is false when key is absent) and returns the
// new value with keep true, or keep false to delete the key. An error from fn
// leaves the session as it was and is returned. Like Get, Change marks the
// session accessed; like Set and Delete, it marks it modified only when it
// stores a value or deletes one that was there. fn runs under the lock and
// must not call the session's methods.
func (s *Session) Change(key string, fn func(old any, ok bool) (value any, keep bool, err error)) error {
	s.lock()
	defer s.mu.Unlock()
	old, ok := s.data().lookup(key)
	v, keep, err := fn(old, ok)
	if c, rule := v.(keymerge.Change); rule && keep && err == nil {
		v, keep = c.Value, !c.Delete
		s.mergeKey(key, c.Merge, old)
	}
	switch {
	case err != nil:
		return err
	case keep:
		s.setLocked(key, v)
	case ok:
		s.deleteLocked(key)
	}
	return nil
}
