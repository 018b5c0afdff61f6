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
// that fails: an error never leaves a logged-in record no cookie names.
func (b *serverBackend) save(s *Session, data []byte, now time.Time) ([]byte, error) {
	expiry := s.expiryDateLocked(now)
	if s.key == "" {
		if err := b.create(s, data, expiry); err != nil {
			return nil, err
		}
		if err := b.index.saved(s, now, expiry); err != nil {
			ctx, cancel := s.storeContext()
			defer cancel()
			if derr := b.store.Delete(ctx, s.m.stored(s.key)); derr != nil {
				err = errors.Join(err, fmt.Errorf("ginsession: delete the unindexed session %s: %w", shortKey(s.key), derr))
			}
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

// create stores data under a fresh key, retrying on a collision.
func (b *serverBackend) create(s *Session, data []byte, expiry time.Time) error {
	ctx, cancel := s.storeContext()
	defer cancel()
	for range createAttempts {
		key := stores.NewKey()
		err := b.store.Create(ctx, s.m.stored(key), data, expiry)
		if err == nil {
			s.key = key
			return nil
		}
		if !errors.Is(err, stores.ErrExists) {
			return errprefix.Wrap("ginsession: create session", err)
		}
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
		return false, nil // Save or CycleKey stored it in this request already
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

// cycle saves the data under a new key, then deletes the old record. With
// a stores.Swapper the delete is conditional too: if a concurrent request
// changed the old record meanwhile, its changes are merged into the new one
// first, and if a concurrent logout deleted it, the new record is deleted
// as well and the request fails with ErrSessionInterrupted: the data is not
// brought back under either key.
func (b *serverBackend) cycle(s *Session) error {
	old, oldData := s.key, s.base
	merge := b.swaps() && old != "" && s.mustMerge()
	var changes []string
	merges := s.merges
	if merge {
		changes = append(changes, s.changes...) // saveLocked clears them
	}
	s.key = ""
	if err := s.saveLocked(s.m.now()); err != nil {
		s.key, s.base = old, oldData
		return err
	}
	if old == "" {
		return nil
	}
	ctx, cancel := s.storeContext()
	defer cancel()
	if !merge {
		if err := b.store.Delete(ctx, s.m.stored(old)); err != nil {
			s.err = fmt.Errorf("ginsession: cycle key: delete old session %s: %w", shortKey(old), err)
			return s.err
		}
	} else if err := b.retireOld(ctx, s, old, oldData, changes, merges); err != nil {
		return err
	}
	// The old record is gone: only now does the index entry move.
	return b.index.cycled(s, old)
}

// retireOld deletes the record a key cycle left, under old, provided it
// still holds oldData, merging a concurrent request's changes into the new
// record (s.key) when it does not. s.mu is held.
func (b *serverBackend) retireOld(ctx context.Context, s *Session, old string, oldData []byte, changes []string, merges map[string]*keyMerge) error {
	mu := saveLock(old) // the old key's writers wait, as for any save (swap.go)
	mu.Lock()
	defer mu.Unlock()
	for attempt := 1; ; attempt++ {
		current, err := b.swapper.CompareAndDelete(ctx, s.m.stored(old), oldData)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, errors.ErrUnsupported):
			b.unswappable.Store(true)
			if err := b.store.Delete(ctx, s.m.stored(old)); err != nil {
				s.err = fmt.Errorf("ginsession: cycle key: delete old session %s: %w", shortKey(old), err)
				return s.err
			}
			return nil
		case errors.Is(err, stores.ErrNotFound):
			// Ended meanwhile (a logout): so is its copy.
			if derr := b.store.Delete(ctx, s.m.stored(s.key)); derr != nil {
				s.err = fmt.Errorf("ginsession: cycle key: session %s was ended meanwhile, and deleting its new copy %s failed: %w", shortKey(old), shortKey(s.key), derr)
				return s.err
			}
			s.dropRecord()
			s.err = fmt.Errorf("%w (session %s, during a key cycle)", ErrSessionInterrupted, shortKey(old))
			return s.err
		case !errors.Is(err, stores.ErrConflict):
			s.err = fmt.Errorf("ginsession: cycle key: delete old session %s: %w", shortKey(old), err)
			return s.err
		}
		if attempt == swapAttempts {
			s.err = fmt.Errorf("ginsession: cycle key: old session %s still changing after %d attempts: %w", shortKey(old), attempt, err)
			return s.err
		}
		// A concurrent request changed the old record: its changes go into
		// the new one, under this request's.
		s.changes, s.merges, s.replaced = append(s.changes[:0], changes...), merges, false
		s.replay(current)
		data, err := s.encode()
		if err != nil {
			return err
		}
		if err := b.store.Update(ctx, s.m.stored(s.key), data, s.expiryDateLocked(s.m.now())); err != nil {
			s.err = fmt.Errorf("ginsession: cycle key: save session %s: %w", shortKey(s.key), err)
			return s.err
		}
		s.saved(data)
		oldData = current
		if err := pause(ctx, attempt); err != nil {
			s.err = errprefix.Wrap("ginsession: cycle key", err)
			return s.err
		}
	}
}

func (b *serverBackend) cookieValue(s *Session) string { return s.key }
