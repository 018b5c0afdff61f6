package stores

import (
	"math"
	"time"
)

// MaxExpiry is the latest expiry a store keeps. A session may ask for one
// centuries ahead (SetExpiryAt in the year 3000, or Django's
// set_expiry(10**10)); the backends cannot all hold that (a time.Duration
// ends about 292 years out, UnixNano in 2262, MySQL's DATETIME in 9999), and
// a value past their range wraps round or is refused. Stores clamp to this
// instead, which for a session is the same as "never".
var MaxExpiry = time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC)

// MinExpiry is the earliest expiry a store keeps: an expiry before it (the
// zero Time, the year 1700) is already past and is stored as this instant,
// which every backend can hold.
var MinExpiry = time.Unix(0, 0).UTC()

// ClampExpiry limits expiry to [MinExpiry, MaxExpiry], so every store
// saturates rather than wraps or fails. Whether a record is live compares
// the clamped value with now, so the answer does not change.
func ClampExpiry(expiry time.Time) time.Time {
	switch {
	case expiry.After(MaxExpiry):
		return MaxExpiry
	case expiry.Before(MinExpiry):
		return MinExpiry
	}
	return expiry
}

// TTLMillis returns the time from now to expiry (clamped by ClampExpiry) in
// whole milliseconds, rounded up so a record never expires early, for
// backends that take a relative expiry (Redis PX and PEXPIRE). ok is false
// when expiry is not after now: such a record is to be removed, not sent
// with a zero or negative time, which Redis refuses.
func TTLMillis(expiry, now time.Time) (ms int64, ok bool) {
	d := ClampExpiry(expiry).Sub(now)
	if d <= 0 {
		return 0, false
	}
	ms = int64(d / time.Millisecond)
	if d%time.Millisecond != 0 && ms < math.MaxInt64 {
		ms++
	}
	return ms, true
}
