package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// CheckIndex implements stores.Indexer: the index is always on.
func (s *Store) CheckIndex() error { return nil }

// indexed runs f on userID's entries (an empty map for a user without any)
// with the store locked, after checking the arguments; a user left without
// entries is dropped. f gets the current time too.
func (s *Store) indexed(ctx context.Context, op, userID string, keys []string, f func(m map[string]stores.IndexEntry, now int64) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: index %s: %w", op, err)
	}
	if err := stores.CheckIndexUser(userID, keys...); err != nil {
		return fmt.Errorf("memstore: index %s: %w", op, err)
	}
	now := s.now().UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.users[userID]
	if m == nil {
		m = make(map[string]stores.IndexEntry)
		s.users[userID] = m
	}
	err := f(m, now)
	if len(m) == 0 {
		delete(s.users, userID)
	}
	return err
}

// IndexAdd implements stores.Indexer.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	return s.indexed(ctx, "add", userID, []string{e.Key}, func(m map[string]stores.IndexEntry, _ int64) error {
		m[e.Key] = e
		return nil
	})
}

// IndexAddLimited implements stores.Indexer under the store's lock: the
// count and the add are one step.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) (evicted []string, err error) {
	err = s.indexed(ctx, "add", userID, []string{e.Key}, func(m map[string]stores.IndexEntry, now int64) (err error) {
		if evicted, err = stores.OverLimit(s.prune(m, now), e.Key, max, evict); err != nil {
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
	return s.indexed(ctx, op, userID, []string{oldKey, newKey}, func(m map[string]stores.IndexEntry, _ int64) error {
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
	return s.indexed(ctx, "remove", userID, keys, func(m map[string]stores.IndexEntry, _ int64) error {
		for _, k := range keys {
			delete(m, k)
		}
		return nil
	})
}

// IndexList implements stores.Indexer: entries whose record is gone or
// expired are dropped.
func (s *Store) IndexList(ctx context.Context, userID string) (live []stores.IndexEntry, err error) {
	err = s.indexed(ctx, "list", userID, nil, func(m map[string]stores.IndexEntry, now int64) error {
		live = s.prune(m, now)
		return nil
	})
	return live, err
}

// prune drops the entries of m whose record is not live at now and returns
// the others. s.mu is held.
func (s *Store) prune(m map[string]stores.IndexEntry, now int64) []stores.IndexEntry {
	var live []stores.IndexEntry
	for k, e := range m {
		if !s.live(k, now) {
			delete(m, k)
		} else {
			live = append(live, e)
		}
	}
	return live
}

var _ stores.Indexer = (*Store)(nil)
