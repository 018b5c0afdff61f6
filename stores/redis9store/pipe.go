package redis9store

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/stores/internal/redisops"
)

// pipe is LoadWithTTL's pipeline of GET and PTTL on client.
func pipe(client redis.UniversalClient) redisops.Pipe {
	return redisops.PipeOf[*redis.Cmd](client.Pipeline, func(p redis.Pipeliner, ctx context.Context) { _, _ = p.Exec(ctx) })
}
