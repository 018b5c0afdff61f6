package filestore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// CompareAndSwap implements stores.Swapper. It writes the new record to a
// temporary file, then, holding the record's lock (which excludes writers in
// other processes too, see the package documentation), reads the live
// record, compares its data with old and renames the new file over it. It
// returns stores.ErrNotFound when the file is missing or expired, and the
// file's data with an error wrapping stores.ErrConflict when it holds other
// data.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	const op = "compare and swap"
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("filestore: %s: %w", op, err)
	}
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("filestore: %s: %w", op, err)
	}
	tmp, err := s.writeTemp(key, data, expiry)
	if err != nil {
		return nil, s.fail(op, err)
	}
	target := s.path(key)
	cur, unlock, err := s.compare(ctx, op, key, target, old)
	if err != nil {
		_ = os.Remove(tmp)
		return cur, err
	}
	defer unlock()
	return nil, s.replace(op, tmp, target)
}

// CompareAndDelete implements stores.Swapper: holding the record's lock, it
// removes the live file if its data is old, with the results of
// CompareAndSwap.
func (s *Store) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	const op = "compare and delete"
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("filestore: %s: %w", op, err)
	}
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("filestore: %s: %w", op, err)
	}
	target := s.path(key)
	cur, unlock, err := s.compare(ctx, op, key, target, old)
	if err != nil {
		return cur, err
	}
	defer unlock()
	if err := os.Remove(target); err != nil {
		return nil, s.fail(op, err)
	}
	return nil, nil
}

// compare locks the live record at path and checks that its data is old;
// it returns the unlock function when it is, and the data with an error
// wrapping stores.ErrConflict when it is not.
func (s *Store) compare(ctx context.Context, op, key, path string, old []byte) ([]byte, func(), error) {
	h, unlock, err := s.lockLive(ctx, op, key, path)
	if err != nil {
		return nil, nil, err
	}
	cur, err := h.data(path)
	if err != nil {
		unlock()
		return nil, nil, s.fail(op, err)
	}
	if !bytes.Equal(cur, old) {
		unlock()
		return cur, nil, fmt.Errorf("filestore: %s %s: %w", op, stores.Redact(key), stores.ErrConflict)
	}
	if s.swapped != nil {
		s.swapped()
	}
	return nil, unlock, nil
}

var _ stores.Swapper = (*Store)(nil)
