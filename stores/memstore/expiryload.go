package memstore

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// LoadWithExpiry implements stores.ExpiryLoader: Load, with the expiry the
// record holds (to the nanosecond), read under the same lock.
func (s *Store) LoadWithExpiry(ctx context.Context, key string) ([]byte, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, fmt.Errorf("memstore: load: %w", err)
	}
	now := s.now().UnixNano()
	sh := s.shard(key)
	sh.mu.RLock()
	r := sh.m[key]
	if r == nil || r.expiry <= now {
		sh.mu.RUnlock()
		return nil, time.Time{}, missing("load", key, stores.ErrNotFound)
	}
	out, exp := bytes.Clone(r.data), r.expiry
	sh.mu.RUnlock()
	return out, time.Unix(0, exp), nil
}

var _ stores.ExpiryLoader = (*Store)(nil)
