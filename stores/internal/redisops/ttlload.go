package redisops

import (
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// LoadWithTTL implements stores.TTLLoader with GET and PTTL in one
// pipeline: one round trip, as Load's GET (a Lua script doing both costs
// the server several times a GET). The time to live is Redis's own, to
// the millisecond, less the time the reply took to come back. A key
// deleted between the two commands returns its data with a time to live of
// 0 (unknown), as a Load just before the delete would have.
func (s *Store) LoadWithTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, 0, fmt.Errorf("%s: load: %w (%w)", s.name, stores.ErrNotFound, err)
	}
	rk := any(s.rkey(key))
	get, pttl := s.pipe(ctx, []any{"get", rk}, []any{"pttl", rk})
	switch {
	case get.Err == s.nilErr:
		return nil, 0, stores.ErrNotFound
	case get.Err != nil:
		return nil, 0, s.fail("load", key, get.Err)
	case pttl.Err != nil:
		return nil, 0, s.fail("load", key, pttl.Err)
	}
	str, ok1 := get.Val.(string)
	ms, ok2 := pttl.Val.(int64)
	if !ok1 || !ok2 {
		return nil, 0, s.fail("load", key, fmt.Errorf("GET, PTTL: %w %T, %T", errReply, get.Val, pttl.Val))
	}
	data := []byte(str)
	switch {
	case ms == -1 || ms > int64(stores.MaxExpiry().Sub(s.now())/time.Millisecond):
		// Written without a TTL, or one beyond what a store keeps, by
		// something else: it saturates as every expiry does.
		return data, stores.MaxExpiry().Sub(s.now()), nil
	case ms < 0:
		return data, 0, nil
	}
	return data, time.Duration(ms) * time.Millisecond, nil
}
