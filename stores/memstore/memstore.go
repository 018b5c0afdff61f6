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
	"sync"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// DefaultShards is the number of shards a Store has unless WithShards says
// otherwise.
const DefaultShards = 64

// Store is an in-memory stores.Store and stores.Toucher. Its zero value is
// not usable; make one with New. It is safe for concurrent use.
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
// every write stores a copy of its own, so a reader may copy it after
// letting go of the lock.
type entry struct {
	data   []byte
	expiry int64 // Unix nanoseconds
}

// get returns the live entry under key at now (Unix nanoseconds). The
// shard is locked.
func (sh *shard) get(key string, now int64) (entry, bool) {
	e, ok := sh.m[key]
	return e, ok && e.expiry > now
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

// Create stores a copy of data under key. It returns stores.ErrExists when a
// live record holds key (an expired one is replaced) and an error wrapping
// stores.ErrInvalidKey for a key that breaks the key rules, so a test written
// against memstore fails as it would against a file or SQL store.
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: create: %w", err)
	}
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("memstore: create: %w", err)
	}
	e := entry{bytes.Clone(data), unixNano(expiry)}
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, ok := sh.get(key, s.now().UnixNano()); ok {
		return stores.ErrExists
	}
	sh.m[key] = e
	return nil
}

// Update replaces the data and expiry of the live record under key with a
// copy of data, or returns stores.ErrNotFound when there is none.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: update: %w", err)
	}
	e := entry{bytes.Clone(data), unixNano(expiry)}
	if err := s.change(key, func(entry) entry { return e }); err != nil {
		return missing("update", key, err)
	}
	return nil
}

// Touch moves the expiry of the live record under key without copying its
// data, or returns stores.ErrNotFound when there is none.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: touch: %w", err)
	}
	exp := unixNano(expiry)
	if err := s.change(key, func(e entry) entry { e.expiry = exp; return e }); err != nil {
		return missing("touch", key, err)
	}
	return nil
}

// missing is the error for a record change found no record to apply to:
// ErrNotFound, also wrapping stores.ErrInvalidKey when no record could ever
// have held key. The key is checked only here, off the path of a found
// record, because Create refuses invalid keys.
func missing(op, key string, err error) error {
	if kerr := stores.CheckKey(key); kerr != nil {
		return fmt.Errorf("memstore: %s: %w (%w)", op, err, kerr)
	}
	return err
}

// change replaces the live record under key with what f makes of it, with
// its shard locked, or returns stores.ErrNotFound when there is none.
func (s *Store) change(key string, f func(entry) entry) error {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.get(key, s.now().UnixNano())
	if !ok {
		return stores.ErrNotFound
	}
	sh.m[key] = f(e)
	return nil
}

// Delete removes the record under key; a missing record is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: delete: %w", err)
	}
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("memstore: delete: %w", err)
	}
	sh := s.shard(key)
	sh.mu.Lock()
	delete(sh.m, key)
	sh.mu.Unlock()
	return nil
}

// Exists reports whether a live record holds key.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("memstore: exists: %w", err)
	}
	return s.live(key), nil
}

// live reports whether a live record holds key.
func (s *Store) live(key string) bool {
	sh := s.shard(key)
	sh.mu.RLock()
	_, ok := sh.get(key, s.now().UnixNano())
	sh.mu.RUnlock()
	return ok
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
			if e.expiry <= now {
				stale = true
				break
			}
		}
		sh.mu.RUnlock()
		if !stale {
			continue
		}
		sh.mu.Lock()
		for k, e := range sh.m {
			if e.expiry <= now {
				delete(sh.m, k)
			}
		}
		sh.mu.Unlock()
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

// Compile-time checks that Store provides what ginsession looks for.
var (
	_ stores.Store   = (*Store)(nil)
	_ stores.Toucher = (*Store)(nil)
)
