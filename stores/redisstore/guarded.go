package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/stores"
)

// The guarded writes are Lua scripts so that the check and the write are one
// atomic step on the server: a plain GET followed by a SET would let a
// concurrent write land between the two. STRLEN first spares copying a large
// record into Lua just to see that it is not the guard.
//
//	KEYS[1] the key; ARGV[1] the guard; ARGV[2] the data; ARGV[3] PX ms, "" to remove
var setUnlessScript = redis.NewScript(`
if redis.call('STRLEN', KEYS[1]) == #ARGV[1] and redis.call('GET', KEYS[1]) == ARGV[1] then
	return 0
end
if ARGV[3] == '' then
	redis.call('DEL', KEYS[1])
else
	redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return 1
`)

// KEYS[1] the key; ARGV[1] the guard; ARGV[2] PX ms, "" to remove
var touchUnlessScript = redis.NewScript(`
if redis.call('STRLEN', KEYS[1]) == #ARGV[1] and redis.call('GET', KEYS[1]) == ARGV[1] then
	return 0
end
if ARGV[2] == '' then
	return redis.call('DEL', KEYS[1])
end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`)

// SetUnless is Set, except that a record holding exactly guard is left as it
// is; it reports whether it wrote (or, for an expiry already past, removed).
// It is one EVALSHA (EVAL the first time a server sees the script). The
// cached_db store (stores/cachedstore) uses it so its cache writes cannot
// overwrite the tombstone a logout leaves.
func (s *Store) SetUnless(ctx context.Context, key string, data []byte, expiry time.Time, guard []byte) (bool, error) {
	if err := stores.CheckKey(key); err != nil {
		return false, fmt.Errorf("redisstore: set: %w", err)
	}
	ms, _ := s.ttl(expiry)
	n, err := setUnlessScript.Run(ctx, s.client, []string{s.rkey(key)}, guard, data, ms).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: set %s: %w", short(key), err)
	}
	return n == 1, nil
}

// TouchUnless is Touch, except that a record holding exactly guard is left
// as it is; it reports whether it moved (or, for an expiry already past,
// removed) a record, false when there was none or it held guard.
func (s *Store) TouchUnless(ctx context.Context, key string, expiry time.Time, guard []byte) (bool, error) {
	if err := stores.CheckKey(key); err != nil {
		return false, fmt.Errorf("redisstore: touch: %w", err)
	}
	ms, _ := s.ttl(expiry)
	n, err := touchUnlessScript.Run(ctx, s.client, []string{s.rkey(key)}, guard, ms).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: touch %s: %w", short(key), err)
	}
	return n == 1, nil
}
