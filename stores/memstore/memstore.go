// Package memstore keeps ginsession records in the process's memory: the
// store for tests, examples and a single-instance development server.
//
// One lock guards the records and the per-user index. Data is copied on the
// way in and on the way out, so callers may reuse their buffers and may
// modify what Load returns.
//
// # Expiry
//
// An expired record is absent for [Store.Load], [Store.Exists], [Store.Update]
// and [Store.Touch], and does not block [Store.Create], from the moment its
// expiry passes. It still holds memory until [Store.ClearExpired] (or the
// janitor started by [stores.StartJanitor]) removes it.
//
// # Limits
//
// Records live and die with the process and are not shared between
// instances; use a server-side store such as Redis or SQL for anything that
// runs more than one instance.
package memstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// Store is an in-memory stores.Store. Its zero value is not usable; make one
// with New. It is safe for concurrent use.
type Store struct {
	mu      sync.RWMutex
	records map[string]entry
	users   map[string]map[string]stores.IndexEntry // the per-user index (index.go)
	now     func() time.Time                        // WithClock
}

// entry is one record. Its data is never written after it is stored:
// every write stores a copy of its own.
type entry struct {
	data   []byte
	expiry int64 // Unix nanoseconds
}

// Option configures a Store.
type Option func(*Store)

// WithClock sets where the store reads the current time, against which
// every expiry is compared. Optional. Default value is time.Now; tests pass
// a clock they move (and the same one to ginsession.WithClock), so nothing
// sleeps. New refuses nil.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// New returns an empty Store, or an error naming the fix for an option out
// of range. It starts no goroutine; see stores.StartJanitor.
func New(opts ...Option) (*Store, error) {
	s := &Store{records: make(map[string]entry), users: make(map[string]map[string]stores.IndexEntry), now: time.Now}
	for _, o := range opts {
		o(s)
	}
	if s.now == nil {
		return nil, errors.New("memstore: WithClock(nil): pass a function, or leave the option out for time.Now")
	}
	return s, nil
}

// unixNano is t in Unix nanoseconds, saturated by stores.ClampExpiry.
func unixNano(t time.Time) int64 { return stores.ClampExpiry(t).UnixNano() }

// live reports whether a record holds key at now. s.mu is held.
func (s *Store) live(key string, now int64) bool {
	e, ok := s.records[key]
	return ok && e.expiry > now
}

// Load returns a copy of the data under key, or stores.ErrNotFound when
// there is no live record.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	data, _, err := s.LoadWithTTL(ctx, key)
	return data, err
}

// LoadWithTTL implements stores.TTLLoader: Load, with the time from the
// store's clock to the record's expiry (to the nanosecond), read under the
// same lock.
func (s *Store) LoadWithTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("memstore: load: %w", err)
	}
	now := s.now().UnixNano()
	s.mu.RLock()
	e, ok := s.records[key]
	s.mu.RUnlock()
	if !ok || e.expiry <= now {
		if err := stores.CheckKey(key); err != nil {
			return nil, 0, fmt.Errorf("memstore: load: %w (%w)", stores.ErrNotFound, err)
		}
		return nil, 0, stores.ErrNotFound
	}
	return bytes.Clone(e.data), time.Duration(e.expiry - now), nil
}

// write is every write of a record: with the store locked it hands f the
// live record under key (live false when there is none) and the current
// time, and stores the record f returns, or removes it when keep is false.
// An error from f changes nothing and is returned as it is.
func (s *Store) write(ctx context.Context, op, key string, f func(e entry, live bool, now int64) (_ entry, keep bool, _ error)) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	now := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, keep, err := f(s.records[key], s.live(key, now), now)
	switch {
	case err != nil:
		return err
	case keep:
		s.records[key] = e
	default:
		delete(s.records, key)
	}
	return nil
}

// Create stores a copy of data under key. It returns stores.ErrExists when a
// live record holds key (an expired one is replaced) and an error wrapping
// stores.ErrInvalidKey for a key that breaks the key rules, so a test written
// against memstore fails as it would against a file or SQL store.
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	n := entry{bytes.Clone(data), unixNano(expiry)}
	return s.write(ctx, "create", key, func(_ entry, live bool, _ int64) (entry, bool, error) {
		if live {
			return n, true, stores.ErrExists
		}
		return n, true, nil
	})
}

// Update replaces the data and expiry of the live record under key with a
// copy of data, or returns stores.ErrNotFound when there is none.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	n := entry{bytes.Clone(data), unixNano(expiry)}
	return s.write(ctx, "update", key, func(_ entry, live bool, _ int64) (entry, bool, error) {
		return n, true, found(live)
	})
}

// Touch implements stores.Toucher: it moves the expiry of the live record
// under key without copying its data, or returns stores.ErrNotFound when
// there is none.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	return s.write(ctx, "touch", key, func(e entry, live bool, _ int64) (entry, bool, error) {
		e.expiry = unixNano(expiry)
		return e, true, found(live)
	})
}

// found is stores.ErrNotFound for a write that needs a live record.
func found(live bool) error {
	if !live {
		return stores.ErrNotFound
	}
	return nil
}

// Delete removes the record under key; a missing record is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.write(ctx, "delete", key, func(entry, bool, int64) (entry, bool, error) {
		return entry{}, false, nil
	})
}

// CompareAndSwap implements stores.Swapper: it replaces the data and expiry
// of the live record under key with a copy of data if its data is still
// old, under the store's lock. It returns stores.ErrNotFound when there is
// no live record and, when the record holds other data, a copy of that
// data with an error wrapping stores.ErrConflict.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	n := entry{bytes.Clone(data), unixNano(expiry)}
	return s.compare(ctx, "compare and swap", key, old, &n)
}

// CompareAndDelete implements stores.Swapper: it removes the live record
// under key if its data is still old, with the results of CompareAndSwap.
func (s *Store) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	return s.compare(ctx, "compare and delete", key, old, nil)
}

// compare puts n in place of the live record under key (removes it, n nil)
// if its data is old.
func (s *Store) compare(ctx context.Context, op, key string, old []byte, n *entry) (cur []byte, err error) {
	err = s.write(ctx, op, key, func(e entry, live bool, _ int64) (entry, bool, error) {
		switch {
		case !live:
			return e, true, stores.ErrNotFound
		case !bytes.Equal(e.data, old):
			cur = bytes.Clone(e.data)
			return e, true, fmt.Errorf("memstore: %s %s: %w", op, stores.Redact(key), stores.ErrConflict)
		case n == nil:
			return e, false, nil
		}
		return *n, true, nil
	})
	return cur, err
}

// Set stores a copy of data under key whether or not a record is there; an
// expiry already past removes the record. It is not part of stores.Store,
// whose writes are create-only or update-only; the cached_db store
// (stores/cachedstore) uses it for the tombstone a logout leaves.
func (s *Store) Set(ctx context.Context, key string, data []byte, expiry time.Time) error {
	_, err := s.SetUnless(ctx, key, data, expiry, nil)
	return err
}

// SetUnless is Set, except that a live record beginning with guard (when
// not nil) is left as it is; it reports whether it wrote (or removed). The
// cached_db store uses it so its cache writes cannot overwrite a logout's
// tombstone.
func (s *Store) SetUnless(ctx context.Context, key string, data []byte, expiry time.Time, guard []byte) (bool, error) {
	n := entry{bytes.Clone(data), unixNano(expiry)}
	return s.writeUnless(ctx, "set", key, guard, func(entry) entry { return n }, false)
}

// TouchUnless is Touch, except that a live record beginning with guard is
// left as it is; it reports whether it moved (or, for an expiry already
// past, removed) a record, false when there was none or it held guard.
func (s *Store) TouchUnless(ctx context.Context, key string, expiry time.Time, guard []byte) (bool, error) {
	exp := unixNano(expiry)
	return s.writeUnless(ctx, "touch", key, guard, func(e entry) entry { e.expiry = exp; return e }, true)
}

// writeUnless puts f's record in place of key's unless the live record
// begins with guard (or, with needLive, there is none); a record expiring by now
// is removed instead.
func (s *Store) writeUnless(ctx context.Context, op, key string, guard []byte, f func(entry) entry, needLive bool) (wrote bool, err error) {
	err = s.write(ctx, op, key, func(e entry, live bool, now int64) (entry, bool, error) {
		if live && guard != nil && bytes.HasPrefix(e.data, guard) || needLive && !live {
			return e, live, nil
		}
		wrote, e = true, f(e)
		return e, e.expiry > now, nil
	})
	return wrote, err
}

// Exists reports whether a live record holds key.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("memstore: exists: %w", err)
	}
	now := s.now().UnixNano()
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.live(key, now), nil
}

// ClearExpired removes the records whose expiry has passed and the index
// entries of records that are gone. It returns only the context's error.
func (s *Store) ClearExpired(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: clear expired: %w", err)
	}
	now := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	maps.DeleteFunc(s.records, func(_ string, e entry) bool { return e.expiry <= now })
	for u, m := range s.users {
		if s.prune(m, now); len(m) == 0 {
			delete(s.users, u)
		}
	}
	return nil
}

// Len returns the number of records held, counting expired ones that have
// not been cleared yet: it measures memory, not live sessions.
func (s *Store) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.records)
}

var (
	_ stores.Toucher   = (*Store)(nil)
	_ stores.TTLLoader = (*Store)(nil)
	_ stores.Swapper   = (*Store)(nil)
)
