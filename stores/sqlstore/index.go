package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ginsession/ginsession/internal/sessionindex"
	"github.com/ginsession/ginsession/stores"
)

// The per-user index lives in a table of its own beside the session table,
// which stays exactly Django's, so a Django site can keep sharing it. A
// listing joins the two: an entry shows only while its session's row is
// live, and a session never outlives its row because of an entry.

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
	return func(c *config) error {
		if !tableName.MatchString(name) {
			return fmt.Errorf("sqlstore: WithIndexTable(%q): the name must match %s", name, tableName)
		}
		c.indexTable = name
		return nil
	}
}

// IndexSchema returns the DDL statements that create the index table
// table for dialect d, idempotently. User ids and keys compare byte for
// byte, whatever the database's collation: on MySQL and MariaDB the user id
// is varbinary, since even utf8mb4_bin ignores trailing spaces there.
func IndexSchema(d Dialect, table string) ([]string, error) {
	if !tableName.MatchString(table) {
		return nil, fmt.Errorf("sqlstore: index table name %q is not a plain identifier (%s)", table, tableName)
	}
	switch d {
	case MySQL:
		return []string{"CREATE TABLE IF NOT EXISTS `" + table + "` (" +
			"`user_id` varbinary(255) NOT NULL, " +
			"`session_key` varchar(40) COLLATE utf8mb4_bin NOT NULL, " +
			"`created` datetime(6) NOT NULL, " +
			"`last_active` datetime(6) NOT NULL, " +
			"`user_agent` text NOT NULL, " +
			"`ip` text NOT NULL, " +
			"`backend` text NOT NULL, " +
			"PRIMARY KEY (`user_id`, `session_key`), " +
			"KEY `" + indexName(table, "session_key", 64) + "` (`session_key`)" +
			") DEFAULT CHARSET=utf8mb4"}, nil
	case Postgres, SQLite:
		ts, max := "timestamp with time zone", 63
		if d == SQLite {
			ts, max = "datetime", sqliteMaxName
		}
		return []string{
			`CREATE TABLE IF NOT EXISTS "` + table + `" (` +
				`"user_id" varchar(255) NOT NULL, ` +
				`"session_key" varchar(40) NOT NULL, ` +
				`"created" ` + ts + ` NOT NULL, ` +
				`"last_active" ` + ts + ` NOT NULL, ` +
				`"user_agent" text NOT NULL, ` +
				`"ip" text NOT NULL, ` +
				`"backend" text NOT NULL, ` +
				`PRIMARY KEY ("user_id", "session_key"))`,
			`CREATE INDEX IF NOT EXISTS "` + indexName(table, "session_key", max) + `" ON "` + table + `" ("session_key")`,
		}, nil
	}
	return nil, fmt.Errorf("sqlstore: unsupported dialect %v", d)
}

// IndexTable returns the name of the index table, "" when the index is off.
func (s *Store) IndexTable() string { return s.indexTable }

// buildIndexQueries fills q's index statements.
func buildIndexQueries(q *[numOps]string, d Dialect, table, index string, batch int) {
	if index == "" {
		return
	}
	n := strconv.Itoa(batch)
	p := func(i int) string { return "?" }
	t, ix := `"`+table+`"`, `"`+index+`"`
	switch d {
	case MySQL:
		t, ix = "`"+table+"`", "`"+index+"`"
	case Postgres:
		p = func(i int) string { return "$" + strconv.Itoa(i) }
	}
	cols := "(user_id, session_key, created, last_active, user_agent, ip, backend) VALUES (" +
		p(1) + ", " + p(2) + ", " + p(3) + ", " + p(4) + ", " + p(5) + ", " + p(6) + ", " + p(7) + ")"
	if d == MySQL {
		q[opIndexAdd] = "INSERT INTO " + ix + " " + cols + " ON DUPLICATE KEY UPDATE created = VALUES(created), " +
			"last_active = VALUES(last_active), user_agent = VALUES(user_agent), ip = VALUES(ip), backend = VALUES(backend)"
		q[opIndexAddNew] = "INSERT IGNORE INTO " + ix + " " + cols
	} else {
		q[opIndexAdd] = "INSERT INTO " + ix + " " + cols + " ON CONFLICT (user_id, session_key) DO UPDATE SET " +
			"created = excluded.created, last_active = excluded.last_active, user_agent = excluded.user_agent, " +
			"ip = excluded.ip, backend = excluded.backend"
		q[opIndexAddNew] = "INSERT INTO " + ix + " " + cols + " ON CONFLICT (user_id, session_key) DO NOTHING"
	}
	q[opIndexTouch] = "UPDATE " + ix + " SET last_active = " + p(1) + " WHERE user_id = " + p(2) + " AND session_key = " + p(3)
	q[opIndexHas] = "SELECT 1 FROM " + ix + " WHERE user_id = " + p(1) + " AND session_key = " + p(2)
	q[opIndexMove] = "UPDATE " + ix + " SET session_key = " + p(1) + ", last_active = " + p(2) +
		" WHERE user_id = " + p(3) + " AND session_key = " + p(4)
	q[opIndexList] = "SELECT i.session_key, i.created, i.last_active, i.user_agent, i.ip, i.backend, " +
		"CASE WHEN s.session_key IS NULL THEN 0 ELSE 1 END FROM " + ix + " i LEFT JOIN " + t +
		" s ON s.session_key = i.session_key AND s.expire_date > " + p(1) + " WHERE i.user_id = " + p(2)
	dead := "NOT EXISTS (SELECT 1 FROM " + t + " s WHERE s.session_key = i.session_key AND s.expire_date > " + p(1) + ")"
	switch d {
	case MySQL:
		// MySQL deletes with LIMIT but cannot select from the table it
		// deletes from; the alias is MySQL's multi-table-free form.
		q[opIndexPurge] = "DELETE FROM " + ix + " WHERE NOT EXISTS (SELECT 1 FROM " + t + " s WHERE s.session_key = " +
			ix + ".session_key AND s.expire_date > ?) LIMIT " + n
	case Postgres:
		q[opIndexPurge] = "DELETE FROM " + ix + " WHERE ctid IN (SELECT i.ctid FROM " + ix + " i WHERE " + dead + " LIMIT " + n + ")"
	case SQLite:
		q[opIndexPurge] = "DELETE FROM " + ix + " WHERE rowid IN (SELECT i.rowid FROM " + ix + " i WHERE " + dead + " LIMIT " + n + ")"
	}
	q[opRebuildScan] = "SELECT session_key, session_data FROM " + t + " WHERE session_key > " + p(1) +
		" AND expire_date > " + p(2) + " ORDER BY session_key LIMIT " + n
}

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
	if err := stores.CheckIndexUser(userID); err != nil {
		return fmt.Errorf("sqlstore: index %s: %w", op, err)
	}
	for _, k := range keys {
		if err := stores.CheckKey(k); err != nil {
			return fmt.Errorf("sqlstore: index %s: %w", op, err)
		}
	}
	return nil
}

// IndexAdd implements stores.Indexer with one upsert.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	if err := s.checkIndexArgs("add", userID, e.Key); err != nil {
		return err
	}
	if _, err := s.exec(ctx, opIndexAdd, s.entryArgs(userID, e)...); err != nil {
		return fmt.Errorf("sqlstore: index add %s: %w", stores.Redact(e.Key), err)
	}
	return nil
}

func (s *Store) entryArgs(userID string, e stores.IndexEntry) []any {
	return []any{userID, e.Key, s.timeArg(e.Created), s.timeArg(e.LastActive), e.UserAgent, e.IP, e.Backend}
}

// IndexTouch implements stores.Indexer with one UPDATE. The table keeps
// no expiry: a listing reads the session row's own.
func (s *Store) IndexTouch(ctx context.Context, userID, key string, lastActive, _ time.Time) error {
	if err := s.checkIndexArgs("touch", userID, key); err != nil {
		return err
	}
	n, err := s.exec(ctx, opIndexTouch, s.timeArg(lastActive), userID, key)
	if err == nil && n == 0 && s.dialect == MySQL {
		// MySQL counts changed rows: the same last_active again is 0.
		var row interface{ Scan(...any) error }
		if row, err = s.queryRow(ctx, opIndexHas, userID, key); err == nil {
			var one int
			if err = row.Scan(&one); err == nil {
				n = 1
			} else if errors.Is(err, sql.ErrNoRows) {
				err = nil
			}
		}
	}
	if err != nil {
		return fmt.Errorf("sqlstore: index touch %s: %w", stores.Redact(key), err)
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: index touch %s: %w", stores.Redact(key), stores.ErrNotFound)
	}
	return nil
}

// IndexMove implements stores.Indexer with one UPDATE of the key.
func (s *Store) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, _ time.Time) error {
	if err := s.checkIndexArgs("move", userID, oldKey, newKey); err != nil {
		return err
	}
	n, err := s.exec(ctx, opIndexMove, newKey, s.timeArg(lastActive), userID, oldKey)
	if err != nil {
		return fmt.Errorf("sqlstore: index move %s: %w", stores.Redact(oldKey), err)
	}
	if n == 0 && oldKey != newKey {
		return fmt.Errorf("sqlstore: index move %s: %w", stores.Redact(oldKey), stores.ErrNotFound)
	}
	return nil
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
// session table, and a DELETE for each entry whose row is gone or expired.
func (s *Store) IndexList(ctx context.Context, userID string) ([]stores.IndexEntry, error) {
	if err := s.checkIndexArgs("list", userID); err != nil {
		return nil, err
	}
	out, dead, err := s.indexList(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: index list: %w", err)
	}
	if len(dead) > 0 {
		if err := s.IndexRemove(ctx, userID, dead...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) indexList(ctx context.Context, userID string) (live []stores.IndexEntry, dead []string, err error) {
	var rows interface {
		Next() bool
		Scan(...any) error
		Close() error
		Err() error
	}
	args := []any{s.timeArg(s.now()), userID}
	if s.prepared {
		st, err := s.stmt(ctx, opIndexList)
		if err != nil {
			return nil, nil, err
		}
		rows, err = st.QueryContext(ctx, args...)
		if err != nil {
			return nil, nil, err
		}
	} else {
		r, err := s.db.QueryContext(ctx, s.queries[opIndexList], args...)
		if err != nil {
			return nil, nil, err
		}
		rows = r
	}
	defer rows.Close()
	return s.scanEntries(rows)
}

// scanEntries reads opIndexList's rows: the live entries, and the keys of
// the dead ones.
func (s *Store) scanEntries(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) (live []stores.IndexEntry, dead []string, err error) {
	for rows.Next() {
		var e stores.IndexEntry
		created := expiryScanner{wallClock: s.dialect != Postgres}
		active := expiryScanner{wallClock: s.dialect != Postgres}
		var isLive int
		if err := rows.Scan(&e.Key, &created, &active, &e.UserAgent, &e.IP, &e.Backend, &isLive); err != nil {
			return nil, nil, err
		}
		e.Created, e.LastActive = created.t, active.t
		if isLive == 1 && stores.ValidKey(e.Key) {
			live = append(live, e)
		} else if stores.ValidKey(e.Key) {
			dead = append(dead, e.Key)
		}
	}
	return live, dead, rows.Err()
}

// clearIndex deletes, in batches, the entries whose session row is gone
// or expired; ClearExpired runs it after purging the sessions.
func (s *Store) clearIndex(ctx context.Context, now any) (int64, error) {
	if s.indexTable == "" {
		return 0, nil
	}
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("sqlstore: clear index: %w", err)
		}
		n, err := s.exec(ctx, opIndexPurge, now)
		total += n
		if err != nil {
			return total, fmt.Errorf("sqlstore: clear index: %w", err)
		}
		if n < s.batch {
			return total, nil
		}
	}
}

// RebuildIndex adds to the index every live session of the table that
// holds a user id (django.contrib.auth's _auth_user_id) and is not indexed
// yet: sessions a Django site sharing the table created, or that predate
// the index. codec must be the one the middleware uses (for a table shared
// with Django, ginsession.DjangoCodec with Django's SECRET_KEY). Entries it
// adds have the rebuild's time as login and last activity, and no device
// details. Rows that do not decode are skipped and counted in skipped. It
// reads the table in batches of the purge batch size, in key order, and
// may be run again at any time: entries already there are left as they are.
//
// codec is anything with the Decode method of ginsession.Codec, which
// package sqlstore cannot import: ginsession.JSONCodec{} or
// ginsession.DjangoCodec(...).
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
		batch, err := s.rebuildBatch(ctx, after, now)
		if err != nil {
			return added, skipped, fmt.Errorf("sqlstore: rebuild index: %w", err)
		}
		for _, r := range batch {
			after = r.key
			user, backend, ok := userOfRecord(codec.Decode, r.data)
			if !ok {
				skipped++
				continue
			}
			e := stores.IndexEntry{Key: r.key, Created: now, LastActive: now, Backend: backend}
			n, err := s.exec(ctx, opIndexAddNew, s.entryArgs(user, e)...)
			if err != nil {
				return added, skipped, fmt.Errorf("sqlstore: rebuild index: add %s: %w", stores.Redact(r.key), err)
			}
			added += int(n)
		}
		if int64(len(batch)) < s.batch {
			return added, skipped, nil
		}
	}
}

type rebuildRow struct {
	key  string
	data []byte
}

func (s *Store) rebuildBatch(ctx context.Context, after string, now time.Time) ([]rebuildRow, error) {
	rows, err := s.db.QueryContext(ctx, s.queries[opRebuildScan], after, s.timeArg(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rebuildRow
	for rows.Next() {
		var r rebuildRow
		var stored []byte
		if err := rows.Scan(&r.key, &stored); err != nil {
			return nil, err
		}
		if data, ok := fromStored(stored); ok {
			r.data = data
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// userOfRecord returns the user id and backend a session's data holds;
// ok is false when it holds no user id or does not decode.
func userOfRecord(decode func([]byte) ([]string, map[string]any, error), data []byte) (user, backend string, ok bool) {
	if data == nil {
		return "", "", false
	}
	_, values, err := decode(data)
	if err != nil {
		return "", "", false
	}
	user, _ = sessionindex.UserID(values[sessionindex.UserIDKey])
	backend, _ = values[sessionindex.BackendKey].(string)
	return user, backend, stores.CheckIndexUser(user) == nil
}

var _ stores.Indexer = (*Store)(nil)
