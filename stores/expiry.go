package stores

import "time"

// MaxExpiry returns the latest expiry a store keeps, 2200-01-01 UTC. A
// session may ask for one centuries ahead (SetExpiryAt in the year 3000,
// or Django's set_expiry(10**10)); the backends cannot all hold that (a
// time.Duration ends about 292 years out, UnixNano in 2262, MySQL's
// DATETIME in 9999), and a value past their range wraps round or is
// refused. Stores clamp to this instead, which for a session is the same
// as "never".
func MaxExpiry() time.Time { return time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC) }

// MinExpiry returns the earliest expiry a store keeps, the Unix epoch: an
// expiry before it (the zero Time, the year 1700) is already past and is
// stored as this instant, which every backend can hold.
func MinExpiry() time.Time { return time.Unix(0, 0).UTC() }

// ClampExpiry limits expiry to [MinExpiry, MaxExpiry], so every store
// saturates rather than wraps or fails. Whether a record is live compares
// the clamped value with now, so the answer does not change. It compares
// Unix seconds: Time's own comparisons wrap round for instants near the
// end of its range, such as time.Unix(1<<63-1, 0).
func ClampExpiry(expiry time.Time) time.Time {
	switch sec := expiry.Unix(); {
	case sec >= MaxExpiry().Unix():
		return MaxExpiry()
	case sec < MinExpiry().Unix():
		return MinExpiry()
	}
	return expiry
}
