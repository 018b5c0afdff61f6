package testenv

import (
	"context"
	"testing"

	redis9 "github.com/redis/go-redis/v9"
)

// Redis9Options returns go-redis v9 client options for the test Redis, with
// ContextTimeoutEnabled (which stores/redis9store requires).
func Redis9Options() *redis9.Options {
	return &redis9.Options{Addr: RedisAddr(), ContextTimeoutEnabled: true}
}

// Redis9 returns a go-redis v9 client for the test Redis, closed at the end
// of the test.
func Redis9(t testing.TB) *redis9.Client {
	t.Helper()
	return OpenRedis9(t, Redis9Options())
}

// OpenRedis9 makes a go-redis v9 client with opts, pings the server, and
// closes the client at the end of the test.
func OpenRedis9(t testing.TB, opts *redis9.Options) *redis9.Client {
	t.Helper()
	c := redis9.NewClient(opts)
	ping(t, "Redis at "+opts.Addr, func(ctx context.Context) error { return c.Ping(ctx).Err() }, c.Close)
	return c
}

// Redis9Prefix is RedisPrefix for a go-redis v9 client.
func Redis9Prefix(t testing.TB, client redis9.UniversalClient, base string) string {
	t.Helper()
	return redisPrefix(t, base, func(ctx context.Context, match string) error {
		clean := func(ctx context.Context, c *redis9.Client) error {
			return cleanKeys(ctx, match, func(ctx context.Context, cursor uint64) ([]string, uint64, error) {
				return c.Scan(ctx, cursor, match, 1000).Result()
			}, func(ctx context.Context, keys []string) error { return c.Del(ctx, keys...).Err() })
		}
		switch c := client.(type) {
		case *redis9.ClusterClient:
			return c.ForEachMaster(ctx, clean)
		case *redis9.Client:
			return clean(ctx, c)
		}
		return nil
	})
}
