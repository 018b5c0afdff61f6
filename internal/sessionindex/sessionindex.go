// Package sessionindex hands the session middleware's per-user index to
// the packages of this module that list and end a user's sessions (auth),
// and holds what both sides need: how a stored user id reads, and how a
// session is ended so that it stays ended.
package sessionindex

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ginsession/ginsession/stores"
)

// UserIDKey and BackendKey are the session keys django.contrib.auth keeps
// the user's id and auth backend in (auth.SessionKeyUserID and
// auth.SessionKeyBackend).
const (
	UserIDKey  = "_auth_user_id"
	BackendKey = "_auth_user_backend"
)

// Target is what a request's session offers for listing and ending its
// user's sessions.
type Target struct {
	Store stores.Store
	Index stores.Indexer
	// Key is the session's current key as the store keeps it (hashed
	// under ginsession.WithHashedKeys), "" when it has none.
	Key string
	// Admit indexes the session as user's now, under the cap on a user's
	// sessions when there is one (ginsession.UserIndex.MaxSessions):
	// auth.Login calls it before it stores the user, so a login the cap
	// refuses leaves the session as it was. It wraps stores.ErrSessionLimit
	// when refused.
	Admit func(user string) error
	// Context bounds one store call as the middleware bounds its own.
	Context func() (context.Context, context.CancelFunc)
}

// Of returns the index of the middleware that made session, or an error
// wrapping stores.ErrNoIndex that says why there is none. The root package
// sets it once, at init.
var Of func(session any) (Target, error)

// UserID reads a stored _auth_user_id as Django stores it (a string) or
// as other code may (an integer), in decimal; ok is false for anything else.
func UserID(v any) (id string, ok bool) {
	switch n := v.(type) {
	case string:
		id = n
	case int:
		id = strconv.Itoa(n)
	case int64:
		id = strconv.FormatInt(n, 10)
	case int32:
		id = strconv.FormatInt(int64(n), 10)
	case uint64:
		id = strconv.FormatUint(n, 10)
	case uint:
		id = strconv.FormatUint(uint64(n), 10)
	case float64:
		// A decoder without integer support; only whole numbers are ids.
		if n != float64(int64(n)) {
			return "", false
		}
		id = strconv.FormatInt(int64(n), 10)
	}
	return id, id != ""
}

// manyDeleter is a store that deletes many records in a few statements
// (sqlstore's DeleteMany), where one Delete per key could outlast the
// store timeout.
type manyDeleter interface {
	DeleteMany(ctx context.Context, keys ...string) error
}

// End ends userID's sessions under keys: each record is deleted first, so
// its cookie stops working on the next request, and only then is its entry
// removed, so a failure part way leaves every still-live session listed.
// It returns the first failure; the keys before it are ended.
func End(ctx context.Context, st stores.Store, ix stores.Indexer, userID string, keys ...string) error {
	var ended []string
	var err error
	if md, ok := st.(manyDeleter); ok && len(keys) > 1 {
		if err = md.DeleteMany(ctx, keys...); err != nil {
			return fmt.Errorf("end %d sessions: %w", len(keys), err)
		}
		keys, ended = nil, keys
	}
	for _, k := range keys {
		if err = st.Delete(ctx, k); err != nil {
			err = fmt.Errorf("end session %s: %w", stores.Redact(k), err)
			break
		}
		ended = append(ended, k)
	}
	if len(ended) > 0 {
		if rerr := ix.IndexRemove(ctx, userID, ended...); rerr != nil {
			// The records are gone; their entries go at the next listing.
			err = errors.Join(err, fmt.Errorf("remove ended sessions from the index: %w", rerr))
		}
	}
	return err
}
