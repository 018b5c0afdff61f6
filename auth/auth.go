// Package auth logs users in and out of a ginsession session the way
// django.contrib.auth does, with the same session keys and hash, so a Go
// service and a Django site sharing SECRET_KEY, users and sessions recognise
// each other's logins.
//
// # Usage
//
//	r.Use(ginsession.New(store, ginsession.WithSecretKey("example-secret-of-at-least-32-bytes!")))
//	r.POST("/login", func(c *gin.Context) {
//		// A real handler checks the password first.
//		if err := auth.Login(c, accounts["42"], ""); err != nil {
//			c.String(http.StatusInternalServerError, "login failed")
//			return
//		}
//		c.Redirect(http.StatusSeeOther, auth.SafeNext(c.Query("next"), "/"))
//	})
//	r.GET("/profile", auth.RequireLogin("/login"), func(c *gin.Context) {
//		u, err := auth.CurrentUser(c, load)
//		if errors.Is(err, auth.ErrNotLoggedIn) {
//			c.Redirect(http.StatusFound, "/login")
//			return
//		}
//		if err != nil {
//			c.String(http.StatusInternalServerError, "try again later")
//			return
//		}
//		c.String(http.StatusOK, "hello, user %s", u.SessionAuthID())
//	})
//
// where load finds a user by id (see [Login]'s example).
//
// # Django, spelled in Go
//
//	django.contrib.auth                 auth
//	login(request, user, backend)       Login(c, user, backend) (it calls csrf.Rotate, as login calls rotate_token)
//	logout(request)                     Logout(c)
//	request.session['_auth_user_id']    UserID(c)
//	get_user(request) / request.user    CurrentUser(c, load)
//	update_session_auth_hash(r, user)   UpdateSessionAuthHash(c, user)
//	@login_required                     RequireLogin(loginURL), RequireUser(loginURL, load)
//	(none: ASVS 5.0 7.5)                Reauthenticate(c, user), RequireRecentLogin(maxAge, url)
//	url_has_allowed_host_and_scheme     SafeNext(next, fallback)
//	user.get_session_auth_hash()        SessionAuthHash(secret, user.PasswordHash())
//	(django-user-sessions)              Sessions(c), EndSession(c, handle), EndOtherSessions(c),
//	                                    EndUserSessions(ctx, store, userID); see ginsession.WithUserIndex
//
// # Why the hash
//
// Login stores an HMAC of the user's password hash, keyed from the
// middleware's secret ([ginsession.WithSecretKey]), in the session.
// CurrentUser recomputes it and ends the session when it differs, so a new
// password ends the user's other sessions at their next request, while
// UpdateSessionAuthHash keeps the one that changed it.
package auth

import (
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/csrf"
	"github.com/ginsession/ginsession/internal/errprefix"
	"github.com/ginsession/ginsession/internal/sessionclock"
	"github.com/ginsession/ginsession/internal/sessionindex"
	"github.com/ginsession/ginsession/internal/sessionsecret"
	"github.com/ginsession/ginsession/signing"
)

// Session keys, as django.contrib.auth names them: the user's primary key
// as a string, the dotted path of the backend that authenticated the user,
// and SessionAuthHash of the user's password hash at login time.
const (
	SessionKeyUserID  = "_auth_user_id"
	SessionKeyBackend = "_auth_user_backend"
	SessionKeyHash    = "_auth_user_hash"
)

// DefaultBackend is what Login stores when no backend is given: Django's
// ModelBackend, in AUTHENTICATION_BACKENDS by default.
const DefaultBackend = "django.contrib.auth.backends.ModelBackend"

const hashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

// ErrNoSecret reports that the session middleware has no secret, so no
// session auth hash can be computed.
var ErrNoSecret = errors.New("auth: the session middleware has no secret key: add ginsession.WithSecretKey(<at least 32 random bytes>) to ginsession.New")

// ErrNotLoggedIn reports that the session holds no user, the user no longer
// exists, or the password changed since the login.
var ErrNotLoggedIn = errors.New("auth: not logged in")

// ErrUserNotFound is what a LoadFunc returns (or wraps) when the id names no
// user, or one who may not log in (Django's inactive users).
var ErrUserNotFound = errors.New("auth: user not found")

// User is what auth needs to know about a user.
type User interface {
	// SessionAuthID returns the user's primary key as Django stores it in
	// _auth_user_id ("42", or a UUID's canonical form).
	SessionAuthID() string
	// PasswordHash returns the stored password hash ("pbkdf2_sha256$...");
	// any change to it ends the user's other sessions.
	PasswordHash() string
}

// SessionAuthHash returns Django's get_session_auth_hash for a user whose
// stored password hash is passwordHash: the hex HMAC-SHA256 of
// passwordHash keyed with SHA-256 of Django's salt and secret.
func SessionAuthHash(secret, passwordHash string) string {
	return hex.EncodeToString(signing.SaltedHMAC(hashSalt, passwordHash, secret))
}

func hashEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func secrets(s *ginsession.Session) ([]string, error) {
	keys := sessionsecret.Of(s)
	if len(keys) == 0 || keys[0] == "" {
		return nil, ErrNoSecret
	}
	return keys, nil
}

// Login records user as the session's user, as Django's login does. On an
// anonymous session it moves the data to a new key (CycleKey), so a key
// planted before login is worthless after it; on a session of another user,
// or whose stored hash no longer matches, it starts an empty session
// (Flush); logging the same user in again changes nothing but the backend
// (DefaultBackend when empty). In every case it gives the request a new CSRF
// secret (csrf.Rotate), restarts the clock of ginsession.WithAbsoluteTimeout
// and stamps SessionKeyVerifiedAt for RequireRecentLogin.
func Login(c *gin.Context, user User, backend string) error {
	err := errprefix.Wrap("auth: login", login(c, user, backend))
	if s, ok := ginsession.Lookup(c); ok {
		e := ginsession.Event{Op: ginsession.OpLogin, Err: err}
		if err == nil {
			e.User = user.SessionAuthID()
		}
		s.Report(e)
	}
	return err
}

func login(c *gin.Context, user User, backend string) error {
	if isNil(user) {
		return errors.New("user is nil")
	}
	id := user.SessionAuthID()
	if id == "" {
		return errors.New("the user's SessionAuthID is empty")
	}
	s := ginsession.From(c)
	keys, err := secrets(s)
	if err != nil {
		return err
	}
	hash := SessionAuthHash(keys[0], user.PasswordHash())
	if oldID, ok := UserID(c); ok || s.Has(SessionKeyUserID) {
		stored, _ := ginsession.Get[string](s, SessionKeyHash)
		if oldID != id || !hashEqual(stored, hash) {
			if err := s.Flush(); err != nil {
				return fmt.Errorf("end the previous user's session: %w", err)
			}
		}
	} else if err := s.CycleKey(); err != nil {
		return err
	}
	if err := s.Err(); err != nil {
		return err
	}
	if err := admit(s, id); err != nil {
		return err
	}
	if backend == "" {
		backend = DefaultBackend
	}
	s.RestartAbsoluteTimeout()
	// Auth's own key first, so Django's three keys end in its order.
	s.Set(SessionKeyVerifiedAt, int(sessionclock.Now(s).Unix()))
	s.Set(SessionKeyUserID, id)
	s.Set(SessionKeyBackend, backend)
	s.Set(SessionKeyHash, hash)
	setCached(c, id, user)
	return csrf.Rotate(c) // as Django's login calls rotate_token
}

// Logout ends the session, as Django's logout does: the record is deleted,
// the data dropped, and the cookie removed at the end of the request
// (unless the handler stores something new). With ClearSiteData, or under
// ClearSiteDataOnEnd, a response that ended the session also tells the
// browser to drop what else the site stored.
func Logout(c *gin.Context, opts ...LogoutOption) error {
	var clearSiteData string
	for _, o := range opts {
		clearSiteData = o.clearSiteData
	}
	s := ginsession.From(c)
	setCached(c, "", nil)
	err := s.Flush()
	s.Report(ginsession.Event{Op: ginsession.OpLogout, Err: err})
	if err != nil {
		return errprefix.Wrap("auth: logout", err)
	}
	sendClearSiteData(c, clearSiteData)
	return nil
}

// UserID returns the id Login stored (an integer id in decimal), without
// loading the user or checking the hash; use CurrentUser where the user must
// still be valid.
func UserID(c *gin.Context) (string, bool) {
	v, ok := ginsession.From(c).Get(SessionKeyUserID)
	if !ok {
		return "", false
	}
	return sessionindex.UserID(v)
}

// UpdateSessionAuthHash keeps this session logged in after user's password
// changed, as Django's update_session_auth_hash does: the session moves to
// a new key and, if it is user's, stores the hash of the new password (call
// it after storing that). The user's other sessions end at their next
// CurrentUser.
func UpdateSessionAuthHash(c *gin.Context, user User) error {
	if isNil(user) {
		return errors.New("auth: update session auth hash: user is nil")
	}
	s := ginsession.From(c)
	keys, err := secrets(s)
	if err != nil {
		return errprefix.Wrap("auth: update session auth hash", err)
	}
	if err := s.CycleKey(); err != nil {
		return errprefix.Wrap("auth: update session auth hash", err)
	}
	if id, ok := UserID(c); ok && id == user.SessionAuthID() {
		s.Set(SessionKeyHash, SessionAuthHash(keys[0], user.PasswordHash()))
		setCached(c, id, user)
	}
	return nil
}
