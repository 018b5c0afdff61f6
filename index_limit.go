package ginsession

import (
	"errors"
	"fmt"
)

// AtLimit is what a login does when its user already has
// UserIndex.MaxSessions live sessions.
type AtLimit int

const (
	// RefuseLogin fails the new login with an error wrapping
	// auth.ErrSessionLimit; the sessions the user has stay as they are.
	RefuseLogin AtLimit = iota
	// EndOldest ends the user's least recently active sessions (by the
	// index's LastActive) to make room for the new one.
	EndOldest
)

// admit indexes s as user's under the cap, if any, before auth.Login stores
// the user in it (without a cap, the save indexes it). The cap counts live
// records: a session without one is saved first, and a pending key cycle's
// new record is written ahead (the old one stays until the save; dropCycle
// deletes the new one if the request fails). The evicted sessions' records
// are deleted after the cap's step removed their entries. s.mu is held.
func (b *serverBackend) admit(s *Session, user string) error {
	u := b.index
	if u.maxSessions == 0 {
		return nil
	}
	if s.idx.user == user && s.idx.key == s.key && s.key != "" {
		return nil // logged in as user already: no new session
	}
	now := s.m.now()
	switch {
	case s.key == "":
		if err := s.saveLocked(now); err != nil {
			return err
		}
	case s.cycling && !s.created:
		data, err := s.encode()
		if err != nil {
			return err
		}
		if err := b.create(s, data, s.expiryDateLocked(now)); err != nil {
			return err
		}
		s.created = true
	}
	expiry := s.expiryDateLocked(now)
	ctx, cancel := s.storeContext()
	defer cancel()
	evicted, err := u.ix.IndexAddLimited(ctx, user, u.entry(s, now, expiry), u.maxSessions, u.evict)
	if err != nil {
		return fmt.Errorf("ginsession: user index: admit session %s: %w", shortKey(s.key), err)
	}
	u.seen.wrote(s.key, now, u.entryExpiry(expiry))
	s.idx = indexState{user: user, key: s.key}
	var errs []error
	// The evicted keys stay in u.seen: a request of theirs still running
	// here must not find its entry due, miss it, and add it back.
	for _, k := range evicted {
		if err := u.store.Delete(ctx, k); err != nil {
			errs = append(errs, fmt.Errorf("ginsession: user index: end session %s, the least recently active beyond the cap: %w", shortKey(k), err))
		}
	}
	return errors.Join(errs...)
}
