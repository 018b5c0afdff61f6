package ginsession

import (
	"time"

	"github.com/ginsession/ginsession/internal/sessionclock"
)

// WithClock sets where the middleware reads the current time: for expiry
// dates, cookie ages, the idle and absolute timeouts and a cookie store's
// age check. Optional. Default value is time.Now. Tests pass a clock they
// move, so that a timeout passes without sleeping; give the store the same
// clock (memstore.WithClock, filestore.WithClock, sqlstore.WithClock,
// cookiestore.WithClock, ...), since the store decides which records are
// still live. New panics on nil.
func WithClock(now func() time.Time) Option { return func(o *options) { o.Clock = now } }

// now is the current time by the middleware's clock.
func (m *middleware) now() time.Time { return m.opts.Clock() }

func init() {
	sessionclock.Now = func(session any) time.Time { return session.(*Session).m.now() }
}
