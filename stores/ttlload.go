package stores

import (
	"context"
	"time"
)

// TTLLoader is implemented by stores whose Load can also say how long the
// record has left to live, at no extra cost: in the same query (SQL
// selects expire_date beside session_data), the same round trip (Redis
// GET and PTTL, pipelined), the same stat (a file's mtime) or the same map
// entry. An idle timeout (ginsession.WithIdleTimeout) uses it to see
// whether the record's expiry is due to be moved, so that a session in use
// is touched once in a while rather than on every request.
//
// LoadWithTTL follows Load's contract to the letter (the same data, in a
// slice the caller owns; ErrNotFound for a missing, expired or unreadable
// record; an invalid key is absent) and returns the time from now, by the
// store's clock (WithClock), to the expiry the record was last given by
// Create, Update or Touch, after the store's own rounding (whole
// microseconds in SQL, milliseconds in Redis) and saturation
// ([ClampExpiry]). It is positive: a record with none left is not found.
// A store that wraps another and cannot tell this time (cachedstore over a
// cache without the capability) returns 0: unknown, which the caller must
// not take for "expired".
//
// stores/storetest's TTLLoader cases check the contract.
type TTLLoader interface {
	LoadWithTTL(ctx context.Context, key string) (data []byte, ttl time.Duration, err error)
}
