package cachedstore

import (
	"context"
	"fmt"

	"github.com/ginsession/ginsession/stores"
)

// IndexAddLimited implements stores.LimitedIndexer on the database's
// index, which counts the database's records: the truth (see IndexList).
// The caller deletes the evicted sessions through this store's Delete, so
// the cache forgets them too.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	ix, err := s.indexer()
	if err != nil {
		return nil, err
	}
	lx, ok := ix.(stores.LimitedIndexer)
	if !ok {
		return nil, fmt.Errorf("cachedstore: the database store %T cannot cap a user's sessions: %w", s.db, stores.ErrNoIndex)
	}
	return lx.IndexAddLimited(ctx, userID, e, max, evict)
}

var _ stores.LimitedIndexer = (*Store)(nil)
