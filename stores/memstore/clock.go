package memstore

import "time"

// WithClock sets where the store reads the current time, against which
// every expiry is compared. Optional. Default value is time.Now; tests pass
// a clock they move (and the same one to ginsession.WithClock), so nothing
// sleeps. New refuses nil.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}
