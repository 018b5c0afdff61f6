package ginsession

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// serverBackend keeps records in a stores.Store under a random key; the
// cookie carries only the key.
type serverBackend struct {
	store   stores.Store
	toucher stores.Toucher // nil unless the store can move an expiry alone
}

func (b *serverBackend) check(*options) error { return nil }

func (b *serverBackend) adopt(value string) (key, sealed string) {
	if stores.ValidKey(value) {
		return value, ""
	}
	return "", ""
}

func (b *serverBackend) load(s *Session) ([]byte, error) {
	ctx, cancel := s.storeContext()
	raw, err := b.store.Load(ctx, s.key)
	cancel()
	if err != nil && !errors.Is(err, stores.ErrNotFound) {
		return nil, fmt.Errorf("ginsession: load session %s: %w", shortKey(s.key), err)
	}
	return raw, err
}

// decoded keeps the key of corrupt data, as Django does: the session starts
// empty under the same key and the next save overwrites the record.
func (b *serverBackend) decoded(*Session, error) bool { return false }

// save is insert-only under a new key when there is none, update-only
// otherwise, so a record a concurrent logout deleted is not brought back.
func (b *serverBackend) save(s *Session, data []byte, now time.Time) error {
	expiry := s.expiryDateLocked(now)
	if s.key == "" {
		return b.create(s, data, expiry)
	}
	ctx, cancel := s.storeContext()
	err := b.store.Update(ctx, s.key, data, expiry)
	cancel()
	if errors.Is(err, stores.ErrNotFound) {
		return fmt.Errorf("%w (session %s)", ErrSessionInterrupted, shortKey(s.key))
	}
	if err != nil {
		return fmt.Errorf("ginsession: save session %s: %w", shortKey(s.key), err)
	}
	return nil
}

// create stores data under a fresh key, retrying on the (vanishingly rare)
// collision.
func (b *serverBackend) create(s *Session, data []byte, expiry time.Time) error {
	ctx, cancel := s.storeContext()
	defer cancel()
	for range createAttempts {
		key := stores.NewKey()
		err := b.store.Create(ctx, key, data, expiry)
		if err == nil {
			s.key = key
			return nil
		}
		if !errors.Is(err, stores.ErrExists) {
			return fmt.Errorf("ginsession: create session: %w", err)
		}
	}
	return fmt.Errorf("ginsession: create session: %d new keys in a row were taken; the store is likely broken", createAttempts)
}

// refresh saves a session changed in this request in full. An unchanged one
// (SaveEveryRequest) only has its expiry moved when the store is a
// [stores.Toucher]: its data is not rewritten, which is cheaper and cannot
// overwrite what a concurrent request saved meanwhile. A record that
// vanished (a concurrent logout) is reported as gone and nothing is brought
// back.
func (b *serverBackend) refresh(s *Session, now time.Time) (gone bool, err error) {
	if s.modified {
		return false, s.saveLocked()
	}
	if s.cookieDue {
		return false, nil // Save or CycleKey stored it in this request already
	}
	if b.toucher == nil {
		return false, s.saveLocked()
	}
	ctx, cancel := s.storeContext()
	err = b.toucher.Touch(ctx, s.key, s.expiryDateLocked(now))
	cancel()
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
	ctx, cancel := s.storeContext()
	defer cancel()
	if err := b.store.Delete(ctx, old); err != nil {
		// The record still exists: the request must not report success.
		s.err = fmt.Errorf("ginsession: flush session %s: %w", shortKey(old), err)
		return s.err
	}
	return nil
}

// cycle saves the data under a new key, then deletes the old record.
func (b *serverBackend) cycle(s *Session) error {
	old := s.key
	s.key = ""
	if err := s.saveLocked(); err != nil {
		s.key = old
		return err
	}
	if old != "" {
		ctx, cancel := s.storeContext()
		defer cancel()
		if err := b.store.Delete(ctx, old); err != nil {
			s.err = fmt.Errorf("ginsession: cycle key: delete old session %s: %w", shortKey(old), err)
			return s.err
		}
	}
	return nil
}

func (b *serverBackend) cookieValue(s *Session) string { return s.key }

func (b *serverBackend) exists(ctx context.Context, key string) (bool, error) {
	return b.store.Exists(ctx, key)
}

func (b *serverBackend) deleteKey(ctx context.Context, key string) error {
	return b.store.Delete(ctx, key)
}
