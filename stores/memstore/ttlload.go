package memstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// LoadWithTTL implements stores.TTLLoader: Load, with the time from the
// store's clock to the record's expiry (to the nanosecond), read under the
// same lock.
func (s *Store) LoadWithTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("memstore: load: %w", err)
	}
	now := s.now().UnixNano()
	sh := s.shard(key)
	sh.mu.RLock()
	e, ok := sh.get(key, now)
	sh.mu.RUnlock()
	if !ok {
		return nil, 0, missing("load", key, stores.ErrNotFound)
	}
	return bytes.Clone(e.data), time.Duration(e.expiry - now), nil
}

var _ stores.TTLLoader = (*Store)(nil)
