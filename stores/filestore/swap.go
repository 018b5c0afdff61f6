package filestore

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// CompareAndSwap implements stores.Swapper: it writes the new record to a
// temporary file and, holding the record's lock, renames it over the live
// record if that holds old. It returns stores.ErrNotFound when the file is
// missing or expired, and the file's data with an error wrapping
// stores.ErrConflict when it holds other data.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) (cur []byte, err error) {
	err = s.replaceLive(ctx, "compare and swap", key, data, expiry, s.compare("compare and swap", key, old, &cur))
	return cur, err
}

// CompareAndDelete implements stores.Swapper: holding the record's lock, it
// removes the live file if its data is old, with the results of
// CompareAndSwap.
func (s *Store) CompareAndDelete(ctx context.Context, key string, old []byte) (cur []byte, err error) {
	const op = "compare and delete"
	same := s.compare(op, key, old, &cur)
	err = s.withLive(ctx, op, key, func(h *held) error {
		if err := same(h); err != nil {
			return err
		}
		return s.fail(op, os.Remove(s.path(key)))
	})
	return cur, err
}

// compare returns the check that the locked record h holds old, which sets
// *cur to the record's data and returns an error wrapping
// stores.ErrConflict when it does not.
func (s *Store) compare(op, key string, old []byte, cur *[]byte) func(h *held) error {
	return func(h *held) error {
		data, err := h.data(s.path(key))
		if err != nil {
			return s.fail(op, err)
		}
		if !bytes.Equal(data, old) {
			*cur = data
			return fmt.Errorf("filestore: %s %s: %w", op, stores.Redact(key), stores.ErrConflict)
		}
		if s.swapped != nil {
			s.swapped()
		}
		return nil
	}
}

var _ stores.Swapper = (*Store)(nil)
