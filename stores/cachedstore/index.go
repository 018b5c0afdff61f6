package cachedstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// The per-user index lives on the database store, like the records it
// lists: the database holds every live session (writes reach it before the
// cache), so its listing, which checks each entry against its own records,
// is the truth. Ending a listed session goes through this store's Delete,
// which also leaves the cache's tombstone. The cache holds no index.

// indexer returns the database's index, or why there is none.
func (s *Store) indexer() (stores.Indexer, error) {
	ix, ok := s.db.(stores.Indexer)
	if !ok {
		return nil, fmt.Errorf("cachedstore: the database store %T keeps no per-user index: %w", s.db, stores.ErrNoIndex)
	}
	if err := ix.CheckIndex(); err != nil {
		return nil, fmt.Errorf("cachedstore: %w", err)
	}
	return ix, nil
}

// CheckIndex implements stores.Indexer: the database's index must be on
// (sqlstore.WithIndexTable).
func (s *Store) CheckIndex() error {
	_, err := s.indexer()
	return err
}

// IndexAdd implements stores.Indexer on the database's index.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	ix, err := s.indexer()
	if err != nil {
		return err
	}
	return ix.IndexAdd(ctx, userID, e)
}

// IndexAddLimited implements stores.Indexer on the database's
// index, which counts the database's records. The caller deletes the
// evicted sessions through this store's Delete, so the cache forgets them
// too.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	ix, err := s.indexer()
	if err != nil {
		return nil, err
	}
	return ix.IndexAddLimited(ctx, userID, e, max, evict)
}

// IndexTouch implements stores.Indexer on the database's index.
func (s *Store) IndexTouch(ctx context.Context, userID, key string, lastActive, expiry time.Time) error {
	ix, err := s.indexer()
	if err != nil {
		return err
	}
	return ix.IndexTouch(ctx, userID, key, lastActive, expiry)
}

// IndexMove implements stores.Indexer on the database's index.
func (s *Store) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, expiry time.Time) error {
	ix, err := s.indexer()
	if err != nil {
		return err
	}
	return ix.IndexMove(ctx, userID, oldKey, newKey, lastActive, expiry)
}

// IndexRemove implements stores.Indexer on the database's index.
func (s *Store) IndexRemove(ctx context.Context, userID string, keys ...string) error {
	ix, err := s.indexer()
	if err != nil {
		return err
	}
	return ix.IndexRemove(ctx, userID, keys...)
}

// IndexList implements stores.Indexer on the database's index.
func (s *Store) IndexList(ctx context.Context, userID string) ([]stores.IndexEntry, error) {
	ix, err := s.indexer()
	if err != nil {
		return nil, err
	}
	return ix.IndexList(ctx, userID)
}

var _ stores.Indexer = (*Store)(nil)
