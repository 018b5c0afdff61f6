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

// IndexAdd implements stores.Indexer.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	if err := checkIndexArgs(ctx, "add", userID, e.Key); err != nil {
		return err
	}
	ix := &s.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	m := ix.userLocked(userID)
	m[e.Key] = e
	return nil
}

// IndexTouch implements stores.Indexer.
func (s *Store) IndexTouch(ctx context.Context, userID, key string, lastActive, expiry time.Time) error {
	if err := checkIndexArgs(ctx, "touch", userID, key); err != nil {
		return err
	}
	ix := &s.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.users[userID][key]
	if !ok {
		return missing("index touch", key, stores.ErrNotFound)
	}
	ix.users[userID][key] = touched(e, lastActive, expiry)
	return nil
}

// IndexMove implements stores.Indexer.
func (s *Store) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, expiry time.Time) error {
	if err := checkIndexArgs(ctx, "move", userID, oldKey, newKey); err != nil {
		return err
	}
	ix := &s.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	m := ix.users[userID]
	e, ok := m[oldKey]
	if !ok {
		return missing("index move", oldKey, stores.ErrNotFound)
	}
	delete(m, oldKey)
	e.Key = newKey
	m[newKey] = touched(e, lastActive, expiry)
	return nil
}

func touched(e stores.IndexEntry, lastActive, expiry time.Time) stores.IndexEntry {
	e.LastActive = lastActive
	if expiry.After(e.Expiry) {
		e.Expiry = expiry
	}
	return e
}

// IndexRemove implements stores.Indexer.
func (s *Store) IndexRemove(ctx context.Context, userID string, keys ...string) error {
	if err := checkIndexArgs(ctx, "remove", userID, keys...); err != nil {
		return err
	}
	ix := &s.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	m := ix.users[userID]
	for _, k := range keys {
		delete(m, k)
	}
	if len(m) == 0 {
		delete(ix.users, userID)
	}
	return nil
}

// IndexList implements stores.Indexer: entries whose record is gone or
// expired are dropped.
func (s *Store) IndexList(ctx context.Context, userID string) ([]stores.IndexEntry, error) {
	if err := checkIndexArgs(ctx, "list", userID); err != nil {
		return nil, err
	}
	ix := &s.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return s.pruneLocked(userID), nil
}

// pruneLocked drops userID's dead entries and returns the live ones. The
// index lock is held; each record's shard lock is taken in turn, never the
// other way round.
func (s *Store) pruneLocked(userID string) []stores.IndexEntry {
	m := s.index.users[userID]
	var out []stores.IndexEntry
	for k, e := range m {
		if !s.live(k) {
			delete(m, k)
			continue
		}
		out = append(out, e)
	}
	if len(m) == 0 {
		delete(s.index.users, userID)
	}
	return out
}

// clearIndex drops the entries of every record that is gone, for
// ClearExpired.
func (s *Store) clearIndex() {
	ix := &s.index
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for u := range ix.users {
		s.pruneLocked(u)
	}
}

func checkIndexArgs(ctx context.Context, op, userID string, keys ...string) error {
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
	return nil
}

var _ stores.Indexer = (*Store)(nil)

// userLocked returns the user's entries, made on first use. ix.mu is held.
func (ix *userIndex) userLocked(userID string) map[string]stores.IndexEntry {
	if ix.users == nil {
		ix.users = make(map[string]map[string]stores.IndexEntry)
	}
	m := ix.users[userID]
	if m == nil {
		m = make(map[string]stores.IndexEntry)
		ix.users[userID] = m
	}
	return m
}
