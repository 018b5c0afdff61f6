package memstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// Set stores a copy of data under key whether or not a record is there; an
// expiry already past removes the record. It is not part of stores.Store,
// whose writes are create-only or update-only; the cached_db store
// (stores/cachedstore) uses it for the tombstone a logout leaves.
func (s *Store) Set(ctx context.Context, key string, data []byte, expiry time.Time) error {
	_, err := s.setUnless(ctx, "set", key, data, expiry, nil)
	return err
}

// SetUnless is Set, except that a live record beginning with guard is left
// as it is; it reports whether it wrote (or removed). The cached_db store
// uses it so its cache writes cannot overwrite a logout's tombstone.
func (s *Store) SetUnless(ctx context.Context, key string, data []byte, expiry time.Time, guard []byte) (bool, error) {
	return s.setUnless(ctx, "set", key, data, expiry, guard)
}

// setUnless is Set with an optional guard (nil: none).
func (s *Store) setUnless(ctx context.Context, op, key string, data []byte, expiry time.Time, guard []byte) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("memstore: %s: %w", op, err)
	}
	if err := stores.CheckKey(key); err != nil {
		return false, fmt.Errorf("memstore: %s: %w", op, err)
	}
	exp := unixNano(expiry)
	now := s.now().UnixNano()
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if e, ok := sh.get(key, now); ok && guard != nil && bytes.HasPrefix(e.data, guard) {
		return false, nil
	}
	if exp <= now {
		delete(sh.m, key)
	} else {
		sh.m[key] = entry{bytes.Clone(data), exp}
	}
	return true, nil
}

// TouchUnless is Touch, except that a live record beginning with guard is
// left as it is; it reports whether it moved (or, for an expiry already
// past, removed) a record, false when there was none or it held guard.
func (s *Store) TouchUnless(ctx context.Context, key string, expiry time.Time, guard []byte) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("memstore: touch: %w", err)
	}
	exp := unixNano(expiry)
	now := s.now().UnixNano()
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.get(key, now)
	if !ok || (guard != nil && bytes.HasPrefix(e.data, guard)) {
		return false, nil
	}
	if exp <= now {
		delete(sh.m, key)
	} else {
		e.expiry = exp
		sh.m[key] = e
	}
	return true, nil
}
