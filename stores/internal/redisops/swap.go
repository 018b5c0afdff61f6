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
// swap with no expiry: the record is removed. The record matches if it is
// the data expected, or that data followed by 24 bytes that start with
// stampMagic: whichever store wrote it, with stamps on or off (stamp.go).
// The stamp's digests are not checked here (Lua has no xxHash), so a
// record made of the data expected and a forged stamp also matches; no
// codec of this package writes the byte 0xff the magic starts with.
//
// A swap that changed the record leaves the call's done-marker (KEYS[2],
// see onceKeys), and a call that finds its marker answers 1 at once: go-redis
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
if cur ~= ARGV[1] and not (#cur == #ARGV[1] + 24 and string.sub(cur, -24, -17) == '\255ginstm\001' and string.sub(cur, 1, #ARGV[1]) == ARGV[1]) then
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

// The stamped swap compares the record's stamp with the one the data
// expected would carry, and answers as compareAndSwapScript does, or -1 for
// a record without a stamp (GETRANGE of fewer than 24 bytes, or without
// stampMagic), which only the data can be compared with. GETRANGE of a
// missing key is empty, as of an empty record, hence EXISTS.
//
// It leaves and honours the done-marker as compareAndSwapScript does.
//
//	KEYS[1] the key; KEYS[2] the call's done-marker; ARGV[1] the stamp
//	expected; ARGV[2] the new record; ARGV[3] PX ms, "" to remove
var stampedSwapScript = newScript(`
if redis.call('EXISTS', KEYS[2]) == 1 then
	return 1
end
local st = redis.call('GETRANGE', KEYS[1], -24, -1)
if st == ARGV[1] then
	if ARGV[3] == '' then
		redis.call('DEL', KEYS[1])
	else
		redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
	end
	redis.call('SET', KEYS[2], '1', 'PX', 60000)
	return 1
end
if #st == 24 and string.sub(st, 1, 8) == string.sub(ARGV[1], 1, 8) then
	return redis.call('GET', KEYS[1])
end
if st == '' and redis.call('EXISTS', KEYS[1]) == 0 then
	return 0
end
return -1
`)

// CompareAndSwap implements stores.Swapper with one EVALSHA (EVAL the first
// time a server sees the script): a Lua script on the one key, which Redis
// runs atomically against every other command, so it works on Cluster too.
// A conflict's reply carries the record's data, so a conflict costs no more
// round trips than a swap. An expiry already past removes a matching record.
//
// With stamps on (WithStampedRecords), the script compares the record's
// stamp and is handed only the new record; a record without a stamp (one
// written before, by a store with stamps off, or by Set) takes a second
// EVALSHA that compares the data, as with stamps off, and is stamped by it.
func (s *Store) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("%s: compare and swap: %w", s.name, err)
	}
	ms, _ := PX(s.now(), expiry)
	rec := s.record(data)
	if s.stamped {
		st := stampOf(old)
		v, err := s.evalOnce(ctx, stampedSwapScript, s.rkey(key), st[:], rec, ms)
		if err != nil {
			return nil, s.fail("compare and swap", key, err)
		}
		switch v := v.(type) {
		case int64:
			if v != -1 {
				return s.swapReply("compare and swap", key, v, nil)
			}
		case string:
			// A record whose stamp is not the data's (the magic bytes
			// ending a record written without stamps) is compared by
			// its data.
			if cur, ok := unstamp([]byte(v)); ok {
				return cur, s.fail("compare and swap", key, stores.ErrConflict)
			}
		default:
			return s.swapReply("compare and swap", key, v, nil)
		}
	}
	v, err := s.evalOnce(ctx, compareAndSwapScript, s.rkey(key), old, rec, ms)
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
	rand.Read(token[:])
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
		cur, _ := unstamp([]byte(v))
		return cur, s.fail(op, key, stores.ErrConflict)
	}
	return nil, s.fail(op, key, fmt.Errorf("%w %T", errReply, v))
}

var _ stores.Swapper = (*Store)(nil)
