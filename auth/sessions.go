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
// live sessions: it was ended already, expired, or belongs to nobody this
// user may end.
var ErrNoSuchSession = errors.New("auth: no such session of this user")

// ErrNoIndex is stores.ErrNoIndex: the sessions cannot be listed or ended
// one by one (the user index is off, or the store is the cookie store,
// stores.ErrClientSide).
var ErrNoIndex = stores.ErrNoIndex

const handleSalt = "github.com/ginsession/ginsession/auth.SessionHandle"

// Device is one of the current user's sessions, as Sessions lists it.
type Device struct {
	// Handle names the session to EndSession. It is derived from the key
	// under the middleware's secret: it is not the key, does not reveal it,
	// and ends nothing for anyone but the user it was listed to.
	Handle string
	// Current marks the session of the request that listed it.
	Current bool
	// Key is the session key in stores.Redact's form, to tell sessions
	// apart in logs; never the whole key.
	Key string
	// Created is the login; LastActive the last request the index knows of
	// (at most ginsession.UserIndex.ActivityInterval old).
	Created, LastActive time.Time
	// UserAgent and IP are the device's at login, empty when device details
	// are off (ginsession.UserIndex.NoDeviceDetails).
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
	t, user, err := indexOf(c, "sessions")
	if err != nil {
		return nil, err
	}
	entries, err := list(t, user)
	if err != nil {
		return nil, errprefix.Wrap("auth: sessions", err)
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
// handle: its record is deleted, so its cookie stops working at its next
// request. A handle of the request's own session logs it out (Logout). A
// handle that names none of this user's live sessions (another user's, a
// session key, anything made up) ends nothing and returns
// ErrNoSuchSession.
func EndSession(c *gin.Context, handleValue string) error {
	t, user, err := indexOf(c, "end session")
	if err != nil {
		return err
	}
	s := ginsession.From(c)
	keys, err := secrets(s)
	if err != nil {
		return errprefix.Wrap("auth: end session", err)
	}
	entries, err := list(t, user)
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
		ctx, cancel := t.Context()
		defer cancel()
		err := sessionindex.End(ctx, t.Store, t.Index, user, e.Key)
		s.Report(ginsession.Event{Op: ginsession.OpSessionEnded, User: user, Err: err})
		return errprefix.Wrap("auth: end session", err)
	}
	return ErrNoSuchSession
}

// EndOtherSessions ends every session of the current user but the
// request's own ("sign out everywhere else") and returns how many it
// ended. Sessions logged in at the same moment elsewhere may outlive it;
// see EndUserSessions.
func EndOtherSessions(c *gin.Context) (int, error) {
	t, user, err := indexOf(c, "end other sessions")
	if err != nil {
		return 0, err
	}
	entries, err := list(t, user)
	if err != nil {
		return 0, errprefix.Wrap("auth: end other sessions", err)
	}
	var others []string
	for _, e := range entries {
		if e.Key != t.Key {
			others = append(others, e.Key)
		}
	}
	ctx, cancel := t.Context()
	defer cancel()
	err = sessionindex.End(ctx, t.Store, t.Index, user, others...)
	if err != nil {
		ginsession.From(c).Report(ginsession.Event{Op: ginsession.OpSessionEnded, User: user, Err: err})
		return 0, errprefix.Wrap("auth: end other sessions", err)
	}
	for range others {
		ginsession.From(c).Report(ginsession.Event{Op: ginsession.OpSessionEnded, User: user})
	}
	return len(others), nil
}

// EndUserSessions ends every session of the user whose SessionAuthID is
// userID, without a request: for admin tools and account lockout. store
// is the one passed to ginsession.New, with the index on (WithUserIndex
// fills it); it returns how many sessions it ended, and an error wrapping
// ErrNoIndex for a store without an index.
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

func indexOf(c *gin.Context, op string) (sessionindex.Target, string, error) {
	s := ginsession.From(c)
	user, ok := UserID(c) // loads the session first: t.Key is never a stale key
	t, err := sessionindex.Of(s)
	if err == nil {
		err = s.Err()
	}
	if err == nil && !ok {
		err = ErrNotLoggedIn
	}
	if err != nil {
		return t, "", fmt.Errorf("auth: %s: %w", op, err)
	}
	return t, user, nil
}

func list(t sessionindex.Target, user string) ([]stores.IndexEntry, error) {
	ctx, cancel := t.Context()
	defer cancel()
	return t.Index.IndexList(ctx, user)
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
