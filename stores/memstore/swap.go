package memstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// CompareAndSwap replaces the data and expiry of the live record under key
// with a copy of data if its data is still old, under the shard's lock. It
// returns stores.ErrNotFound when there is no live record and, when the
// record holds other data, a copy of that data with an error wrapping
// stores.ErrConflict.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: compare and swap: %w", err)
	}
	e := entry{bytes.Clone(data), unixNano(expiry)}
	cur, err := s.compare(key, old, func(sh *shard) { sh.m[key] = e })
	return swapResult("compare and swap", key, cur, err)
}

// CompareAndDelete removes the live record under key if its data is still
// old, with the results of CompareAndSwap.
func (s *Store) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("memstore: compare and delete: %w", err)
	}
	cur, err := s.compare(key, old, func(sh *shard) { delete(sh.m, key) })
	return swapResult("compare and delete", key, cur, err)
}

// compare applies f to the live record under key with its shard locked if
// the record's data is old. When it is not, it returns a copy of the data
// and stores.ErrConflict; when there is no live record, stores.ErrNotFound.
func (s *Store) compare(key string, old []byte, f func(*shard)) ([]byte, error) {
	sh := s.shard(key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	e, ok := sh.get(key, s.now().UnixNano())
	if !ok {
		return nil, stores.ErrNotFound
	}
	if !bytes.Equal(e.data, old) {
		return bytes.Clone(e.data), stores.ErrConflict
	}
	f(sh)
	return nil, nil
}

// swapResult wraps compare's outcome: a conflict names the operation and
// the redacted key, a miss is reported as missing reports it.
func swapResult(op, key string, cur []byte, err error) ([]byte, error) {
	switch err {
	case nil:
		return nil, nil
	case stores.ErrConflict:
		return cur, fmt.Errorf("memstore: %s %s: %w", op, stores.Redact(key), err)
	default:
		return nil, missing(op, key, err)
	}
}

var _ stores.Swapper = (*Store)(nil)
