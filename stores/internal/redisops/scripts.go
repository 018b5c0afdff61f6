package redisops

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// script is a Lua script sent by its SHA-1 (EVALSHA), and in full (EVAL)
// when a server answers that it does not know it, as go-redis's Script.Run
// does. Redis runs a script atomically; each one here touches the keys of
// one hash slot only, so it works on Cluster too.
type script struct{ src, sha string }

func newScript(src string) script {
	h := sha1.Sum([]byte(src))
	return script{src, hex.EncodeToString(h[:])}
}

// eval runs sc with args (numkeys, the keys, then the script's ARGV) and
// returns its reply as Do does.
func (s *Store) eval(ctx context.Context, sc script, args ...any) (any, error) {
	v, err := s.do(ctx, append([]any{"evalsha", sc.sha}, args...)...)
	if err != nil && strings.HasPrefix(err.Error(), "NOSCRIPT") {
		v, err = s.do(ctx, append([]any{"eval", sc.src}, args...)...)
	}
	return v, err
}

// unlessScript is SetUnless and TouchUnless: the check and the write are
// one step on the server, where a GET then a SET would let a concurrent
// write land between the two. GETRANGE spares copying a large record into
// Lua just to see that it does not begin with the guard.
//
//	KEYS[1] the key; ARGV[1] the guard; ARGV[2] PX ms, "" to remove;
//	ARGV[3] the data to set, absent to touch
var unlessScript = newScript(`
if #ARGV[1] > 0 and redis.call('GETRANGE', KEYS[1], 0, #ARGV[1] - 1) == ARGV[1] then
	return 0
end
if ARGV[2] == '' then
	local n = redis.call('DEL', KEYS[1])
	if ARGV[3] then
		return 1
	end
	return n
end
if not ARGV[3] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
return 1
`)

// SetUnless is Set, except that a record beginning with guard is left as it
// is; it reports whether it wrote (or, for an expiry already past, removed).
// It is one EVALSHA. stores/cachedstore uses it so its cache writes cannot
// overwrite the markers it leaves.
func (s *Store) SetUnless(ctx context.Context, key string, data []byte, expiry time.Time, guard []byte) (bool, error) {
	return s.unless(ctx, "set", key, expiry, guard, data)
}

// TouchUnless is Touch, except that a record beginning with guard is left
// as it is; it reports whether it moved (or, for an expiry already past,
// removed) a record, false when there was none or it held guard.
func (s *Store) TouchUnless(ctx context.Context, key string, expiry time.Time, guard []byte) (bool, error) {
	return s.unless(ctx, "touch", key, expiry, guard)
}

func (s *Store) unless(ctx context.Context, op, key string, expiry time.Time, guard []byte, data ...any) (bool, error) {
	if err := s.checkKey(op, key); err != nil {
		return false, err
	}
	ms, _ := PX(s.now(), expiry)
	n, err := integer(s.eval(ctx, unlessScript, append([]any{1, s.rkey(key), guard, ms}, data...)...))
	if err != nil {
		return false, s.fail(op, key, err)
	}
	return n == 1, nil
}

// swapScript answers in the type of its reply, so that a conflict costs no
// second round trip: 1 for done, 0 for no record, and the record's data (a
// bulk string) when it holds other data. Redis expires keys for GET, so an
// expired record is no record. CompareAndDelete is the swap with no
// expiry: the record is removed.
//
// A swap that changed the record leaves the call's done-marker (KEYS[2],
// see onceKey), and a call that finds its marker answers 1 at once: go-redis
// sends a command again after a broken connection, and the second run would
// otherwise find the record it changed and answer a conflict, or, after a
// delete, no record.
//
//	KEYS[1] the key; KEYS[2] the call's done-marker; ARGV[1] the data
//	expected; ARGV[2] the new record; ARGV[3] PX ms, "" to remove
var swapScript = newScript(`
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

// CompareAndSwap implements stores.Swapper with one EVALSHA, whose reply
// to a conflict carries the record's data. An expiry already past removes a
// matching record.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	ms, _ := PX(s.now(), expiry)
	return s.swap(ctx, "compare and swap", key, old, data, ms)
}

// CompareAndDelete implements stores.Swapper with CompareAndSwap's
// script, told to remove the record.
func (s *Store) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	return s.swap(ctx, "compare and delete", key, old, "", "")
}

func (s *Store) swap(ctx context.Context, op, key string, old []byte, data any, ms string) ([]byte, error) {
	if err := s.checkKey(op, key); err != nil {
		return nil, err
	}
	v, err := s.eval(ctx, swapScript, 2, s.rkey(key), onceKey(s.rkey(key)), old, data, ms)
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

// onceKey returns a key of its own for one call's done-marker, in rkey's
// Cluster hash slot: under rkey's hash tag if it has one, else with rkey as
// the tag.
func onceKey(rkey string) string {
	suffix := ":done:" + rand.Text()
	if i := strings.IndexByte(rkey, '{'); i >= 0 {
		if j := strings.IndexByte(rkey[i+1:], '}'); j > 0 {
			return rkey + suffix
		}
	}
	return "{" + rkey + "}" + suffix
}
