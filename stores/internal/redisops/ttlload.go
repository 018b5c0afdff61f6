package redisops

import (
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// Pipe sends two commands in one round trip, as a pipeline (not a
// transaction: another client's command may come between them), and
// returns each one's reply as Do would. Both go-redis majors give one
// with Pipeline; see redisstore and redis9store. Two, not any number:
// LoadWithTTL needs no more, and slices of commands and replies would cost
// a read allocations BenchmarkIdleTimeout/Redis/read counts.
type Pipe func(ctx context.Context, first, second []any) (Reply, Reply)

// Reply is one pipelined command's reply and error, as Do returns them.
type Reply struct {
	Val any
	Err error
}

// PipeOf is the Pipe of a go-redis client of either major, given its
// Pipeline method, its Cmd type and how to run a pipeline:
//
//	redisops.PipeOf[*redis.Cmd](client.Pipeline, func(p redis.Pipeliner, ctx context.Context) { p.Exec(ctx) })
//
// Each command keeps its own reply and error, redis.Nil included; the one
// exec returns is the first of those, so it is not needed. Under Cluster
// both commands go to their key's node: one round trip.
func PipeOf[C interface{ Result() (any, error) }, P interface {
	Do(ctx context.Context, args ...any) C
}](pipeline func() P, exec func(P, context.Context)) Pipe {
	return func(ctx context.Context, first, second []any) (Reply, Reply) {
		p := pipeline()
		a, b := p.Do(ctx, first...), p.Do(ctx, second...)
		exec(p, ctx)
		var ra, rb Reply
		ra.Val, ra.Err = a.Result()
		rb.Val, rb.Err = b.Result()
		return ra, rb
	}
}

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
