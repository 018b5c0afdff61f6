// Package sessionclock hands the session middleware's clock (WithClock) to
// the packages of this module that keep time in the session (auth), so a
// test that moves the middleware's clock moves theirs too.
package sessionclock

import "time"

// Now returns the current time by the clock of the middleware that made
// session. The root package sets it once, at init.
var Now func(session any) time.Time
