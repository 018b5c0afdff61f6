package cachedstore

import (
	"errors"
	"time"
)

// WithClock sets the clock expiries are reckoned in: a tombstone's, and a
// refill's from a database that is not a stores.TTLLoader. Give the cache and
// the database stores the same one (and ginsession.WithClock). The
// deadlines of cache steps stay in real time. Optional. Default value is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) error {
		if now == nil {
			return errors.New("cachedstore: WithClock(nil): pass a function, or leave the option out for time.Now")
		}
		s.clock = now
		return nil
	}
}
