package redisstore

import (
	"time"

	"github.com/ginsession/ginsession/stores/internal/redisops"
)

// WithClock sets where the store reads the current time, which turns a
// session's expiry into the time to live Redis keeps (PX, PEXPIRE).
// Optional. Default value is time.Now; tests pass a clock they move (and
// the same one to ginsession.WithClock). Redis itself still expires keys
// on its own clock. New refuses nil.
func WithClock(now func() time.Time) Option {
	return func(c *redisops.Config) error { return c.SetClock("redisstore", now) }
}
