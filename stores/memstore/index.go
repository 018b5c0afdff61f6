package memstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// userIndex is the store's per-user index: for each user, the entries of
// their sessions by key. One lock is enough: only logins, logouts, key
// changes and the activity writes the middleware spaces out reach it.
type userIndex struct {
	mu    sync.Mutex
	users map[string]map[string]stores.IndexEntry
}

// CheckIndex implements stores.Indexer: the index is always on.
func (s *Store) CheckIndex() error { return nil }

// indexed runs f on userID's entries (an empty map for a user without any)
// under the index lock, after checking the arguments; a user left without
// entries is dropped.
func (s *Store) indexed(ctx context.Context, op, userID string, keys []string, f func(m map[string]stores.IndexEntry) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: index %s: %w", op, err)
	}
	if err := stores.CheckIndexUser(userID); err != nil {
		return fmt.Errorf("memstore: index %s: %w", op, err)
	}
	for _, k := range keys {
		if err := stores.CheckKey(k); err != nil {
			return fmt.Errorf("memstore: index %s: %w", op, err)
		}
	}
	ix := &s.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.users == nil {
		ix.users = make(map[string]map[string]stores.IndexEntry)
	}
	m := ix.users[userID]
	if m == nil {
		m = make(map[string]stores.IndexEntry)
		ix.users[userID] = m
	}
	err := f(m)
	if len(m) == 0 {
		delete(ix.users, userID)
	}
	return err
}

// IndexAdd implements stores.Indexer.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	return s.indexed(ctx, "add", userID, []string{e.Key}, func(m map[string]stores.IndexEntry) error {
		m[e.Key] = e
		return nil
	})
}

// IndexAddLimited implements stores.Indexer under the index's lock,
// which every index write of this store takes: the count and the add are
// one step.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) (evicted []string, err error) {
	err = s.indexed(ctx, "add", userID, []string{e.Key}, func(m map[string]stores.IndexEntry) (err error) {
		if evicted, err = stores.OverLimit(s.prune(m), e.Key, max, evict); err != nil {
			return err
		}
		for _, k := range evicted {
			delete(m, k)
		}
		m[e.Key] = e
		return nil
	})
	return evicted, err
}

// IndexTouch implements stores.Indexer.
func (s *Store) IndexTouch(ctx context.Context, userID, key string, lastActive, expiry time.Time) error {
	return s.move(ctx, "touch", userID, key, key, lastActive, expiry)
}

// IndexMove implements stores.Indexer.
func (s *Store) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, expiry time.Time) error {
	return s.move(ctx, "move", userID, oldKey, newKey, lastActive, expiry)
}

func (s *Store) move(ctx context.Context, op, userID, oldKey, newKey string, lastActive, expiry time.Time) error {
	return s.indexed(ctx, op, userID, []string{oldKey, newKey}, func(m map[string]stores.IndexEntry) error {
		e, ok := m[oldKey]
		if !ok {
			return stores.ErrNotFound
		}
		delete(m, oldKey)
		e.Key, e.LastActive = newKey, lastActive
		if expiry.After(e.Expiry) {
			e.Expiry = expiry
		}
		m[newKey] = e
		return nil
	})
}

// IndexRemove implements stores.Indexer.
func (s *Store) IndexRemove(ctx context.Context, userID string, keys ...string) error {
	return s.indexed(ctx, "remove", userID, keys, func(m map[string]stores.IndexEntry) error {
		for _, k := range keys {
			delete(m, k)
		}
		return nil
	})
}

// IndexList implements stores.Indexer: entries whose record is gone or
// expired are dropped.
func (s *Store) IndexList(ctx context.Context, userID string) (live []stores.IndexEntry, err error) {
	err = s.indexed(ctx, "list", userID, nil, func(m map[string]stores.IndexEntry) error {
		live = s.prune(m)
		return nil
	})
	return live, err
}

// prune drops the entries of m whose record is not live and returns the
// others. The index lock is held; each record's shard lock is taken in
// turn, never the other way round.
func (s *Store) prune(m map[string]stores.IndexEntry) []stores.IndexEntry {
	var live []stores.IndexEntry
	for k, e := range m {
		if !s.live(k) {
			delete(m, k)
		} else {
			live = append(live, e)
		}
	}
	return live
}

// clearIndex drops the entries of every record that is gone, for
// ClearExpired.
func (s *Store) clearIndex() {
	ix := &s.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for u, m := range ix.users {
		if s.prune(m); len(m) == 0 {
			delete(ix.users, u)
		}
	}
}

var _ stores.Indexer = (*Store)(nil)
