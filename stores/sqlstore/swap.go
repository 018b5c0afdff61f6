package sqlstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// CompareAndSwap implements stores.Swapper with one UPDATE of the live row
// whose session_data is, byte for byte, what old is stored as (see the
// package doc's Conditional writes).
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("sqlstore: compare and swap: %w", err)
	}
	stored := storedForm(data)
	cur, err := s.compare(ctx, key, old, stored, opSwap, s.dataArg(stored), s.timeArg(expiry))
	return cur, s.written(ctx, "compare and swap", key, err)
}

// CompareAndDelete implements stores.Swapper with one DELETE of the live
// row whose session_data is what old is stored as, and the SELECT of
// CompareAndSwap when it deletes nothing.
func (s *Store) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("sqlstore: compare and delete: %w", err)
	}
	cur, err := s.compare(ctx, key, old, nil, opCompareDelete)
	return cur, s.written(ctx, "compare and delete", key, err)
}

// compare runs o, a conditional statement of args followed by the key, the
// current time and the stored form of the data expected, and reads its
// outcome. When o changes no row it reads the row:
//
//   - none live: stores.ErrNotFound;
//   - other data: that data and stores.ErrConflict;
//   - old, and already stored as written (stored, nil for a delete):
//     MySQL's count of an unchanged row, a success;
//   - old, in another form than storedForm's (a row written by hand or by
//     another tool holding old verbatim) or put back between the two
//     statements: write once more, against the form the row holds, and
//     report a conflict with old as the current data if that changes
//     nothing either.
func (s *Store) compare(ctx context.Context, key string, old, stored []byte, o op, args ...any) ([]byte, error) {
	want := storedForm(old)
	for attempt := 0; ; attempt++ {
		now := s.timeArg(s.now())
		n, err := s.exec(ctx, o, slices.Concat(args, []any{key, now, s.dataArg(want)})...)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, nil
		}
		raw, cur, _, err := s.loadStored(ctx, key, now)
		if err != nil {
			return nil, err // stores.ErrNotFound for an unreadable row, as for Load
		}
		switch {
		case !bytes.Equal(cur, old):
			return cur, stores.ErrConflict
		case s.dialect == MySQL && stored != nil && bytes.Equal(raw, stored):
			return nil, nil
		case attempt == 1:
			return cur, stores.ErrConflict
		}
		want = raw
	}
}
