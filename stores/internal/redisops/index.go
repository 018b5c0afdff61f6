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
// (never a session's key: keys have no ':'), so it works on Cluster. Each
// session has two fields: e:<key>, its details as JSON, written at login,
// and a:<key>, its last activity in Unix microseconds, the only field the
// frequent writes touch. Every write extends the hash's TTL (never shortens
// it) to cover every session it lists, so a user who never looks leaves
// nothing behind for long.

// indexAddScript records an entry. With a cap (ARGV[5] > 0) it first
// counts the user's other entries, then refuses, or evicts the least
// recently active: Redis runs the script alone, so concurrent logins of one
// user are counted one after the other. The caller first drops the entries
// of records that are gone (IndexList); one that lapses in between still
// counts, which can refuse a login early but never admit one too many.
//
//	KEYS[1] the user's hash; ARGV[1] key; ARGV[2] details; ARGV[3] last
//	activity; ARGV[4] PX ms; ARGV[5] the cap, 0 for none; ARGV[6] "true" to
//	evict. Returns {0} when refused, else {1, evicted keys...}.
var indexAddScript = newScript(`
local out = {1}
local max = tonumber(ARGV[5])
if max > 0 then
	local h = redis.call('HGETALL', KEYS[1])
	local f = {}
	for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
	local live = {}
	for name, val in pairs(f) do
		if string.sub(name, 1, 2) == 'e:' then
			local k = string.sub(name, 3)
			if k ~= ARGV[1] then
				local ok, d = pcall(cjson.decode, val)
				local c = 0
				if ok and type(d) == 'table' and tonumber(d.c) then c = tonumber(d.c) end
				table.insert(live, {k, tonumber(f['a:' .. k]) or 0, c})
			end
		end
	end
	local over = #live - (max - 1)
	if over > 0 then
		if ARGV[6] ~= 'true' then
			return {0}
		end
		table.sort(live, function(x, y)
			if x[2] ~= y[2] then return x[2] < y[2] end
			if x[3] ~= y[3] then return x[3] < y[3] end
			return x[1] < y[1]
		end)
		for i = 1, over do
			redis.call('HDEL', KEYS[1], 'e:' .. live[i][1], 'a:' .. live[i][1])
			table.insert(out, live[i][1])
		end
	end
end
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], ARGV[2], 'a:' .. ARGV[1], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return out
`)

// indexMoveScript renames an entry and notes its activity; IndexTouch is a
// move to the same key.
//
//	KEYS[1] the user's hash; ARGV[1] old key; ARGV[2] new key; ARGV[3] last
//	activity; ARGV[4] PX ms
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

// indexPX is the TTL a write gives the hash at least: until expiry, but a
// second at least (a PEXPIRE of a past time would drop every other entry).
func (s *Store) indexPX(expiry time.Time) string {
	now := s.now()
	if floor := now.Add(time.Second); expiry.Before(floor) {
		expiry = floor
	}
	ms, _ := PX(now, expiry)
	return ms
}

func micros(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }

func (s *Store) checkIndexArgs(op, userID string, keys ...string) error {
	if err := stores.CheckIndexUser(userID, keys...); err != nil {
		return fmt.Errorf("%s: index %s: %w", s.name, op, err)
	}
	return nil
}

// CheckIndex implements stores.Indexer: the index is always on.
func (s *Store) CheckIndex() error { return nil }

// IndexAdd implements stores.Indexer with one script on the user's hash.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	_, err := s.indexAdd(ctx, userID, e, 0, false)
	return err
}

// IndexAddLimited implements stores.Indexer with a listing (which drops
// dead entries), then one script on the user's hash.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	if max < 1 {
		return nil, fmt.Errorf("%s: index add: a limit of %d sessions admits nobody", s.name, max)
	}
	return s.indexAdd(ctx, userID, e, max, evict)
}

// indexAdd is IndexAdd with no cap (max 0), else IndexAddLimited.
func (s *Store) indexAdd(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	if err := s.checkIndexArgs("add", userID, e.Key); err != nil {
		return nil, err
	}
	d, err := json.Marshal(details{Created: e.Created.UnixMicro(), UserAgent: e.UserAgent, IP: e.IP, Backend: e.Backend})
	if err != nil {
		return nil, fmt.Errorf("%s: index add: %w", s.name, err)
	}
	if max > 0 {
		if _, err := s.IndexList(ctx, userID); err != nil {
			return nil, err
		}
	}
	v, err := s.eval(ctx, indexAddScript, 1, s.ukey(userID), e.Key, d, micros(e.LastActive), s.indexPX(e.Expiry), max, strconv.FormatBool(evict))
	if err != nil {
		return nil, s.fail("index add", e.Key, err)
	}
	r, ok := v.([]any)
	if !ok || len(r) == 0 {
		return nil, s.fail("index add", e.Key, fmt.Errorf("script: %w %T", errReply, v))
	}
	if n, _ := r[0].(int64); n == 0 {
		return nil, s.fail("index add", e.Key, stores.ErrSessionLimit)
	}
	var evicted []string
	for _, x := range r[1:] {
		k, ok := x.(string)
		if !ok || !stores.ValidKey(k) {
			return nil, s.fail("index add", e.Key, fmt.Errorf("script: %w %T", errReply, x))
		}
		evicted = append(evicted, k)
	}
	return evicted, nil
}

// IndexTouch implements stores.Indexer with one script on the user's hash.
func (s *Store) IndexTouch(ctx context.Context, userID, key string, lastActive, expiry time.Time) error {
	return s.indexMove(ctx, "touch", userID, key, key, lastActive, expiry)
}

// IndexMove implements stores.Indexer with one script on the user's hash.
func (s *Store) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, expiry time.Time) error {
	return s.indexMove(ctx, "move", userID, oldKey, newKey, lastActive, expiry)
}

func (s *Store) indexMove(ctx context.Context, op, userID, oldKey, newKey string, lastActive, expiry time.Time) error {
	if err := s.checkIndexArgs(op, userID, oldKey, newKey); err != nil {
		return err
	}
	n, err := integer(s.eval(ctx, indexMoveScript, 1, s.ukey(userID), oldKey, newKey, micros(lastActive), s.indexPX(expiry)))
	if err == nil && n == 0 {
		err = stores.ErrNotFound
	}
	if err != nil {
		return s.fail("index "+op, oldKey, err)
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
		var n int64 // 0 for unreadable details: a dead entry
		if json.Unmarshal([]byte(val), &d) == nil {
			if n, err = s.count(ctx, "exists", s.rkey(key)); err != nil {
				return nil, s.fail("index list", key, err)
			}
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
	flat, _ := v.([]any)
	switch r := v.(type) {
	case nil, []any:
	case map[any]any:
		for k, val := range r {
			flat = append(flat, k, val)
		}
	default:
		return nil, fmt.Errorf("%w %T", errReply, v)
	}
	if len(flat)%2 != 0 {
		return nil, fmt.Errorf("%w: %d elements", errReply, len(flat))
	}
	out := make(map[string]string, len(flat)/2)
	for i := 0; i < len(flat); i += 2 {
		k, ok1 := flat[i].(string)
		val, ok2 := flat[i+1].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%w %T", errReply, flat[i])
		}
		out[k] = val
	}
	return out, nil
}
