package redis9store

import "github.com/ginsession/ginsession/stores/internal/redisops"

// WithStampedRecords makes Create, Update and CompareAndSwap write each
// record with a 24-byte stamp after its data (two 64-bit xxHash digests of
// it), so that the compare-and-swap that saves a session compares the stamp
// instead of handing Redis's Lua the whole record it expects. The larger the
// session, the more it saves: at 100 KB the swap takes about a third of the
// time, and a request that reads and saves the session about 0.7 of it
// (bench/README.md, "Growth"). Optional; off by default.
//
// Every store of this release reads both forms whether the option is on or
// not, so records move between stores with it on and off (and between
// redisstore and redis9store) without a loss. Older releases of ginsession
// do not: they would read a stamped record as corrupt data, and the session
// as empty. Turn it on only once every instance that shares the Redis runs
// this release or a later one.
//
// Set and SetUnless write data as it is, never stamped: they write
// stores/cachedstore's tombstones and marks, which are compared byte for
// byte. So as cachedstore's cache the option gains nothing (its swap
// replaces an unstamped mark, one round trip more); leave it off there.
func WithStampedRecords() Option {
	return func(c *redisops.Config) error {
		c.SetStamped()
		return nil
	}
}
