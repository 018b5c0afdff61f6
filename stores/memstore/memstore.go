// Package memstore keeps ginsession records in the process's memory: the
// store for tests, examples and a single-instance development server.
//
// Records are spread over independently locked shards chosen by a hash of the
// key, so concurrent requests for different sessions rarely wait for each
// other. Data is copied on the way in and on the way out, so callers may
// reuse their buffers and may modify what Load returns.
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
	"hash/maphash"
	"maps"
	"sync"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// DefaultShards is the number of shards a Store has unless WithShards says
// otherwise.
const DefaultShards = 64

// Store is an in-memory stores.Store. Its zero value is not usable; make one
// with New. It is safe for concurrent use.
type Store struct {
	seed   maphash.Seed
	mask   uint64
	shards []shard
	index  userIndex        // the per-user index (index.go)
	now    func() time.Time // WithClock
}

// shard is one lock and the records it guards.
type shard struct {
	mu sync.RWMutex
	m  map[string]entry
}

// entry is one record. Its data is never written after it is stored:
// every write stores a copy of its own.
type entry struct {
	data   []byte
	expiry int64 // Unix nanoseconds
}

// Option configures a Store.
type Option func(*config)

type config struct {
	shards int
	now    func() time.Time
}

// WithShards sets the number of shards, rounded up to a power of two.
// Optional. Default value is DefaultShards. One shard means one lock for the
// whole store, which is only useful to measure what sharding buys.
func WithShards(n int) Option {
	return func(c *config) { c.shards = n }
}

// WithClock sets where the store reads the current time, against which
// every expiry is compared. Optional. Default value is time.Now; tests pass
// a clock they move (and the same one to ginsession.WithClock), so nothing
// sleeps. New refuses nil.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// New returns an empty Store, or an error naming the fix for an option out
// of range. It starts no goroutine; see stores.StartJanitor.
func New(opts ...Option) (*Store, error) {
	c := config{shards: DefaultShards, now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	if c.shards < 1 || c.shards > 1<<16 {
		return nil, fmt.Errorf("memstore: WithShards(%d): use a shard count from 1 to 65536, such as %d", c.shards, DefaultShards)
	}
	if c.now == nil {
		return nil, errors.New("memstore: WithClock(nil): pass a function, or leave the option out for time.Now")
	}
	n := 1
	for n < c.shards {
		n <<= 1
	}
	s := &Store{seed: maphash.MakeSeed(), mask: uint64(n - 1), shards: make([]shard, n), now: c.now}
	for i := range s.shards {
		s.shards[i].m = make(map[string]entry)
	}
	return s, nil
}

func (s *Store) shard(key string) *shard {
	return &s.shards[maphash.String(s.seed, key)&s.mask]
}

// unixNano converts t to Unix nanoseconds, saturated as stores.ClampExpiry
// does, but reading t's seconds first: time.Unix(1<<63-1, 0) wraps round
// inside Time's own comparisons.
func unixNano(t time.Time) int64 {
	switch sec := t.Unix(); {
	case sec <= stores.MinExpiry().Unix():
		return stores.MinExpiry().UnixNano()
	case sec >= stores.MaxExpiry().Unix():
		return stores.MaxExpiry().UnixNano()
	}
	return t.UnixNano()
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
	sh := s.shard(key)
	sh.mu.RLock()
	e, ok := sh.m[key]
	sh.mu.RUnlock()
	if !ok || e.expiry <= now {
		if err := stores.CheckKey(key); err != nil {
			return nil, 0, fmt.Errorf("memstore: load: %w (%w)", stores.ErrNotFound, err)
		}
		return nil, 0, stores.ErrNotFound
	}
	return bytes.Clone(e.data), time.Duration(e.expiry - now), nil
}

// write is every write of a record: with key's shard locked it hands f the
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
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, live := sh.m[key]
	live = live && e.expiry > now
	e, keep, err := f(e, live, now)
	switch {
	case err != nil:
		return err
	case keep:
		sh.m[key] = e
	default:
		delete(sh.m, key)
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
// old, under the shard's lock. It returns stores.ErrNotFound when there is
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
	return s.live(key), nil
}

func (s *Store) live(key string) bool {
	sh := s.shard(key)
	sh.mu.RLock()
	e, ok := sh.m[key]
	sh.mu.RUnlock()
	return ok && e.expiry > s.now().UnixNano()
}

// ClearExpired removes the records whose expiry has passed. It locks one
// shard at a time, and a shard for writing only when it holds an expired
// record, so requests keep being served while it runs. It returns only the
// context's error, checked between shards.
func (s *Store) ClearExpired(ctx context.Context) error {
	for i := range s.shards {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("memstore: clear expired: %w", err)
		}
		sh := &s.shards[i]
		now := s.now().UnixNano()
		sh.mu.RLock()
		stale := false
		for _, e := range sh.m {
			if stale = e.expiry <= now; stale {
				break
			}
		}
		sh.mu.RUnlock()
		if stale {
			sh.mu.Lock()
			maps.DeleteFunc(sh.m, func(_ string, e entry) bool { return e.expiry <= now })
			sh.mu.Unlock()
		}
	}
	s.clearIndex()
	return nil
}

// Len returns the number of records held, counting expired ones that have
// not been cleared yet: it measures memory, not live sessions.
func (s *Store) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}

var (
	_ stores.Toucher   = (*Store)(nil)
	_ stores.TTLLoader = (*Store)(nil)
	_ stores.Swapper   = (*Store)(nil)
)
