package redisops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// The compare-and-swap script answers in the type of its reply, so that a
// conflict costs no second round trip: 1 for done, 0 for no record, and the
// record's data (a bulk string) when it holds other data. Redis expires
// keys for GET, so an expired record is no record. CompareAndDelete is the
// swap with no expiry: the record is removed.
//
// A swap that changed the record leaves the call's done-marker (KEYS[2],
// see onceKey), and a call that finds its marker answers 1 at once: go-redis
// sends a command again after a broken connection, and the second run would
// otherwise find the record it changed and answer a conflict, or, after a
// delete, no record.
//
//	KEYS[1] the key; KEYS[2] the call's done-marker; ARGV[1] the data
//	expected; ARGV[2] the new record; ARGV[3] PX ms, "" to remove
var compareAndSwapScript = newScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then
	return 1
end
local cur = redis.call('GET', KEYS[1])
if not cur then
	return 0
end
if cur ~= ARGV[1] then
	return cur
end
if ARGV[3] == '' then
	redis.call('DEL', KEYS[1])
else
	redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
redis.call('SET', KEYS[2], '1', 'PX', 60000)
return 1
`)

// CompareAndSwap implements stores.Swapper with one EVALSHA (EVAL the first
// time a server sees the script): a Lua script on the one key, which Redis
// runs atomically against every other command, so it works on Cluster too.
// A conflict's reply carries the record's data, so a conflict costs no more
// round trips than a swap. An expiry already past removes a matching record.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("%s: compare and swap: %w", s.name, err)
	}
	ms, _ := PX(s.now(), expiry)
	v, err := s.evalOnce(ctx, compareAndSwapScript, s.rkey(key), old, data, ms)
	return s.swapReply("compare and swap", key, v, err)
}

// CompareAndDelete implements stores.Swapper with CompareAndSwap's
// script, told to remove the record.
func (s *Store) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("%s: compare and delete: %w", s.name, err)
	}
	v, err := s.evalOnce(ctx, compareAndSwapScript, s.rkey(key), old, "", "")
	return s.swapReply("compare and delete", key, v, err)
}

// evalOnce runs a swap script on rkey with a done-marker of the call's own,
// so that the client's resending it answers as the first run did.
func (s *Store) evalOnce(ctx context.Context, sc script, rkey string, args ...any) (any, error) {
	keys := []any{2, rkey, onceKey(rkey)}
	v, err := s.do(ctx, append(append([]any{"evalsha", sc.sha}, keys...), args...)...)
	if err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
		v, err = s.do(ctx, append(append([]any{"eval", sc.src}, keys...), args...)...)
	}
	return v, err
}

// onceKey returns a key of its own for one call's done-marker, in rkey's
// Cluster hash slot: under rkey's hash tag if it has one, else with rkey as
// the tag.
func onceKey(rkey string) string {
	var token [12]byte
	_, _ = rand.Read(token[:])
	suffix := ":done:" + hex.EncodeToString(token[:])
	if i := strings.IndexByte(rkey, '{'); i >= 0 {
		if j := strings.IndexByte(rkey[i+1:], '}'); j > 0 {
			return rkey + suffix
		}
	}
	return "{" + rkey + "}" + suffix
}

// swapReply reads the reply of a compare-and-swap script.
func (s *Store) swapReply(op, key string, v any, err error) ([]byte, error) {
	if err != nil {
		return nil, s.fail(op, key, err)
	}
	switch v := v.(type) {
	case int64:
		switch v {
		case 1:
			return nil, nil
		case 0:
			return nil, s.fail(op, key, stores.ErrNotFound)
		}
	case string:
		return []byte(v), s.fail(op, key, stores.ErrConflict)
	}
	return nil, s.fail(op, key, fmt.Errorf("%w %T", errReply, v))
}

var _ stores.Swapper = (*Store)(nil)
