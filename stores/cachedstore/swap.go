package cachedstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// unsettled starts what the cache holds while a compare-and-swap is in
// flight, or after one whose cache step could not be made: Load and Exists
// take it for a miss and ask the database, and it refuses the refill a
// Load makes (insert-only), so no older copy can take its place. Like the
// tombstone it cannot be a session's data (NUL bytes; Create, Update and
// CompareAndSwap refuse it). On its own it is the marker a failed cache
// step leaves; followed by a random nonce, one swap's own mark.
var unsettled = []byte("\x00ginsession/cachedstore: unsettled\x00")

func isUnsettled(data []byte) bool { return bytes.HasPrefix(data, unsettled) }

// newMark returns a mark no other call makes.
func newMark() []byte {
	var nonce [16]byte
	_, _ = rand.Read(nonce[:])
	return hex.AppendEncode(bytes.Clone(unsettled), nonce[:])
}

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
// (else it returns an error wrapping errors.ErrUnsupported, from every
// call): the database's CompareAndSwap decides, and its answer is returned,
// a conflict's current data included, never the cache's copy. The cache is
// marked before the database step and settled after it, as the package doc
// says, so it never ends up holding data the database has lost.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	const op = "compare and swap"
	sw, err := s.swapper(op, key)
	if err != nil {
		return nil, err
	}
	if err := checkData(op, key, data); err != nil {
		return nil, err
	}
	began := s.now()
	mark := newMark()
	marked, err := s.setUnlessBuried(ctx, began, key, mark, began.Add(s.tombstoneTTL))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("cachedstore: %s %s: %w", op, stores.Redact(key), err)
		}
		s.cacheFailed(ctx, op, key, err)
		marked = false
	}
	// A conflict leaves the mark: the caller's retry replaces it.
	if cur, err := sw.CompareAndSwap(ctx, key, old, data, expiry); err != nil {
		return cur, err
	}
	s.between(op, key)
	if marked && s.settle(ctx, began, key, mark, data, expiry) {
		return nil, nil
	}
	// Leave the unsettled marker, over anything but a tombstone, for a
	// tombstone's life. It is safe whenever it lands: at worst it sends a
	// few reads to the database.
	if _, err := s.guarded.SetUnless(ctx, key, unsettled, s.clock().Add(s.tombstoneTTL), tombstone); err != nil {
		s.log.LogAttrs(ctx, slog.LevelError, "cachedstore: changed in the database but not in the cache, which may serve the older copy until it expires",
			slog.String("op", op), slog.String("key", stores.Redact(key)), slog.Any("err", err))
	}
	return nil, nil
}

// settle replaces the call's mark with data in the cache, and reports
// whether it did or a tombstone took the mark's place (a logout won).
func (s *Store) settle(ctx context.Context, began time.Time, key string, mark, data []byte, expiry time.Time) bool {
	csw, ok := s.cache.(stores.Swapper)
	if !ok {
		return false
	}
	cctx, cancel := s.cacheContext(ctx, began)
	cur, err := csw.CompareAndSwap(cctx, key, mark, data, expiry)
	cancel()
	switch {
	case err == nil:
		return true
	case errors.Is(err, stores.ErrConflict):
		return isTombstone(cur)
	case errors.Is(err, stores.ErrNotFound):
		return false // the mark expired or was evicted
	}
	s.cacheFailed(ctx, "compare and swap", key, err)
	return false
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
	s.fence(ctx, op, key)
	if cur, err := sw.CompareAndDelete(ctx, key, old); err != nil {
		return cur, err
	}
	return nil, s.bury(ctx, op, key)
}

var _ stores.Swapper = (*Store)(nil)
