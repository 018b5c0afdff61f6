package redisstore

import (
	"context"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/stores/internal/redisops"
)

// pipe sends commands to client in one pipeline (LoadWithExpiry's GET and
// PTTL): one round trip, to the key's node under Cluster.
func pipe(client redis.UniversalClient) redisops.Pipe {
	return func(ctx context.Context, cmds ...[]any) []redisops.Reply {
		cs := make([]*redis.Cmd, len(cmds))
		// Each command keeps its own reply and error, redis.Nil included;
		// the error Pipelined returns is the first of those.
		_, _ = client.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, args := range cmds {
				cs[i] = p.Do(ctx, args...)
			}
			return nil
		})
		out := make([]redisops.Reply, len(cs))
		for i, c := range cs {
			out[i].Val, out[i].Err = c.Result()
		}
		return out
	}
}
