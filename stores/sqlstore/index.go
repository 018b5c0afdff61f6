package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ginsession/ginsession/internal/sessionindex"
	"github.com/ginsession/ginsession/stores"
)

// DefaultIndexTable is the conventional name of the index table beside
// Django's django_session.
const DefaultIndexTable = "ginsession_user_session"

// WithIndexTable turns on the per-user index (stores.Indexer), kept in
// the named table: user id, session key, login time, last activity, user
// agent, IP and auth backend of each logged-in session. CreateTable
// creates it (see IndexSchema for the DDL). Optional. Default value is no
// index: the Indexer methods then fail with an error wrapping
// stores.ErrNoIndex, and ginsession.WithUserIndex refuses the store.
func WithIndexTable(name string) Option {
	return func(s *Store) error {
		s.indexTable = name
		return checkName("WithIndexTable", name)
	}
}

// IndexTable returns the name of the index table, "" when the index is off.
func (s *Store) IndexTable() string { return s.indexTable }

// errIndexOff is what the index methods return when WithIndexTable was
// not given.
var errIndexOff = fmt.Errorf("sqlstore: the per-user index is off: pass sqlstore.WithIndexTable(sqlstore.DefaultIndexTable) to sqlstore.New and run CreateTable: %w", stores.ErrNoIndex)

// CheckIndex implements stores.Indexer: the index is on once
// WithIndexTable names its table.
func (s *Store) CheckIndex() error {
	if s.indexTable == "" {
		return errIndexOff
	}
	return nil
}

func (s *Store) checkIndexArgs(op, userID string, keys ...string) error {
	if s.indexTable == "" {
		return errIndexOff
	}
	if err := stores.CheckIndexUser(userID, keys...); err != nil {
		return fmt.Errorf("sqlstore: index %s: %w", op, err)
	}
	return nil
}

func (s *Store) entryArgs(userID string, e stores.IndexEntry) []any {
	return []any{userID, e.Key, s.timeArg(e.Created), s.timeArg(e.LastActive), e.UserAgent, e.IP, e.Backend}
}

// IndexAdd implements stores.Indexer with one upsert.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	if err := s.checkIndexArgs("add", userID, e.Key); err != nil {
		return err
	}
	_, err := s.exec(ctx, opIndexAdd, s.entryArgs(userID, e)...)
	return indexErr("add", e.Key, err)
}

// indexErr wraps the error of the index operation op on key, if any.
func indexErr(op, key string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlstore: index %s %s: %w", op, stores.Redact(key), err)
}

// IndexTouch implements stores.Indexer with one UPDATE. The table keeps
// no expiry: a listing reads the session row's own.
func (s *Store) IndexTouch(ctx context.Context, userID, key string, lastActive, _ time.Time) error {
	if err := s.checkIndexArgs("touch", userID, key); err != nil {
		return err
	}
	n, err := s.exec(ctx, opIndexTouch, s.timeArg(lastActive), userID, key)
	return indexErr("touch", key, s.gone(ctx, n, err, opIndexHas, userID, key))
}

// IndexMove implements stores.Indexer with one UPDATE of the key.
func (s *Store) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, _ time.Time) error {
	if err := s.checkIndexArgs("move", userID, oldKey, newKey); err != nil {
		return err
	}
	n, err := s.exec(ctx, opIndexMove, newKey, s.timeArg(lastActive), userID, oldKey)
	if err == nil && n == 0 && oldKey != newKey {
		err = stores.ErrNotFound
	}
	return indexErr("move", oldKey, err)
}

// IndexRemove implements stores.Indexer with one DELETE per 100 keys.
func (s *Store) IndexRemove(ctx context.Context, userID string, keys ...string) error {
	if err := s.checkIndexArgs("remove", userID, keys...); err != nil {
		return err
	}
	if err := s.execBatches(ctx, opIndexRemove, keys, userID); err != nil {
		return fmt.Errorf("sqlstore: index remove %d sessions: %w", len(keys), err)
	}
	return nil
}

// IndexList implements stores.Indexer with one SELECT joined to the
// session table, and IndexRemove's DELETEs of entries whose row is gone or
// expired.
func (s *Store) IndexList(ctx context.Context, userID string) ([]stores.IndexEntry, error) {
	if err := s.checkIndexArgs("list", userID); err != nil {
		return nil, err
	}
	live, dead, err := s.indexList(ctx, nil, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: index list: %w", err)
	}
	if err := s.IndexRemove(ctx, userID, dead...); err != nil {
		return nil, err
	}
	return live, nil
}

// indexList reads userID's entries, in tx when there is one: the live
// entries, and the keys of the dead ones.
func (s *Store) indexList(ctx context.Context, tx *sql.Tx, userID string) (live []stores.IndexEntry, dead []string, err error) {
	err = s.query(ctx, tx, opIndexList, []any{s.timeArg(s.now()), userID}, func(r *sql.Rows) error {
		var e stores.IndexEntry
		created, active := s.timeScanner(), s.timeScanner()
		var isLive int
		if err := r.Scan(&e.Key, created, active, &e.UserAgent, &e.IP, &e.Backend, &isLive); err != nil {
			return err
		}
		e.Created, e.LastActive = created.t, active.t
		if isLive == 1 && stores.ValidKey(e.Key) {
			live = append(live, e)
		} else if stores.ValidKey(e.Key) {
			dead = append(dead, e.Key)
		}
		return nil
	})
	return live, dead, err
}

// The cap on a user's sessions is counted in a transaction that first locks
// a row of the user's own: an index row with an empty session key (never
// a valid key, so nothing lists it, and ClearExpired's purge of dead entries
// removes it like any other). Concurrent capped adds for one user queue on
// that row lock, and at READ COMMITTED each then counts what the one before
// it committed. SQLite, which runs one writer at a time, needs no row lock:
// the transaction's first write takes the database's.

// limitAttempts bounds the retries of a capped add that the database
// chose as a deadlock's victim (two first logins creating the lock row).
const limitAttempts = 10

// IndexAddLimited implements stores.Indexer in one transaction.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	if err := s.checkIndexArgs("add", userID, e.Key); err != nil {
		return nil, err
	}
	if max < 1 {
		return nil, fmt.Errorf("sqlstore: index add: a limit of %d sessions admits nobody", max)
	}
	if s.writes != nil {
		if err := s.writes.enter(ctx); err != nil {
			return nil, indexErr("add", e.Key, err)
		}
		defer s.writes.leave()
	}
	for attempt := 1; ; attempt++ {
		evicted, err := s.addLimited(ctx, userID, e, max, evict)
		if err == nil {
			return evicted, nil
		}
		if errors.Is(err, stores.ErrSessionLimit) || attempt == limitAttempts || !isDeadlock(err) || ctx.Err() != nil {
			return nil, indexErr("add", e.Key, err)
		}
	}
}

// isDeadlock reports whether err is a database's deadlock or serialization
// failure (MySQL 1213, PostgreSQL 40P01 and 40001), which a retry resolves.
func isDeadlock(err error) bool {
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "deadlock") || strings.Contains(m, "40p01") || strings.Contains(m, "40001") ||
		strings.Contains(m, "could not serialize")
}

func (s *Store) addLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) (evicted []string, err error) {
	// READ COMMITTED where the database has it, so that the count after
	// the lock sees every capped add committed before it.
	level := sql.LevelReadCommitted
	if s.dialect == SQLite {
		level = sql.LevelDefault
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: level})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := s.lockUser(ctx, tx, userID); err != nil {
		return nil, err
	}
	live, _, err := s.indexList(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	if evicted, err = stores.OverLimit(live, e.Key, max, evict); err != nil {
		return nil, err
	}
	for _, b := range batches(evicted, userID) {
		if _, err := tx.ExecContext(ctx, s.queries[opIndexRemove], b...); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, s.queries[opIndexAdd], s.entryArgs(userID, e)...); err != nil {
		return nil, err
	}
	return evicted, tx.Commit()
}

// lockUser takes userID's lock row in tx, creating it the first time.
func (s *Store) lockUser(ctx context.Context, tx *sql.Tx, userID string) error {
	now := s.now()
	lock := s.entryArgs(userID, stores.IndexEntry{Created: now, LastActive: now}) // empty key and details
	for range 2 {
		if s.dialect != SQLite {
			if ok, err := s.has(ctx, tx, opIndexLock, userID); ok || err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.queries[opIndexAddNew], lock...); err != nil || s.dialect == SQLite {
			return err
		}
	}
	return errors.New("the lock row vanished twice")
}

// RebuildIndex adds to the index every live session of the table that
// holds a user id (django.contrib.auth's _auth_user_id) and is not indexed
// yet: sessions a Django site sharing the table created, or that predate
// the index. codec is the middleware's (ginsession.JSONCodec{}, or for a
// table shared with Django ginsession.DjangoCodec with Django's SECRET_KEY).
// Entries it adds have the rebuild's time as login and last activity, and
// no device details; rows without a user or that do not decode are counted
// in skipped. It reads the table in batches of the purge batch size, and may
// be run again at any time: entries already there are left as they are.
func (s *Store) RebuildIndex(ctx context.Context, codec interface {
	Decode(data []byte) (keys []string, values map[string]any, err error)
}) (added, skipped int, err error) {
	if s.indexTable == "" {
		return 0, 0, errIndexOff
	}
	if codec == nil {
		return 0, 0, errors.New("sqlstore: rebuild index: codec is nil: pass the middleware's codec, such as ginsession.JSONCodec{}")
	}
	now := s.now()
	after := ""
	for {
		batch, err := s.rebuildBatch(ctx, codec.Decode, after, now)
		if err != nil {
			return added, skipped, fmt.Errorf("sqlstore: rebuild index: %w", err)
		}
		for _, r := range batch {
			after = r.key
			if stores.CheckIndexUser(r.user) != nil {
				skipped++
				continue
			}
			e := stores.IndexEntry{Key: r.key, Created: now, LastActive: now, Backend: r.backend}
			n, err := s.exec(ctx, opIndexAddNew, s.entryArgs(r.user, e)...)
			if err != nil {
				return added, skipped, fmt.Errorf("sqlstore: rebuild index: add %s: %w", stores.Redact(r.key), err)
			}
			added += int(n)
		}
		if len(batch) < s.batch {
			return added, skipped, nil
		}
	}
}

// rebuildRow is a live row as RebuildIndex reads it: the user id and
// backend its data holds, "" when it holds none or does not decode.
type rebuildRow struct {
	key, user, backend string
}

// rebuildBatch reads the batch of live rows that follows the key after.
func (s *Store) rebuildBatch(ctx context.Context, decode func([]byte) ([]string, map[string]any, error), after string, now time.Time) (out []rebuildRow, err error) {
	err = s.query(ctx, nil, opRebuildScan, []any{after, s.timeArg(now)}, func(r *sql.Rows) error {
		var row rebuildRow
		var stored []byte
		if err := r.Scan(&row.key, &stored); err != nil {
			return err
		}
		if data, ok := fromStored(stored); ok {
			if _, values, err := decode(data); err == nil {
				row.user, _ = sessionindex.UserID(values[sessionindex.UserIDKey])
				row.backend, _ = values[sessionindex.BackendKey].(string)
			}
		}
		out = append(out, row)
		return nil
	})
	return out, err
}

var _ stores.Indexer = (*Store)(nil)
