package filestore

import (
	"context"
	"path/filepath"

	"github.com/ginsession/ginsession/stores"
)

// IndexAddLimited implements stores.LimitedIndexer under the user's index
// lock, which every index write of this store takes. The lock is this
// process's: processes sharing one directory are not capped together.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	if err := s.checkIndexArgs(ctx, "add", userID, e.Key); err != nil {
		return nil, err
	}
	mu := s.indexLock(userID)
	mu.Lock()
	defer mu.Unlock()
	live, err := s.pruneUser(userID, s.userDir(userID))
	if err != nil {
		return nil, s.indexFail("index add", err)
	}
	evicted, err := stores.OverLimit(live, e.Key, max, evict)
	if err != nil {
		return nil, err
	}
	for _, k := range evicted {
		if err := removeMissingOK(filepath.Join(s.userDir(userID), k)); err != nil {
			return nil, s.indexFail("index add", err)
		}
	}
	f := indexFile{User: userID, Created: e.Created.UnixMicro(), Active: e.LastActive.UnixMicro(), UserAgent: e.UserAgent, IP: e.IP, Backend: e.Backend}
	if err := s.writeEntry(userID, e.Key, f); err != nil {
		return nil, s.indexFail("index add", err)
	}
	return evicted, nil
}

var _ stores.LimitedIndexer = (*Store)(nil)
