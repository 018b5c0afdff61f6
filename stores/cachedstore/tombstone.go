package cachedstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// The markers, as the package doc describes them. marker begins every one:
// no codec makes NUL bytes, and Create, Update and CompareAndSwap refuse
// data that begins with it, so a cached value that does is never a session.
var (
	marker    = []byte("\x00ginsession/cachedstore: ")
	tombstone = []byte("\x00ginsession/cachedstore: deleted\x00")
	unsettled = []byte("\x00ginsession/cachedstore: unsettled\x00")
)

// newMark returns a mark no other call makes.
func newMark() []byte {
	return append(bytes.Clone(marker), "mark "+rand.Text()...)
}

func isTombstone(data []byte) bool { return bytes.Equal(data, tombstone) }

func isMarker(data []byte) bool { return bytes.HasPrefix(data, marker) }

// DefaultTombstoneTTL is how long a Delete's tombstone stays in the cache
// unless WithTombstoneTTL says otherwise: six times ginsession's default
// store timeout, which bounds how late a request's cache write can come.
const DefaultTombstoneTTL = 30 * time.Second

// guarded is a cache store's writes as the store makes them: Set writes a
// record whether or not one exists; SetUnless and TouchUnless leave a record
// beginning with guard as it is, in one atomic step (redisstore's and
// redis9store's Lua script, memstore's lock), so a write's mark
// replaces no other marker, and nothing the tombstone a Delete leaves.
type guarded interface {
	Set(ctx context.Context, key string, data []byte, expiry time.Time) error
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

// Set is Update, else Create, else (a refill got there first) Update.
func (u unguarded) Set(ctx context.Context, key string, data []byte, expiry time.Time) error {
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
