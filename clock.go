package ginsession

import (
	"time"

	"github.com/ginsession/ginsession/internal/sessionclock"
)

// WithClock sets where the middleware reads the current time (expiry
// dates, cookie ages, the timeouts, a cookie store's age check), so a test
// can move time instead of sleeping; give the store the same clock
// (memstore.WithClock, sqlstore.WithClock, ...), since it decides which
// records are live. Optional. Default value is time.Now. New panics on nil.
func WithClock(now func() time.Time) Option { return func(o *options) { o.Clock = now } }

// now is the current time by the middleware's clock.
func (m *middleware) now() time.Time { return m.opts.Clock() }

func init() {
	sessionclock.Now = func(session any) time.Time { return session.(*Session).m.now() }
}
