package cachedstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// swapper returns the database store as a stores.Swapper, or an error
// wrapping errors.ErrUnsupported when it is not one.
func (s *Store) swapper(op, key string) (stores.Swapper, error) {
	sw, ok := s.db.(stores.Swapper)
	if !ok {
		return nil, fmt.Errorf("cachedstore: %s: the database store %T is not a stores.Swapper: %w", op, s.db, errors.ErrUnsupported)
	}
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("cachedstore: %s: %w", op, err)
	}
	return sw, nil
}

// CompareAndSwap implements stores.Swapper when the database store does
// (else it returns an error wrapping errors.ErrUnsupported): the database's
// CompareAndSwap decides, and its answer is returned, never the cache's
// copy, between the cache's mark and the new data in its place.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	const op = "compare and swap"
	sw, err := s.swapper(op, key)
	if err != nil {
		return nil, err
	}
	return s.through(ctx, op, key, data, expiry, func() ([]byte, error) {
		return sw.CompareAndSwap(ctx, key, old, data, expiry)
	})
}

// CompareAndDelete implements stores.Swapper when the database store does,
// as CompareAndSwap does: the database's CompareAndDelete decides, and a
// deletion leaves a tombstone in the cache, as Delete does.
func (s *Store) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	const op = "compare and delete"
	sw, err := s.swapper(op, key)
	if err != nil {
		return nil, err
	}
	return s.buryAfter(ctx, op, key, func() ([]byte, error) { return sw.CompareAndDelete(ctx, key, old) })
}

var _ stores.Swapper = (*Store)(nil)
