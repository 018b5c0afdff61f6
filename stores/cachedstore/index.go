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
// is the truth. The Store's stores.Indexer methods are the database's own,
// which New embeds (or noIndex's). Ending a listed session, or one that
// IndexAddLimited evicted, goes through the Store's Delete, which also
// leaves the cache's tombstone. The cache holds no index.

// index is the database's index as the Store embeds it.
type index = stores.Indexer

// indexOf returns db's index, or a noIndex saying why there is none.
func indexOf(db stores.Store) index {
	ix, ok := db.(stores.Indexer)
	if !ok {
		return noIndex{fmt.Errorf("cachedstore: the database store %T keeps no per-user index: %w", db, stores.ErrNoIndex)}
	}
	if err := ix.CheckIndex(); err != nil {
		return noIndex{fmt.Errorf("cachedstore: %w", err)}
	}
	return ix
}

// noIndex is the index of a database store that keeps none, or has it off
// (sqlstore without WithIndexTable): every method returns err.
type noIndex struct{ err error }

func (n noIndex) CheckIndex() error                                         { return n.err }
func (n noIndex) IndexAdd(context.Context, string, stores.IndexEntry) error { return n.err }
func (n noIndex) IndexRemove(context.Context, string, ...string) error      { return n.err }
func (n noIndex) IndexTouch(context.Context, string, string, time.Time, time.Time) error {
	return n.err
}
func (n noIndex) IndexMove(context.Context, string, string, string, time.Time, time.Time) error {
	return n.err
}
func (n noIndex) IndexList(context.Context, string) ([]stores.IndexEntry, error) { return nil, n.err }
func (n noIndex) IndexAddLimited(context.Context, string, stores.IndexEntry, int, bool) ([]string, error) {
	return nil, n.err
}

var _ stores.Indexer = (*Store)(nil)
