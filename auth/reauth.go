package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/errprefix"
	"github.com/ginsession/ginsession/internal/sessionclock"
)

// SessionKeyVerifiedAt holds when the user last proved who they are (a
// login, or Reauthenticate), in Unix seconds; Django keeps it as any key.
const SessionKeyVerifiedAt = "_auth_verified_at"

// Reauthenticate records that the session's user has just proved again who
// they are, typically by typing their password before a sensitive change
// (OWASP ASVS 5.0 7.5.1, 7.5.3): call it after checking the password. The
// session moves to a new key (ASVS 7.2.4); routes behind RequireRecentLogin
// then let the request through for their maxAge.
//
// If user is not the session's user, nothing changes and the error wraps
// ErrNotLoggedIn: it never switches users. If the password changed since
// the login, the proof counts as a new login (Login).
func Reauthenticate(c *gin.Context, user User) error {
	if isNil(user) {
		return errors.New("auth: reauthenticate: user is nil")
	}
	s := ginsession.From(c)
	id, ok := UserID(c)
	if err := s.Err(); err != nil {
		return errprefix.Wrap("auth: reauthenticate", err)
	}
	if !ok || id != user.SessionAuthID() {
		return fmt.Errorf("auth: reauthenticate: the session is not user %q's: %w", user.SessionAuthID(), ErrNotLoggedIn)
	}
	keys, err := secrets(s)
	if err != nil {
		return errprefix.Wrap("auth: reauthenticate", err)
	}
	stored, _ := ginsession.Get[string](s, SessionKeyHash)
	if !hashEqual(stored, SessionAuthHash(keys[0], user.PasswordHash())) {
		backend, _ := ginsession.Get[string](s, SessionKeyBackend)
		return Login(c, user, backend)
	}
	if err := s.CycleKey(); err != nil {
		return errprefix.Wrap("auth: reauthenticate", err)
	}
	s.Set(SessionKeyVerifiedAt, int(sessionclock.Now(s).Unix()))
	return nil
}

// VerifiedAt returns when the session's user last logged in or
// re-authenticated, by the middleware's clock; false for a session without
// a user or a readable stamp (a login by a Django site has none).
func VerifiedAt(c *gin.Context) (time.Time, bool) {
	_, loggedIn := UserID(c)
	sec, ok := ginsession.Get[int64](ginsession.From(c), SessionKeyVerifiedAt)
	if !loggedIn || !ok || sec <= 0 {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// RequireRecentLogin returns middleware that lets a request through only
// when the session's user logged in or re-authenticated at most maxAge ago:
// the guard of a password, e-mail or "sign out everywhere" form. Any other
// request is sent to reauthURL (whose page calls Reauthenticate) as
// RequireLogin sends it to the login page, or answered 401 JSON.
//
// A stamp from the future is not fresh. A session without a user goes to
// reauthURL too; put RequireLogin in front to send it to the login page.
// It panics if maxAge is not positive or reauthURL does not parse.
func RequireRecentLogin(maxAge time.Duration, reauthURL string) gin.HandlerFunc {
	if maxAge <= 0 {
		panic(fmt.Sprintf("auth: RequireRecentLogin needs a positive maxAge, got %v", maxAge))
	}
	to := mustParseLoginURL(reauthURL)
	return func(c *gin.Context) {
		at, ok := VerifiedAt(c)
		if err := ginsession.From(c).Err(); err != nil {
			reject(c, to, err, "")
			return
		}
		now := sessionclock.Now(ginsession.From(c))
		if ok && !at.After(now) && now.Sub(at) <= maxAge {
			c.Next()
			return
		}
		c.Header("Cache-Control", "no-store")
		reject(c, to, nil, "reauthentication required")
	}
}

// LogoutOption changes what Logout does besides ending the session.
type LogoutOption struct{ clearSiteData string }

// ClearSiteData makes Logout send Clear-Site-Data: "cookies", "storage"
// (ASVS 5.0 14.3.1), and "cache" too when withCache is true, so the
// browser drops every cookie, localStorage, sessionStorage, IndexedDB and
// service worker of the site's origin, not only the session cookie.
//
// Caveats: browsers honour the header only over HTTPS (and on localhost);
// "cookies" clears the cookies of the whole registrable domain, sibling
// sites included; support differs between browsers, and "cache" can make
// the next page load slowly. The session ends whether or not the browser
// honours the header.
func ClearSiteData(withCache bool) LogoutOption {
	if withCache {
		return LogoutOption{`"cache", "cookies", "storage"`}
	}
	return LogoutOption{`"cookies", "storage"`}
}

// clearSiteDataKey holds ClearSiteDataOnEnd's header value in the gin.Context.
type clearSiteDataKey struct{}

// ClearSiteDataOnEnd returns middleware, registered after ginsession.New,
// that sends Clear-Site-Data as Logout(c, ClearSiteData(withCache)) does
// when CurrentUser or RequireUser ends a session of a changed password, and
// when Logout is called without options.
func ClearSiteDataOnEnd(withCache bool) gin.HandlerFunc {
	value := ClearSiteData(withCache).clearSiteData
	return func(c *gin.Context) {
		c.Set(clearSiteDataKey{}, value)
		c.Next()
	}
}

// sendClearSiteData sets the header for a session that just ended, if
// value or the request's ClearSiteDataOnEnd asks for it.
func sendClearSiteData(c *gin.Context, value string) {
	if value == "" {
		value = c.GetString(clearSiteDataKey{})
	}
	if value != "" {
		c.Header("Clear-Site-Data", value)
	}
}
