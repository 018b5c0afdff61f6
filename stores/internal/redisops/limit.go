package redisops

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ginsession/ginsession/stores"
)

// indexAddLimitedScript counts the user's entries, then refuses, or evicts
// the least recently active, and adds, all in one script on the user's
// hash alone (so it runs on Cluster too): Redis runs it alone, so
// concurrent logins of one user are counted one after the other. The
// caller first drops the entries of records that are gone (IndexList);
// one that lapses between the two still counts, which can refuse a login
// early but never admit one too many.
//
// KEYS[1] the user's hash; ARGV[1] key; ARGV[2] details; ARGV[3] last
// activity; ARGV[4] PX ms; ARGV[5] max; ARGV[6] "1" to evict. Returns {0}
// when refused, else {1, evicted keys...}.
var indexAddLimitedScript = newScript(`
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
local over = #live - (tonumber(ARGV[5]) - 1)
local out = {1}
if over > 0 then
	if ARGV[6] ~= '1' then
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
redis.call('HSET', KEYS[1], 'e:' .. ARGV[1], ARGV[2], 'a:' .. ARGV[1], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
	redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return out
`)

// IndexAddLimited implements stores.LimitedIndexer with a listing, which
// drops dead entries, then one script on the user's hash.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	if err := s.checkIndexArgs("add", userID, e.Key); err != nil {
		return nil, err
	}
	if max < 1 {
		return nil, fmt.Errorf("%s: index add: a limit of %d sessions admits nobody", s.name, max)
	}
	d, err := json.Marshal(details{Created: e.Created.UnixMicro(), UserAgent: e.UserAgent, IP: e.IP, Backend: e.Backend})
	if err != nil {
		return nil, fmt.Errorf("%s: index add: %w", s.name, err)
	}
	if _, err := s.IndexList(ctx, userID); err != nil {
		return nil, err
	}
	ev := "0"
	if evict {
		ev = "1"
	}
	v, err := s.eval(ctx, indexAddLimitedScript, s.ukey(userID), e.Key, d, micros(e.LastActive), s.indexPX(e.Expiry), strconv.Itoa(max), ev)
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
	evicted := make([]string, 0, len(r)-1)
	for _, x := range r[1:] {
		k, ok := x.(string)
		if !ok || !stores.ValidKey(k) {
			return nil, s.fail("index add", e.Key, fmt.Errorf("script: %w %T", errReply, x))
		}
		evicted = append(evicted, k)
	}
	return evicted, nil
}

var _ stores.LimitedIndexer = (*Store)(nil)
