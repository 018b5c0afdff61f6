package cachedstore

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// marker begins every value the store writes into the cache that is not a
// session's data: the tombstone, the unsettled marker and the writes'
// marks. No codec makes NUL bytes, and Create, Update and CompareAndSwap
// refuse data that begins with it, so a cached value that does is never a
// session.
var marker = []byte("\x00ginsession/cachedstore: ")

// tombstone is what Delete leaves in the cache: "deleted".
var tombstone = []byte("\x00ginsession/cachedstore: deleted\x00")

func isTombstone(data []byte) bool { return bytes.Equal(data, tombstone) }

func isMarker(data []byte) bool { return bytes.HasPrefix(data, marker) }

// DefaultTombstoneTTL is how long a Delete's tombstone stays in the cache
// unless WithTombstoneTTL says otherwise: six times ginsession's default
// store timeout, which bounds how late a request's cache write can come.
const DefaultTombstoneTTL = 30 * time.Second

// setter is a cache store that can write a record whether or not one exists.
type setter interface {
	Set(ctx context.Context, key string, data []byte, expiry time.Time) error
}

// guarded is implemented by cache stores that can also write a record
// unless it begins with a given prefix, in one atomic step (redisstore.Store
// does, with a Lua script; memstore.Store does, under its shard lock). With
// it a write's mark replaces no other marker, and nothing the tombstone a
// Delete leaves.
type guarded interface {
	setter
	// SetUnless is Set, except that a record beginning with guard is
	// left as it is; it reports whether it wrote. An expiry already past
	// removes the record (again unless it begins with guard).
	SetUnless(ctx context.Context, key string, data []byte, expiry time.Time, guard []byte) (bool, error)
	// TouchUnless moves the record's expiry unless it begins with
	// guard; it reports whether it moved one.
	TouchUnless(ctx context.Context, key string, expiry time.Time, guard []byte) (bool, error)
}

// guard adapts a cache store to guarded once, in New. A cache without it
// gets the check and the write as two steps (see the package doc).
func guard(cache stores.Store, now func() time.Time) guarded {
	if g, ok := cache.(guarded); ok {
		return g
	}
	return unguarded{cache, now}
}

// unguarded is guarded made of a plain store's Load and writes; now is the
// store's clock.
type unguarded struct {
	stores.Store
	now func() time.Time
}

func (u unguarded) Set(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if st, ok := u.Store.(setter); ok {
		return st.Set(ctx, key, data, expiry)
	}
	// Update, else Create, else (a refill got there first) Update.
	err := u.Update(ctx, key, data, expiry)
	if errors.Is(err, stores.ErrNotFound) {
		if err = u.Create(ctx, key, data, expiry); errors.Is(err, stores.ErrExists) {
			err = u.Update(ctx, key, data, expiry)
		}
	}
	if errors.Is(err, stores.ErrNotFound) && !expiry.After(u.now()) {
		err = nil // expired on arrival: nothing to cache
	}
	return err
}

// holdsGuard reports whether the record under key begins with guard.
func (u unguarded) holdsGuard(ctx context.Context, key string, guard []byte) (bool, error) {
	data, err := u.Load(ctx, key)
	if errors.Is(err, stores.ErrNotFound) {
		return false, nil
	}
	return err == nil && bytes.HasPrefix(data, guard), err
}

func (u unguarded) SetUnless(ctx context.Context, key string, data []byte, expiry time.Time, guard []byte) (bool, error) {
	if held, err := u.holdsGuard(ctx, key, guard); held || err != nil {
		return false, err
	}
	if !expiry.After(u.now()) {
		return true, u.Delete(ctx, key)
	}
	return true, u.Set(ctx, key, data, expiry)
}

func (u unguarded) TouchUnless(ctx context.Context, key string, expiry time.Time, guard []byte) (bool, error) {
	if held, err := u.holdsGuard(ctx, key, guard); held || err != nil {
		return false, err
	}
	t, ok := u.Store.(stores.Toucher)
	if !ok {
		return true, u.Delete(ctx, key) // the next Load refills it
	}
	err := t.Touch(ctx, key, expiry)
	if errors.Is(err, stores.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}
