package redisops

import (
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// Pipe sends several commands in one round trip, as a pipeline (not a
// transaction: another client's command may come between them), and
// returns each one's reply as Do would. Both go-redis majors give one
// with Pipelined; see redisstore and redis9store.
type Pipe func(ctx context.Context, cmds ...[]any) []Reply

// Reply is one pipelined command's reply and error, as Do returns them.
type Reply struct {
	Val any
	Err error
}

// LoadWithExpiry implements stores.ExpiryLoader with GET and PTTL in one
// pipeline: one round trip, as Load's GET (a Lua script doing both costs
// the server several times a GET). The expiry is the store's clock plus
// that time to live, exact to the millisecond Redis keeps, less the time
// the reply took to come back. A key deleted between the two commands
// returns its data with the zero expiry (unknown), as a Load just before
// the delete would have.
func (s *Store) LoadWithExpiry(ctx context.Context, key string) ([]byte, time.Time, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, time.Time{}, fmt.Errorf("%s: load: %w (%w)", s.name, stores.ErrNotFound, err)
	}
	rk := s.rkey(key)
	r := s.pipe(ctx, []any{"get", rk}, []any{"pttl", rk})
	now := s.now()
	switch {
	case r[0].Err == s.nilErr:
		return nil, time.Time{}, stores.ErrNotFound
	case r[0].Err != nil:
		return nil, time.Time{}, s.fail("load", key, r[0].Err)
	case r[1].Err != nil:
		return nil, time.Time{}, s.fail("load", key, r[1].Err)
	}
	data, ok1 := r[0].Val.(string)
	ms, ok2 := r[1].Val.(int64)
	if !ok1 || !ok2 {
		return nil, time.Time{}, s.fail("load", key, fmt.Errorf("GET, PTTL: %w %T, %T", errReply, r[0].Val, r[1].Val))
	}
	switch {
	case ms == -1 || ms > int64(stores.MaxExpiry.Sub(now)/time.Millisecond):
		// Written without a TTL, or one beyond what a store keeps, by
		// something else: it saturates as every expiry does.
		return []byte(data), stores.MaxExpiry, nil
	case ms < 0:
		return []byte(data), time.Time{}, nil
	}
	return []byte(data), stores.ClampExpiry(now.Add(time.Duration(ms) * time.Millisecond)), nil
}
