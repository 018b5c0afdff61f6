package redisstore

import (
	"context"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/stores/internal/redisops"
)

// pipe is LoadWithTTL's pipeline of GET and PTTL on client.
func pipe(client redis.UniversalClient) redisops.Pipe {
	return redisops.PipeOf[*redis.Cmd](client.Pipeline, func(p redis.Pipeliner, ctx context.Context) { _, _ = p.Exec(ctx) })
}
