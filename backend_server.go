package ginsession

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ginsession/ginsession/internal/errprefix"
	"github.com/ginsession/ginsession/stores"
)

// serverBackend keeps records in a stores.Store under a random key; the
// cookie carries only the key.
type serverBackend struct {
	store stores.Store
	// The store's optional capabilities, nil when it has none. A wrapper
	// may have one that answers errors.ErrUnsupported (a cachedstore over a
	// database without it): then unswappable or untouchable is set, and the
	// store is used as one without it.
	toucher                  stores.Toucher
	swapper                  stores.Swapper
	ttls                     stores.TTLLoader
	unswappable, untouchable atomic.Bool
	index                    *userIndex // nil unless WithUserIndex (index.go)
}

func (b *serverBackend) check(o *options) (err error) {
	b.index, err = newUserIndex(b.store, o)
	return err
}

func (b *serverBackend) load(s *Session) ([]byte, error) {
	ctx, cancel := s.storeContext()
	raw, err := b.loadRecord(ctx, s)
	cancel()
	if err != nil && !errors.Is(err, stores.ErrNotFound) {
		return nil, fmt.Errorf("ginsession: load session %s: %w", shortKey(s.key), err)
	}
	return raw, err
}

// decoded keeps the key of corrupt data, as Django does: the session starts
// empty under the same key and the next save overwrites the record.
func (b *serverBackend) decoded(s *Session, _ error) bool {
	b.index.loaded(s)
	return false
}

// save is insert-only under a new key when there is none, update-only
// otherwise, so a record a concurrent logout deleted is not brought back;
// conditional (swap) when the request changed a loaded session key by key.
// The user index is written before an existing record (a failed write
// takes its entry back) and after a new one, which is deleted again when
// that fails: an error never leaves a logged-in record no cookie names. A
// pending key cycle is commitCycle's.
func (b *serverBackend) save(s *Session, data []byte, now time.Time) ([]byte, error) {
	if s.cycling {
		return b.commitCycle(s, data, now)
	}
	expiry := s.expiryDateLocked(now)
	if s.key == "" {
		if err := b.create(s, data, expiry); err != nil {
			return nil, err
		}
		if err := b.index.saved(s, now, expiry); err != nil {
			err = b.deleteNew(s, err)
			s.key = ""
			return nil, err
		}
		return data, nil
	}
	before := s.idx
	if err := b.index.saved(s, now, expiry); err != nil {
		return nil, err
	}
	write := b.update
	if b.swaps() && s.mustMerge() {
		write = b.swap
	}
	stored, err := write(s, data, now)
	return stored, b.index.unsaved(s, before, err)
}

// deleteNew deletes the record just created under s.key, after err, which
// it returns (with its own failure, if any). It runs even when the client
// has gone (the request's context canceled), bounded by StoreTimeout: a
// half-done write is undone.
func (b *serverBackend) deleteNew(s *Session, err error) error {
	ctx, cancel := context.WithoutCancel(s.requestContext()), context.CancelFunc(func() {})
	if t := s.m.opts.StoreTimeout; t > 0 {
		ctx, cancel = context.WithTimeout(ctx, t)
	}
	defer cancel()
	if derr := b.store.Delete(ctx, s.m.stored(s.key)); derr != nil {
		return errors.Join(err, fmt.Errorf("ginsession: delete the new record %s, whose save failed: %w", shortKey(s.key), derr))
	}
	return err
}

// swaps reports whether saves are conditional.
func (b *serverBackend) swaps() bool { return b.swapper != nil && !b.unswappable.Load() }

// update stores data over the record, whatever it holds now.
func (b *serverBackend) update(s *Session, data []byte, now time.Time) ([]byte, error) {
	ctx, cancel := s.storeContext()
	err := b.store.Update(ctx, s.m.stored(s.key), data, s.expiryDateLocked(now))
	cancel()
	if err != nil {
		return nil, b.saveError(s.key, err)
	}
	return data, nil
}

// saveError is the error for a failed write of the record under key.
func (b *serverBackend) saveError(key string, err error) error {
	if errors.Is(err, stores.ErrNotFound) {
		return fmt.Errorf("%w (session %s)", ErrSessionInterrupted, shortKey(key))
	}
	return fmt.Errorf("ginsession: save session %s: %w", shortKey(key), err)
}

// create stores data under a new key: the one a key cycle chose, else a
// fresh one, and another on a collision.
func (b *serverBackend) create(s *Session, data []byte, expiry time.Time) error {
	ctx, cancel := s.storeContext()
	defer cancel()
	key := s.key
	for range createAttempts {
		if key == "" {
			key = stores.NewKey()
		}
		err := b.store.Create(ctx, s.m.stored(key), data, expiry)
		if err == nil {
			s.key = key
			return nil
		}
		if !errors.Is(err, stores.ErrExists) {
			return errprefix.Wrap("ginsession: create session", err)
		}
		key = ""
	}
	return fmt.Errorf("ginsession: create session: %d new keys in a row were taken; the store is likely broken", createAttempts)
}

// refresh saves a session changed in this request in full. An unchanged
// one only has its expiry moved when the store is a [stores.Toucher]: its
// data is not rewritten, so nothing a concurrent request saved is
// overwritten. A record that vanished (a concurrent logout) is gone.
func (b *serverBackend) refresh(s *Session, now time.Time) (gone bool, err error) {
	if s.modified {
		return false, s.saveLocked(now)
	}
	if s.cookieDue {
		return false, nil // Save stored it in this request already
	}
	if b.toucher == nil || b.untouchable.Load() {
		return false, s.saveLocked(now)
	}
	ctx, cancel := s.storeContext()
	start := s.m.observing()
	err = b.toucher.Touch(ctx, s.m.stored(s.key), s.expiryDateLocked(now))
	cancel()
	if errors.Is(err, errors.ErrUnsupported) {
		b.untouchable.Store(true)
		return false, s.saveLocked(now)
	}
	s.observe(Event{Op: OpSave, Outcome: OutcomeTouched, Err: err}, s.key, start)
	switch {
	case errors.Is(err, stores.ErrNotFound):
		s.dropRecord()
		return true, nil
	case err != nil:
		return false, fmt.Errorf("ginsession: touch session %s: %w", shortKey(s.key), err)
	}
	s.cookieDue = true
	return false, nil
}

func (b *serverBackend) flush(s *Session) error {
	if err := b.dropCycle(s); err != nil {
		s.err = err
		return err
	}
	old := s.key
	s.key = ""
	if old == "" {
		return nil
	}
	b.index.flushing(s, old)
	ctx, cancel := s.storeContext()
	defer cancel()
	if err := b.store.Delete(ctx, s.m.stored(old)); err != nil {
		// The record still exists: the request must not report success.
		s.err = fmt.Errorf("ginsession: flush session %s: %w", shortKey(old), err)
		return s.err
	}
	return b.index.flushed(s, old)
}

// cycle gives the session a new key, whose record the next save creates
// (commitCycle); a second cycle before it only changes the new key.
func (b *serverBackend) cycle(s *Session) {
	if !s.cycling {
		s.cycling, s.oldKey = true, s.key
	}
	s.key = stores.NewKey()
}

// commitCycle saves the session under the new key CycleKey gave it: the
// record is stored and indexed there, the old key's index entry moved to
// it, and only then is the old record retired (retireOld). When a step
// fails, what the cycle wrote is deleted and the index put back, so the old
// record, which the client's cookie still names, is as it was; when a
// concurrent logout ended the old record, nothing is left under either key
// and the request fails with ErrSessionInterrupted. s.mu is held.
func (b *serverBackend) commitCycle(s *Session, data []byte, now time.Time) ([]byte, error) {
	old, before := s.oldKey, s.idx
	expiry := s.expiryDateLocked(now)
	var err error
	if s.created {
		_, err = b.update(s, data, now) // written ahead by admit
	} else {
		err = b.create(s, data, expiry)
	}
	if err == nil {
		s.created = true
		err = b.index.saved(s, now, expiry)
		if err == nil {
			err = b.index.cycled(s, old, now, expiry)
		}
		if err == nil && old != "" {
			data, err = b.retireOld(s, old, data, now)
		}
		if err != nil {
			err = b.undoCycle(s, before, err)
		}
	}
	if err != nil {
		return nil, err
	}
	s.cycling, s.created, s.oldKey = false, false, ""
	return data, nil
}

// undoCycle takes back what commitCycle wrote before err: the new record
// and its index entry. If the new record cannot be deleted, it stays
// listed, so that it can be ended, and the request fails. s.mu is held.
func (b *serverBackend) undoCycle(s *Session, before indexState, err error) error {
	if derr := b.deleteNew(s, nil); derr != nil {
		s.err = errors.Join(err, derr)
		return s.err
	}
	s.created = false
	err = b.index.unsaved(s, before, err)
	if errors.Is(err, ErrSessionInterrupted) {
		s.dropRecord()
		s.err = err
	}
	return err
}

// dropCycle forgets a pending key cycle: the session is back under its
// old key, and a record written ahead for the new one (admit) is deleted;
// its index entry, naming no record, is then pruned by the index. s.mu is
// held.
func (b *serverBackend) dropCycle(s *Session) error {
	if !s.cycling {
		return nil
	}
	if s.created {
		if err := b.deleteNew(s, nil); err != nil {
			return err
		}
		s.idx = indexState{}
	}
	s.key, s.cycling, s.created, s.oldKey = s.oldKey, false, false, ""
	return nil
}

// retireOld deletes the record under old once a key cycle has stored the
// session under s.key. With a stores.Swapper the delete is conditional on
// the record still holding what was loaded (s.base): a concurrent
// request's change is merged into the new record first, as a conflicting
// save merges it (swap), and a record a concurrent logout deleted fails
// the cycle with ErrSessionInterrupted. It returns the new record's data.
// s.mu is held.
func (b *serverBackend) retireOld(s *Session, old string, data []byte, now time.Time) ([]byte, error) {
	ctx, cancel := s.storeContext()
	defer cancel()
	deleteOld := func() ([]byte, error) {
		if err := b.store.Delete(ctx, s.m.stored(old)); err != nil {
			return nil, fmt.Errorf("ginsession: cycle key: delete old session %s: %w", shortKey(old), err)
		}
		return data, nil
	}
	if !b.swaps() || !s.mustMerge() {
		return deleteOld()
	}
	mu := saveLock(old) // the old key's writers wait, as for any save (swap.go)
	mu.Lock()
	defer mu.Unlock()
	for attempt := 1; ; attempt++ {
		current, err := b.swapper.CompareAndDelete(ctx, s.m.stored(old), s.base)
		switch {
		case err == nil:
			return data, nil
		case errors.Is(err, errors.ErrUnsupported):
			b.unswappable.Store(true)
			return deleteOld()
		case errors.Is(err, stores.ErrNotFound):
			return nil, fmt.Errorf("%w (session %s, during a key cycle)", ErrSessionInterrupted, shortKey(old))
		case !errors.Is(err, stores.ErrConflict):
			return nil, fmt.Errorf("ginsession: cycle key: delete old session %s: %w", shortKey(old), err)
		case attempt == swapAttempts:
			return nil, fmt.Errorf("ginsession: cycle key: old session %s still changing after %d attempts: %w", shortKey(old), attempt, err)
		}
		// A concurrent request changed the old record: its changes go into
		// the new one, under this request's. If the new one was ended
		// meanwhile (it is listed), retiring the old ends the session.
		s.replay(current)
		if data, err = s.encode(); err != nil {
			return nil, err
		}
		if _, err := b.update(s, data, now); err != nil && !errors.Is(err, ErrSessionInterrupted) {
			return nil, err
		}
		if err := pause(ctx, attempt); err != nil {
			return nil, errprefix.Wrap("ginsession: cycle key", err)
		}
	}
}

func (b *serverBackend) cookieValue(s *Session) string { return s.key }
