package sqlstore

import (
	"errors"
	"time"
)

// WithClock sets where the store reads the current time, which every query
// that tells live rows from expired ones compares expire_date with (the
// database server's clock is never used). Optional. Default value is
// time.Now; tests pass a clock they move (and the same one to
// ginsession.WithClock), so nothing sleeps.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("sqlstore: WithClock(nil): pass a function, or leave the option out for time.Now")
		}
		c.now = now
		return nil
	}
}
