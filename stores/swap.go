package stores

import (
	"context"
	"errors"
	"time"
)

// ErrConflict reports that a conditional write found the record changed
// since the caller loaded it: another request saved it meanwhile. The
// caller reloads (CompareAndSwap hands back what the record holds now),
// replays its own changes on top and tries again.
var ErrConflict = errors.New("stores: session changed since it was loaded")

// Swapper is implemented by stores that can change a record only if it
// still holds what the caller loaded: a compare-and-swap, done by the
// backend in one atomic step for every client of it, other processes and
// machines included. The middleware uses it so that concurrent requests on
// one session lose none of each other's changes; a store without it keeps
// last-write-wins (Update).
//
// The comparison is of the data alone, byte for byte, and of the data as
// Load returned it: an expiry moved by Touch or Update in between is not a
// conflict. A record that is missing or expired is never created or
// brought back by either method.
//
// A store that wraps another and has the capability only when that one
// does (stores/cachedstore) answers every call with an error wrapping
// [errors.ErrUnsupported] when it does not; the caller then keeps to
// Update, as for a store without the methods.
//
// stores/storetest's Swap cases check the contract, concurrency included.
type Swapper interface {
	// CompareAndSwap replaces the data and expiry of the record under key
	// with data and expiry if its data is still old. It returns nil when
	// it did; ErrNotFound when no live record holds key; and, when the
	// record holds other data, that data, in a slice the caller owns, with
	// an error wrapping ErrConflict.
	CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) (current []byte, err error)

	// CompareAndDelete deletes the record under key if its data is still
	// old. It returns nil when it did; ErrNotFound when no live record
	// holds key; and the record's current data with an error wrapping
	// ErrConflict when it holds other data.
	CompareAndDelete(ctx context.Context, key string, old []byte) (current []byte, err error)
}
