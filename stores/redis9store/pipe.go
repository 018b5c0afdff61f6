package redis9store

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/stores/internal/redisops"
)

// pipe sends two commands to client in one pipeline (LoadWithTTL's GET
// and PTTL): one round trip, to the key's node under Cluster. Each command
// keeps its own reply and error, redis.Nil included; the error Exec
// returns is the first of those.
func pipe(client redis.UniversalClient) redisops.Pipe {
	return func(ctx context.Context, first, second []any) (redisops.Reply, redisops.Reply) {
		p := client.Pipeline()
		a, b := p.Do(ctx, first...), p.Do(ctx, second...)
		_, _ = p.Exec(ctx)
		var ra, rb redisops.Reply
		ra.Val, ra.Err = a.Result()
		rb.Val, rb.Err = b.Result()
		return ra, rb
	}
}
