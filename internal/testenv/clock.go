package testenv

import (
	"context"
	"sync"
	"time"

	"github.com/go-redis/redis/v8"
)

// Clock is a clock a test moves by hand, for the WithClock options of the
// middleware and the stores: timeouts pass without sleeping. It is safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that reads start until it is moved.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's time; pass c.Now as the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

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
