package memstore

import (
	"context"

	"github.com/ginsession/ginsession/stores"
)

// IndexAddLimited implements stores.LimitedIndexer under the index's lock,
// which every index write of this store takes: the count and the add are
// one step.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	if err := checkIndexArgs(ctx, "add", userID, e.Key); err != nil {
		return nil, err
	}
	ix := &s.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	evicted, err := stores.OverLimit(s.pruneLocked(userID), e.Key, max, evict)
	if err != nil {
		return nil, err
	}
	m := ix.userLocked(userID)
	for _, k := range evicted {
		delete(m, k)
	}
	m[e.Key] = e
	return evicted, nil
}

var _ stores.LimitedIndexer = (*Store)(nil)
