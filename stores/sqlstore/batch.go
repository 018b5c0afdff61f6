package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/ginsession/ginsession/stores"
)

// batchKeys is how many keys one statement of DeleteMany or IndexRemove
// deletes, so that ending thousands of sessions takes tens of statements
// within one store timeout, not thousands.
const batchKeys = 100

// batches splits keys into the arguments of statements that take
// batchKeys of them, after args; the last repeats its last key to fill.
func batches(keys []string, args ...any) (out [][]any) {
	for len(keys) > 0 {
		n := min(len(keys), batchKeys)
		batch := append([]any(nil), args...)
		for i := range batchKeys {
			batch = append(batch, keys[min(i, n-1)])
		}
		out, keys = append(out, batch), keys[n:]
	}
	return out
}

// execBatches runs o once per batch of keys, with args before them.
func (s *Store) execBatches(ctx context.Context, o op, keys []string, args ...any) error {
	for _, b := range batches(keys, args...) {
		if _, err := s.exec(ctx, o, b...); err != nil {
			return err
		}
	}
	return nil
}

// DeleteMany deletes the records under keys, as Delete does each, with one
// statement per 100 keys: auth.EndOtherSessions and EndUserSessions use it
// to end a user's many sessions within one store timeout. A missing record
// is not an error.
func (s *Store) DeleteMany(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if err := stores.CheckKey(k); err != nil {
			return fmt.Errorf("sqlstore: delete: %w", err)
		}
	}
	if err := s.execBatches(ctx, opDeleteMany, keys); err != nil {
		return fmt.Errorf("sqlstore: delete %d sessions: %w", len(keys), err)
	}
	var errs []error
	for _, k := range keys {
		errs = append(errs, s.dropDjangoCache(ctx, "delete", k))
	}
	return errors.Join(errs...)
}
