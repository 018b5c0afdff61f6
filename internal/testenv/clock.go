package testenv

import (
	"context"
	"time"

	"github.com/go-redis/redis/v8"
)

// AgeRedisKeys shortens the time to live of every key under prefix by d,
// deleting those it runs out, as if Redis's own clock had moved on by d:
// with Clock.Advance it makes a Redis store's records expire as a test's
// clock says. Keys without a time to live are left alone.
func AgeRedisKeys(ctx context.Context, client *redis.Client, prefix string, d time.Duration) error {
	var cursor uint64
	for {
		keys, next, err := client.Scan(ctx, cursor, prefix+"*", 1000).Result()
		if err != nil {
			return err
		}
		for _, k := range keys {
			ttl, err := client.PTTL(ctx, k).Result()
			if err != nil {
				return err
			}
			switch {
			case ttl < 0: // no time to live, or gone meanwhile
			case ttl <= d:
				err = client.Del(ctx, k).Err()
			default:
				err = client.PExpire(ctx, k, ttl-d).Err()
			}
			if err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}
