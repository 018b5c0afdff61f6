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
	return s.load(ctx, key, false)
}

var _ stores.TTLLoader = (*Store)(nil)

// sharedFrom is the size from which a record's data array is immutable
// (see reuse) and LoadShared hands it out instead of a copy. Below it a
// copy costs less than the allocation an immutable array makes every write
// pay.
const sharedFrom = 1024

// LoadShared implements stores.SharedLoad: LoadWithTTL without the copy
// for data of sharedFrom bytes or more. The slice must not be written to.
func (s *Store) LoadShared(ctx context.Context, key string) ([]byte, time.Duration, error) {
	return s.load(ctx, key, true)
}

var _ stores.SharedLoad = (*Store)(nil)

// load is LoadWithTTL, and LoadShared when share is set.
func (s *Store) load(ctx context.Context, key string, share bool) ([]byte, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("memstore: load: %w", err)
	}
	now := s.now().UnixNano()
	sh := s.shard(key)
	sh.mu.RLock()
	r := sh.m[key]
	if r == nil || r.expiry <= now {
		sh.mu.RUnlock()
		return nil, 0, missing("load", key, stores.ErrNotFound)
	}
	// Copied under the lock, unless shared: Update may reuse the array of
	// data under sharedFrom bytes.
	out, exp := r.bytes(), r.expiry
	if !share || cap(out) < sharedFrom {
		out = bytes.Clone(out)
	}
	if share {
		out = out[:len(out):len(out)]
	}
	sh.mu.RUnlock()
	return out, time.Duration(exp - now), nil
}
