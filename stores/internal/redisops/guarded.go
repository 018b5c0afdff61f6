package redisops

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// The guarded writes are Lua scripts so that the check and the write are one
// atomic step on the server: a plain GET followed by a SET would let a
// concurrent write land between the two. GETRANGE spares copying a large
// record into Lua just to see that it does not begin with the guard.
//
//	KEYS[1] the key; ARGV[1] the guard; ARGV[2] the data; ARGV[3] PX ms, "" to remove
var setUnlessScript = newScript(`
if #ARGV[1] > 0 and redis.call('GETRANGE', KEYS[1], 0, #ARGV[1] - 1) == ARGV[1] then
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
var touchUnlessScript = newScript(`
if #ARGV[1] > 0 and redis.call('GETRANGE', KEYS[1], 0, #ARGV[1] - 1) == ARGV[1] then
	return 0
end
if ARGV[2] == '' then
	return redis.call('DEL', KEYS[1])
end
return redis.call('PEXPIRE', KEYS[1], ARGV[2])
`)

// script is a Lua script sent by its SHA-1 (EVALSHA), and in full (EVAL)
// the first time a server answers that it does not know it, as go-redis's
// Script.Run does.
type script struct{ src, sha string }

func newScript(src string) script {
	h := sha1.Sum([]byte(src))
	return script{src, hex.EncodeToString(h[:])}
}

// eval runs sc on one key and returns its reply as Do does, sending the
// script in full (EVAL) when the server does not know its SHA-1.
func (s *Store) eval(ctx context.Context, sc script, key string, args ...any) (any, error) {
	v, err := s.do(ctx, append([]any{"evalsha", sc.sha, 1, key}, args...)...)
	if err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
		v, err = s.do(ctx, append([]any{"eval", sc.src, 1, key}, args...)...)
	}
	return v, err
}

// run runs sc on one key and returns its integer reply.
func (s *Store) run(ctx context.Context, sc script, key string, args ...any) (int64, error) {
	v, err := s.eval(ctx, sc, key, args...)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("script: %w %T", errReply, v)
	}
	return n, nil
}

// SetUnless is Set, except that a record beginning with guard is left as it
// is; it reports whether it wrote (or, for an expiry already past, removed).
// It is one EVALSHA (EVAL the first time a server sees the script). The
// cached_db store (stores/cachedstore) uses it so its cache writes cannot
// overwrite the tombstone a logout leaves.
func (s *Store) SetUnless(ctx context.Context, key string, data []byte, expiry time.Time, guard []byte) (bool, error) {
	if err := stores.CheckKey(key); err != nil {
		return false, fmt.Errorf("%s: set: %w", s.name, err)
	}
	ms, _ := PX(s.now(), expiry)
	n, err := s.run(ctx, setUnlessScript, s.rkey(key), guard, data, ms)
	if err != nil {
		return false, s.fail("set", key, err)
	}
	return n == 1, nil
}

// TouchUnless is Touch, except that a record beginning with guard is left
// as it is; it reports whether it moved (or, for an expiry already past,
// removed) a record, false when there was none or it held guard.
func (s *Store) TouchUnless(ctx context.Context, key string, expiry time.Time, guard []byte) (bool, error) {
	if err := stores.CheckKey(key); err != nil {
		return false, fmt.Errorf("%s: touch: %w", s.name, err)
	}
	ms, _ := PX(s.now(), expiry)
	n, err := s.run(ctx, touchUnlessScript, s.rkey(key), guard, ms)
	if err != nil {
		return false, s.fail("touch", key, err)
	}
	return n == 1, nil
}
