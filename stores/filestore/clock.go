package filestore

import "time"

// WithClock sets where the store reads the current time, against which a
// file's expiry (its mtime) is compared. Optional. Default value is
// time.Now; tests pass a clock they move (and the same one to
// ginsession.WithClock), so nothing sleeps. Temporary files a crashed write
// left behind are still judged by their real age. New refuses nil.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}
