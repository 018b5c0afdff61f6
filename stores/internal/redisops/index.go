package redisops

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// The per-user index is one hash per user, under <prefix>user:<user id>
// (never a session's key: keys have no ':'). Each session has two fields:
// e:<key>, its details as JSON, written at login, and a:<key>, its last
// activity in Unix microseconds, the only field the frequent writes touch.
// Every command and script reads or writes that one key, so the index
// works on Cluster; a listing then checks each session's own key with
// EXISTS, one command per session.
//
// The hash expires: every write extends its TTL (never shortens it) to the
// latest expiry the middleware gave, which covers every session it lists,
// so a user who never looks leaves nothing behind for long.

// KEYS[1] the user's hash; ARGV[1] key; ARGV[2] details; ARGV[3] last activity; ARGV[4] PX ms
var indexAddScript = newScript(`
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], ARGV[2], 'a:' .. ARGV[1], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
`)

// KEYS[1] the user's hash; ARGV[1] key; ARGV[2] last activity; ARGV[3] PX ms
var indexTouchScript = newScript(`
if redis.call('HEXISTS', KEYS[1], 'e:' .. ARGV[1]) == 0 then
	return 0
end
redis.call('HSET', KEYS[1], 'a:' .. ARGV[1], ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return 1
`)

// KEYS[1] the user's hash; ARGV[1] old key; ARGV[2] new key; ARGV[3] last activity; ARGV[4] PX ms
var indexMoveScript = newScript(`
local e = redis.call('HGET', KEYS[1], 'e:' .. ARGV[1])
if not e then
	return 0
end
redis.call('HDEL', KEYS[1], 'e:' .. ARGV[1], 'a:' .. ARGV[1])
redis.call('HSET', KEYS[1], 'e:' .. ARGV[2], e, 'a:' .. ARGV[2], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
`)

// details is the JSON of an e: field.
type details struct {
	Created   int64  `json:"c"`
	UserAgent string `json:"u,omitempty"`
	IP        string `json:"i,omitempty"`
	Backend   string `json:"b,omitempty"`
}

// ukey is the Redis key of userID's index.
func (s *Store) ukey(userID string) string { return s.prefix + "user:" + userID }

// indexPX is the TTL a write gives the hash at least: until expiry, and
// never less than a second (a PEXPIRE of a past time would drop every
// other session's entry with it).
func (s *Store) indexPX(expiry time.Time) string {
	n, ok := ttlMillis(expiry, s.now())
	if !ok || n < 1000 {
		n = 1000
	}
	return strconv.FormatInt(n, 10)
}

func micros(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

func (s *Store) checkIndexArgs(op, userID string, keys ...string) error {
	if err := stores.CheckIndexUser(userID); err != nil {
		return fmt.Errorf("%s: index %s: %w", s.name, op, err)
	}
	for _, k := range keys {
		if err := stores.CheckKey(k); err != nil {
			return fmt.Errorf("%s: index %s: %w", s.name, op, err)
		}
	}
	return nil
}

// CheckIndex implements stores.Indexer: the index is always on.
func (s *Store) CheckIndex() error { return nil }

// IndexAdd implements stores.Indexer with one script on the user's hash.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	if err := s.checkIndexArgs("add", userID, e.Key); err != nil {
		return err
	}
	d, err := json.Marshal(details{Created: e.Created.UnixMicro(), UserAgent: e.UserAgent, IP: e.IP, Backend: e.Backend})
	if err != nil {
		return fmt.Errorf("%s: index add: %w", s.name, err)
	}
	if _, err := s.run(ctx, indexAddScript, s.ukey(userID), e.Key, d, micros(e.LastActive), s.indexPX(e.Expiry)); err != nil {
		return s.fail("index add", e.Key, err)
	}
	return nil
}

// IndexTouch implements stores.Indexer with one script on the user's hash.
func (s *Store) IndexTouch(ctx context.Context, userID, key string, lastActive, expiry time.Time) error {
	if err := s.checkIndexArgs("touch", userID, key); err != nil {
		return err
	}
	n, err := s.run(ctx, indexTouchScript, s.ukey(userID), key, micros(lastActive), s.indexPX(expiry))
	if err != nil {
		return s.fail("index touch", key, err)
	}
	if n == 0 {
		return s.fail("index touch", key, stores.ErrNotFound)
	}
	return nil
}

// IndexMove implements stores.Indexer with one script on the user's hash.
func (s *Store) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, expiry time.Time) error {
	if err := s.checkIndexArgs("move", userID, oldKey, newKey); err != nil {
		return err
	}
	n, err := s.run(ctx, indexMoveScript, s.ukey(userID), oldKey, newKey, micros(lastActive), s.indexPX(expiry))
	if err != nil {
		return s.fail("index move", oldKey, err)
	}
	if n == 0 {
		return s.fail("index move", oldKey, stores.ErrNotFound)
	}
	return nil
}

// IndexRemove implements stores.Indexer with one HDEL.
func (s *Store) IndexRemove(ctx context.Context, userID string, keys ...string) error {
	if err := s.checkIndexArgs("remove", userID, keys...); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	args := []any{"hdel", s.ukey(userID)}
	for _, k := range keys {
		args = append(args, "e:"+k, "a:"+k)
	}
	if _, err := s.count(ctx, args...); err != nil {
		return s.fail("index remove", keys[0], err)
	}
	return nil
}

// IndexList implements stores.Indexer: one HGETALL, one EXISTS per
// session, and one HDEL of the sessions found gone.
func (s *Store) IndexList(ctx context.Context, userID string) ([]stores.IndexEntry, error) {
	if err := s.checkIndexArgs("list", userID); err != nil {
		return nil, err
	}
	v, err := s.do(ctx, "hgetall", s.ukey(userID))
	if err != nil && err != s.nilErr {
		return nil, fmt.Errorf("%s: index list: %w", s.name, err)
	}
	fields, err := pairs(v)
	if err != nil {
		return nil, fmt.Errorf("%s: index list: HGETALL: %w", s.name, err)
	}
	var live []stores.IndexEntry
	var dead []string
	for f, val := range fields {
		key, ok := strings.CutPrefix(f, "e:")
		if !ok || !stores.ValidKey(key) {
			continue
		}
		var d details
		if err := json.Unmarshal([]byte(val), &d); err != nil {
			dead = append(dead, key)
			continue
		}
		n, err := s.count(ctx, "exists", s.rkey(key))
		if err != nil {
			return nil, s.fail("index list", key, err)
		}
		if n == 0 {
			dead = append(dead, key)
			continue
		}
		e := stores.IndexEntry{Key: key, Created: time.UnixMicro(d.Created), UserAgent: d.UserAgent, IP: d.IP, Backend: d.Backend}
		if us, err := strconv.ParseInt(fields["a:"+key], 10, 64); err == nil {
			e.LastActive = time.UnixMicro(us)
		}
		live = append(live, e)
	}
	if len(dead) > 0 {
		if err := s.IndexRemove(ctx, userID, dead...); err != nil {
			return nil, err
		}
	}
	return live, nil
}

// pairs reads an HGETALL reply: a flat array in RESP2, a map in RESP3.
func pairs(v any) (map[string]string, error) {
	out := make(map[string]string)
	switch r := v.(type) {
	case nil:
	case []any:
		if len(r)%2 != 0 {
			return nil, fmt.Errorf("%w: %d elements", errReply, len(r))
		}
		for i := 0; i < len(r); i += 2 {
			k, ok1 := r[i].(string)
			val, ok2 := r[i+1].(string)
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%w %T", errReply, r[i])
			}
			out[k] = val
		}
	case map[any]any:
		for k, val := range r {
			ks, ok1 := k.(string)
			vs, ok2 := val.(string)
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("%w %T", errReply, k)
			}
			out[ks] = vs
		}
	default:
		return nil, fmt.Errorf("%w %T", errReply, v)
	}
	return out, nil
}

var _ stores.Indexer = (*Store)(nil)
