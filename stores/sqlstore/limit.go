package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ginsession/ginsession/stores"
)

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

// IndexAddLimited implements stores.LimitedIndexer in one transaction.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	if err := s.checkIndexArgs("add", userID, e.Key); err != nil {
		return nil, err
	}
	if max < 1 {
		return nil, fmt.Errorf("sqlstore: index add: a limit of %d sessions admits nobody", max)
	}
	if s.writes != nil {
		if err := s.writes.enter(ctx); err != nil {
			return nil, fmt.Errorf("sqlstore: index add %s: %w", stores.Redact(e.Key), err)
		}
		defer s.writes.leave()
	}
	for attempt := 1; ; attempt++ {
		evicted, err := s.addLimited(ctx, userID, e, max, evict)
		switch {
		case err == nil:
			return evicted, nil
		case errors.Is(err, stores.ErrSessionLimit):
			return nil, fmt.Errorf("sqlstore: index add %s: %w", stores.Redact(e.Key), err)
		case attempt < limitAttempts && isDeadlock(err) && ctx.Err() == nil:
			continue
		}
		return nil, fmt.Errorf("sqlstore: index add %s: %w", stores.Redact(e.Key), err)
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
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: s.limitIsolation()})
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
	live, err := s.liveEntries(ctx, tx, userID)
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

// limitIsolation is READ COMMITTED where the database has it, so that the
// count after the lock sees every capped add committed before it.
func (s *Store) limitIsolation() sql.IsolationLevel {
	if s.dialect == SQLite {
		return sql.LevelDefault
	}
	return sql.LevelReadCommitted
}

// lockUser takes userID's lock row in tx, creating it the first time.
func (s *Store) lockUser(ctx context.Context, tx *sql.Tx, userID string) error {
	ix, p1, p2 := `"`+s.indexTable+`"`, "?", "?"
	switch s.dialect {
	case MySQL:
		ix = "`" + s.indexTable + "`"
	case Postgres:
		p1, p2 = "$1", "$2"
	}
	insert := "INSERT INTO " + ix + " (user_id, session_key, created, last_active, user_agent, ip, backend) VALUES (" +
		p1 + ", '', " + p2 + ", " + p2 + ", '', '', '') ON CONFLICT (user_id, session_key) DO NOTHING"
	if s.dialect == MySQL {
		insert = "INSERT IGNORE INTO " + ix + " (user_id, session_key, created, last_active, user_agent, ip, backend) VALUES (?, '', ?, ?, '', '', '')"
	}
	now := s.timeArg(s.now())
	args := []any{userID, now}
	if s.dialect != Postgres {
		args = append(args, now)
	}
	if s.dialect == SQLite {
		_, err := tx.ExecContext(ctx, insert, args...)
		return err
	}
	lock := "SELECT 1 FROM " + ix + " WHERE user_id = " + p1 + " AND session_key = '' FOR UPDATE"
	for range 2 {
		var one int
		err := tx.QueryRowContext(ctx, lock, userID).Scan(&one)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, insert, args...); err != nil {
			return err
		}
	}
	return errors.New("the lock row vanished twice")
}

// liveEntries is userID's live entries as tx sees them.
func (s *Store) liveEntries(ctx context.Context, tx *sql.Tx, userID string) ([]stores.IndexEntry, error) {
	rows, err := tx.QueryContext(ctx, s.queries[opIndexList], s.timeArg(s.now()), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	live, _, err := s.scanEntries(rows)
	return live, err
}

var _ stores.LimitedIndexer = (*Store)(nil)
