// Package stores defines the contract between ginsession and the places it
// keeps session records: a database table, Redis, files, memory, or the
// cookie itself.
//
// A Store deals in opaque bytes; encoding a session's values is the codec's
// job, one level up. Every method takes the request's context and must return
// promptly with the context's error once it is done.
//
// # Errors
//
// [ErrNotFound] and [ErrExists] are conditions the caller branches on; any
// other error means the store is broken or unreachable, and the middleware
// turns it into a failed request rather than an empty session.
//
// # Rules every store follows
//
// The conformance suite, stores/storetest, checks those a test can see.
//
//   - Construction: New returns (*Store, error). Options only record their
//     values; New checks them all and reports a bad one with an error that
//     names the option and the fix. Nothing panics, and New starts no
//     goroutine.
//   - Keys: a lookup of a key that breaks the key rules ([ValidKey]) finds
//     nothing, as in Django: Load returns ErrNotFound (possibly also
//     wrapping [ErrInvalidKey]) and Exists false, nil. A write (Create,
//     Update, Touch, Delete) refuses it with an error wrapping
//     ErrInvalidKey. Such a key never reaches the backend.
//   - Logs and errors name a key only as [Redact] shows it, never whole.
//   - Expiry: an expiry the backend cannot hold saturates ([ClampExpiry]);
//     it is never refused or wrapped round.
//   - Purging: ClearExpired is Django's clearsessions; [StartJanitor] runs
//     it on a schedule for any store.
//   - Time: a store that reads the current time (to compare an expiry with
//     it in Go, or to turn an expiry into a Redis time to live) takes it
//     from WithClock(now func() time.Time), time.Now by default, so tests
//     move time by handing the store and ginsession.WithClock one clock.
//     Expiries kept by the backend's own clock (Redis TTLs) still run in
//     real time.
//
// # Optional capabilities
//
// A store may implement further interfaces, discovered by type assertion in
// the way net/http discovers [net/http.Flusher]: [Toucher] to refresh an
// expiry without rewriting data, [TTLLoader] to load a record's time to
// live with its data, [Swapper] to change a record only if it still holds
// what was loaded (no lost updates between concurrent requests), and
// [Indexer] for stores that keep a per-user index of sessions (list a
// user's sessions, end any of them). A [ClientSide] store keeps its
// records in the cookie instead of under a key.
//
// # Wrapping a store
//
// [Wrap] is the one way to put code (logging, metrics, tracing) around
// every call of a store: the store it returns has every capability the
// wrapped one has, with each call going through the wrapper. Do not embed
// a store in a type of your own to override some of its methods: the
// embedded capabilities would come along unwrapped, and the middleware,
// which prefers them (CompareAndSwap to Update, Touch to Update,
// LoadWithTTL to Load), would pass by the methods you override.
package stores

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound reports that no live record has the key: it never existed,
// it expired, it was deleted, or it could not be read back intact.
var ErrNotFound = errors.New("stores: session not found")

// ErrExists reports that Create found a record under the key already; the
// caller makes a new key and tries again.
var ErrExists = errors.New("stores: session key already exists")

// Store keeps session records by key.
//
// Records carry an absolute expiry. A record whose expiry has passed is, for
// Load, the same as no record at all, even if the store has not purged it yet.
// An expiry outside what the backend can hold (centuries ahead, or before
// 1970) saturates, see [ClampExpiry]; it is never refused or wrapped round.
type Store interface {
	// Load returns the data stored under key, in a slice the caller owns:
	// the store must not keep or change it. It returns ErrNotFound when the
	// record is missing, expired or unreadable; an error means the store
	// itself failed.
	Load(ctx context.Context, key string) ([]byte, error)

	// Create stores a new record and never overwrites one: when key is taken
	// (even by an expired record not yet purged, if the store cannot tell) it
	// returns ErrExists. A store may also refuse a key deleted moments ago
	// with ErrExists (cachedstore guards deleted keys with a tombstone);
	// either way the caller takes a new key.
	Create(ctx context.Context, key string, data []byte, expiry time.Time) error

	// Update replaces the data and expiry of an existing record and never
	// creates one: when the record has vanished (deleted by a concurrent
	// logout, or expired) it returns ErrNotFound, so a session that was ended
	// elsewhere is not brought back.
	Update(ctx context.Context, key string, data []byte, expiry time.Time) error

	// Delete removes the record. A missing record is not an error.
	Delete(ctx context.Context, key string) error

	// Exists reports whether a record holds key. Stores that can tell treat
	// expired records as absent; the key generator only needs "might be taken".
	Exists(ctx context.Context, key string) (bool, error)

	// ClearExpired removes expired records, Django's clearsessions. Stores
	// whose backend expires records by itself make it a no-op.
	ClearExpired(ctx context.Context) error
}

// Toucher is implemented by stores that can move a record's expiry without
// rewriting its data. Under SaveEveryRequest the middleware touches, rather
// than updates, a session the request did not change: cheaper, and it
// cannot write a stale copy over a concurrent request's change. Like Update
// it returns ErrNotFound for a vanished record, and never creates one.
type Toucher interface {
	Touch(ctx context.Context, key string, expiry time.Time) error
}

// ClientSide is implemented by stores that keep the whole record in the
// cookie. The cookie carries the sealed record instead of a key, so the
// middleware calls Seal and Open; nothing is kept on the server (as in
// Django's signed_cookies engine).
//
// A ClientSide is a Store too, so that ginsession.New takes a Store and
// nothing else compiles as its argument. Its Store methods say what the
// server holds: nothing. Exists reports false, Delete and ClearExpired do
// nothing, and Load, Create and Update return an error wrapping
// [errors.ErrUnsupported] (the middleware never calls them).
//
// keys holds the secrets to use, newest first: Seal uses keys[0], Open accepts
// a record sealed with any of them, so a secret can be rotated while the old
// one is still listed.
type ClientSide interface {
	Store

	// Seal returns the cookie value carrying data. It returns an error
	// (never a silently truncated value) when the value would be too large
	// for a cookie.
	Seal(data []byte, keys [][]byte) (string, error)

	// Open returns the data in a value made by Seal and the time it was
	// sealed, from which the caller enforces the session's age. Tampered,
	// truncated or foreign values give ErrNotFound.
	Open(value string, keys [][]byte) (data []byte, sealed time.Time, err error)
}
