package stores

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrNoIndex reports that a user's sessions cannot be listed or ended
// one by one: the store has no per-user index ([Indexer]), or has one that
// is switched off (the error then names the option that switches it on).
var ErrNoIndex = errors.New("stores: the store keeps no per-user index of sessions")

// ErrClientSide is ErrNoIndex for a session kept in the cookie itself
// (stores/cookiestore): nothing on the server knows it, so it can be
// neither listed nor ended before its expiry, except by rotating the secret,
// which ends every session at once.
var ErrClientSide = fmt.Errorf("stores: a session sealed in its cookie lives in the browser alone and cannot be listed or revoked from the server (use a server-side store for a devices page): %w", ErrNoIndex)

// MaxIndexUserID is the longest user id an index must hold, in bytes.
const MaxIndexUserID = 255

// IndexEntry is what a per-user index records about one session.
type IndexEntry struct {
	// Key is the session's key. It is a bearer credential: nothing shows it
	// to a user but in [Redact]'s form.
	Key string
	// Created is when the session was first indexed (the login).
	Created time.Time
	// LastActive is the last request of the session that the index was told
	// about; the middleware writes it at most once per interval.
	LastActive time.Time
	// Expiry is how long the index must keep the entry at least: the
	// session's expiry plus a margin. A store whose entries lapse by
	// themselves (a Redis TTL) keeps them until then; others may ignore it,
	// since a listing shows live sessions only.
	Expiry time.Time
	// UserAgent and IP describe the device at login; empty when device
	// details are switched off.
	UserAgent string
	IP        string
	// Backend is the auth backend that authenticated the user.
	Backend string
}

// Indexer is implemented by stores that keep, beside their records, an
// index of each user's sessions, so a user can see them ("where am I
// signed in?") and end any of them without anything scanning every record.
//
// The index is an aid, never a source of truth: a session is live only
// while its record is. So IndexList shows only entries whose record is live
// (and drops the others), an entry never keeps a record alive, and a store
// never creates a record because an entry names it. An entry may outlive its
// record (a crash between two writes, a logout that did not know the user):
// that is harmless and pruned by IndexList and ClearExpired.
//
// userID is at most MaxIndexUserID bytes and never empty; keys follow
// [ValidKey]. stores/storetest's Index cases check the contract.
type Indexer interface {
	// CheckIndex reports, without any I/O, why the index cannot be used
	// (an error wrapping ErrNoIndex that names the fix), or nil.
	CheckIndex() error
	// IndexAdd records e under userID, replacing an entry with the same key.
	IndexAdd(ctx context.Context, userID string, e IndexEntry) error
	// IndexAddLimited records e under userID as IndexAdd does, atomically
	// with the check that userID then has at most max live sessions (entries
	// whose record is live; e's own key counts once). Entries of records
	// that are gone never count and may be dropped. When userID already has
	// max live sessions besides e.Key, it adds nothing and returns
	// ErrSessionLimit (evict false), or removes the entries of the least
	// recently active sessions until e fits and returns their keys (evict
	// true): the caller then deletes their records. Concurrent calls for one
	// user never leave more than max live entries between them.
	IndexAddLimited(ctx context.Context, userID string, e IndexEntry, max int, evict bool) (evicted []string, err error)
	// IndexTouch sets the LastActive of userID's entry for key and extends
	// its Expiry (never shortens it). It never creates an entry: it returns
	// ErrNotFound when there is none.
	IndexTouch(ctx context.Context, userID, key string, lastActive, expiry time.Time) error
	// IndexMove renames userID's entry for oldKey to newKey (CycleKey),
	// keeping Created, UserAgent, IP and Backend, and setting LastActive
	// and Expiry as IndexTouch does, in one atomic step. It returns
	// ErrNotFound, and creates nothing, when there is no entry for oldKey.
	IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, expiry time.Time) error
	// IndexRemove removes userID's entries for keys; a missing entry is not
	// an error.
	IndexRemove(ctx context.Context, userID string, keys ...string) error
	// IndexList returns userID's entries whose records are live, in any
	// order, and removes the entries of records that are not. A user
	// without entries has an empty list, not an error.
	IndexList(ctx context.Context, userID string) ([]IndexEntry, error)
}

// CheckIndexUser returns an error naming the problem when userID cannot
// be an index's user id or one of keys breaks the key rules, for stores to
// check the arguments of an Indexer method with.
func CheckIndexUser(userID string, keys ...string) error {
	if userID == "" || len(userID) > MaxIndexUserID {
		return fmt.Errorf("stores: index: a user id must be 1 to %d bytes, not %d", MaxIndexUserID, len(userID))
	}
	for _, k := range keys {
		if err := CheckKey(k); err != nil {
			return err
		}
	}
	return nil
}
