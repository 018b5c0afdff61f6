package stores

import (
	"context"
	"time"
)

// ExpiryLoader is implemented by stores whose Load can also return the
// record's expiry at no extra cost: in the same query (SQL selects
// expire_date beside session_data), the same script (Redis GET and PTTL in
// one EVALSHA), the same stat (a file's mtime) or the same map entry. An
// idle timeout (ginsession.WithIdleTimeout) uses it to see whether the
// record's expiry is due to be moved, so that a session in use is touched
// once in a while rather than on every request.
//
// LoadWithExpiry follows Load's contract to the letter (the same data, in a
// slice the caller owns; ErrNotFound for a missing, expired or unreadable
// record; an invalid key is absent) and returns the expiry the record was
// last given by Create, Update or Touch, after the store's own rounding
// (whole microseconds in SQL, milliseconds in Redis) and saturation
// ([ClampExpiry]). A store that keeps a relative time to live (Redis)
// returns its clock's now plus that time to live. A store that wraps
// another and cannot tell this time (cachedstore over a cache without the
// capability) returns the zero Time: unknown, which the caller must not
// take for "expired".
//
// stores/storetest's ExpiryLoader cases check the contract.
type ExpiryLoader interface {
	LoadWithExpiry(ctx context.Context, key string) (data []byte, expiry time.Time, err error)
}
