package redisops

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// loadExpiryScript is GET and PTTL in one atomic step and one round trip:
// a nil reply for a missing key, else the data and the time to live in
// milliseconds (-1 for a key without one). One key, so Cluster routes it
// to the key's slot like a GET.
//
//	KEYS[1] the key
var loadExpiryScript = newScript(`
local d = redis.call('GET', KEYS[1])
if not d then
	return false
end
return {d, redis.call('PTTL', KEYS[1])}
`)

// LoadWithExpiry implements stores.ExpiryLoader with one EVALSHA (EVAL the
// first time a server sees the script): Load's GET and the key's PTTL,
// read together. The expiry is the store's clock plus that time to live,
// so it is exact to the millisecond Redis keeps, less the time the reply
// took to come back.
func (s *Store) LoadWithExpiry(ctx context.Context, key string) ([]byte, time.Time, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, time.Time{}, fmt.Errorf("%s: load: %w (%w)", s.name, stores.ErrNotFound, err)
	}
	v, err := s.eval(ctx, loadExpiryScript, s.rkey(key))
	if err == s.nilErr {
		return nil, time.Time{}, stores.ErrNotFound
	}
	if err != nil {
		return nil, time.Time{}, s.fail("load", key, err)
	}
	now := s.now()
	reply, ok := v.([]any)
	if !ok || len(reply) != 2 {
		return nil, time.Time{}, s.fail("load", key, fmt.Errorf("script: %w %T", errReply, v))
	}
	data, ok1 := reply[0].(string)
	ms, ok2 := reply[1].(int64)
	if !ok1 || !ok2 {
		return nil, time.Time{}, s.fail("load", key, fmt.Errorf("script: %w %T, %T", errReply, reply[0], reply[1]))
	}
	switch {
	case ms == -1 || ms > int64(stores.MaxExpiry.Sub(now)/time.Millisecond):
		// Written without a TTL, or one beyond what a store keeps, by
		// something else: it saturates as every expiry does.
		return []byte(data), stores.MaxExpiry, nil
	case ms < 0:
		return nil, time.Time{}, stores.ErrNotFound
	}
	return []byte(data), stores.ClampExpiry(now.Add(time.Duration(ms) * time.Millisecond)), nil
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
