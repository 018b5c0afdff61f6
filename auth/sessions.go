package auth

import (
	"cmp"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/errprefix"
	"github.com/ginsession/ginsession/internal/sessionindex"
	"github.com/ginsession/ginsession/signing"
	"github.com/ginsession/ginsession/stores"
)

// ErrNoSuchSession reports that a handle names none of the current user's
// live sessions.
var ErrNoSuchSession = errors.New("auth: no such session of this user")

// ErrNoIndex is stores.ErrNoIndex: the sessions cannot be listed or ended
// one by one (the user index is off, or the store is the cookie store,
// stores.ErrClientSide).
var ErrNoIndex = stores.ErrNoIndex

const handleSalt = "github.com/ginsession/ginsession/auth.SessionHandle"

// Device is one of the current user's sessions, as Sessions lists it.
type Device struct {
	// Handle names the session to EndSession: an HMAC of the key, which it
	// does not reveal, and which ends nothing for another user.
	Handle string
	// Current marks the session of the request that listed it.
	Current bool
	// Key is the session key as stores.Redact shows it in logs.
	Key string
	// Created is the login; LastActive the last request the index knows of
	// (at most ginsession.UserIndex.ActivityInterval old).
	Created, LastActive time.Time
	// UserAgent and IP are the device's at login (empty under
	// ginsession.UserIndex.NoDeviceDetails).
	UserAgent, IP string
	// Backend is the auth backend that logged the user in.
	Backend string
}

// Sessions lists the current user's live sessions, newest activity first,
// the request's own marked Current. It needs ginsession.WithUserIndex and a
// logged-in session (ErrNotLoggedIn otherwise); serve it behind
// RequireUser, so a session whose password changed cannot list or end the
// others.
func Sessions(c *gin.Context) ([]Device, error) {
	t, _, entries, err := userSessions(c, "sessions")
	if err != nil {
		return nil, err
	}
	keys, err := secrets(ginsession.From(c))
	if err != nil {
		return nil, errprefix.Wrap("auth: sessions", err)
	}
	now := time.Now()
	out := make([]Device, 0, len(entries))
	for _, e := range entries {
		d := Device{
			Handle: handle(keys[0], e.Key), Current: e.Key == t.Key, Key: stores.Redact(e.Key),
			Created: e.Created, LastActive: e.LastActive, UserAgent: e.UserAgent, IP: e.IP, Backend: e.Backend,
		}
		if d.Current && now.After(d.LastActive) {
			d.LastActive = now
		}
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b Device) int {
		return cmp.Or(b.LastActive.Compare(a.LastActive), b.Created.Compare(a.Created), strings.Compare(a.Handle, b.Handle))
	})
	return out, nil
}

// EndSession ends the current user's session that Sessions listed under
// handle: its record is deleted, so its cookie stops working. A handle of
// the request's own session logs it out (Logout). A handle that names none
// of this user's live sessions ends nothing and returns ErrNoSuchSession.
func EndSession(c *gin.Context, handleValue string) error {
	t, user, entries, err := userSessions(c, "end session")
	if err != nil {
		return err
	}
	keys, err := secrets(ginsession.From(c))
	if err != nil {
		return errprefix.Wrap("auth: end session", err)
	}
	for _, e := range entries {
		if !handleMatches(keys, handleValue, e.Key) {
			continue
		}
		if e.Key == t.Key {
			return Logout(c)
		}
		return errprefix.Wrap("auth: end session", end(c, t, user, e.Key))
	}
	return ErrNoSuchSession
}

// EndOtherSessions ends every session of the current user but the
// request's own ("sign out everywhere else") and returns how many it
// ended. Sessions logged in at the same moment elsewhere may outlive it;
// see EndUserSessions.
func EndOtherSessions(c *gin.Context) (int, error) {
	t, user, entries, err := userSessions(c, "end other sessions")
	if err != nil {
		return 0, err
	}
	var others []string
	for _, e := range entries {
		if e.Key != t.Key {
			others = append(others, e.Key)
		}
	}
	if err := end(c, t, user, others...); err != nil {
		return 0, errprefix.Wrap("auth: end other sessions", err)
	}
	return len(others), nil
}

// EndUserSessions ends every session of the user whose SessionAuthID is
// userID, without a request (admin tools, account lockout), in the store
// passed to ginsession.New with WithUserIndex, and returns how many it
// ended; an error wraps ErrNoIndex for a store without an index.
//
// A login of the user that completes while it runs is not ended: to lock
// an account out, refuse its logins first, then call EndUserSessions.
func EndUserSessions(ctx context.Context, store stores.Store, userID string) (int, error) {
	if _, ok := store.(stores.ClientSide); ok {
		return 0, fmt.Errorf("auth: end user sessions: %w", stores.ErrClientSide)
	}
	ix, ok := store.(stores.Indexer)
	if !ok {
		return 0, fmt.Errorf("auth: end user sessions: the store %T: %w", store, stores.ErrNoIndex)
	}
	if err := ix.CheckIndex(); err != nil {
		return 0, errprefix.Wrap("auth: end user sessions", err)
	}
	entries, err := ix.IndexList(ctx, userID)
	if err != nil {
		return 0, errprefix.Wrap("auth: end user sessions", err)
	}
	keys := make([]string, len(entries))
	for i, e := range entries {
		keys[i] = e.Key
	}
	if err := sessionindex.End(ctx, store, ix, userID, keys...); err != nil {
		return 0, errprefix.Wrap("auth: end user sessions", err)
	}
	return len(keys), nil
}

// userSessions returns the index of the request's session, its user and
// the user's live sessions; an error says op.
func userSessions(c *gin.Context, op string) (sessionindex.Target, string, []stores.IndexEntry, error) {
	s := ginsession.From(c)
	user, ok := UserID(c) // loads the session first: t.Key is never a stale key
	t, err := sessionindex.Of(s)
	if err == nil {
		err = s.Err()
	}
	if err == nil && !ok {
		err = ErrNotLoggedIn
	}
	var entries []stores.IndexEntry
	if err == nil {
		ctx, cancel := t.Context()
		defer cancel()
		entries, err = t.Index.IndexList(ctx, user)
	}
	return t, user, entries, errprefix.Wrap("auth: "+op, err)
}

// end ends the user's sessions under keys and reports each ended one, or
// the failure.
func end(c *gin.Context, t sessionindex.Target, user string, keys ...string) error {
	ctx, cancel := t.Context()
	defer cancel()
	err := sessionindex.End(ctx, t.Store, t.Index, user, keys...)
	s := ginsession.From(c)
	if err != nil {
		s.Report(ginsession.Event{Op: ginsession.OpSessionEnded, User: user, Err: err})
		return err
	}
	for range keys {
		s.Report(ginsession.Event{Op: ginsession.OpSessionEnded, User: user})
	}
	return nil
}

// handle is the base64url of the first 128 bits of an HMAC of key.
func handle(secret, key string) string {
	return base64.RawURLEncoding.EncodeToString(signing.SaltedHMAC(handleSalt, key, secret)[:16])
}

// handleMatches reports, in constant time, whether h is key's handle under
// any of secrets (a list shown before a rotation still works).
func handleMatches(secrets []string, h, key string) bool {
	ok := 0
	for _, sec := range secrets {
		ok |= subtle.ConstantTimeCompare([]byte(h), []byte(handle(sec, key)))
	}
	return ok == 1 && h != ""
}
