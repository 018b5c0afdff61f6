package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/errprefix"
)

// LoadFunc loads the user whose SessionAuthID is id. No such user, or one
// who may not log in, is a nil User or an error wrapping ErrUserNotFound or
// sql.ErrNoRows; any other error means the user store failed.
type LoadFunc func(ctx context.Context, id string) (User, error)

// cacheKey is the gin.Context key of CurrentUser's answer for a user id.
type cacheKey struct{}

type cachedUser struct {
	id   string
	user User // nil: not logged in
}

func setCached(c *gin.Context, id string, u User) {
	c.Set(cacheKey{}, cachedUser{id: id, user: u})
}

// CurrentUser returns the request's logged-in user, as Django's get_user
// does, or ErrNotLoggedIn.
//
// The session's user id is passed to load; the session then counts as
// logged in only while its stored hash matches SessionAuthHash of the
// user's current password hash, compared in constant time. A mismatch
// flushes the session (the password changed: this login is over), except
// when the stored hash was made with one of the middleware's fallback
// secrets: then the session moves to a new key and stores the current
// hash, so rotating the secret logs nobody out (Django 4.1.8+).
//
// A session without a user id or backend, or whose user load does not
// find, is not logged in and is left as it is. Any other error from load is
// returned, wrapped, and changes nothing. The answer is kept in the
// gin.Context for later calls in the same request.
func CurrentUser(c *gin.Context, load LoadFunc) (User, error) {
	if load == nil {
		return nil, errors.New("auth: current user: load is nil")
	}
	s := ginsession.From(c)
	id, ok := UserID(c)
	if err := s.Err(); err != nil {
		return nil, errprefix.Wrap("auth: current user", err)
	}
	if v, hit := c.Get(cacheKey{}); hit {
		if e := v.(cachedUser); e.id == id {
			if e.user == nil {
				return nil, ErrNotLoggedIn
			}
			return e.user, nil
		}
	}
	backend, _ := ginsession.Get[string](s, SessionKeyBackend)
	if !ok || backend == "" {
		setCached(c, id, nil)
		return nil, ErrNotLoggedIn
	}
	u, err := load(c.Request.Context(), id)
	switch {
	case errors.Is(err, ErrUserNotFound) || errors.Is(err, sql.ErrNoRows) || (err == nil && isNil(u)):
		setCached(c, id, nil)
		return nil, ErrNotLoggedIn
	case err != nil:
		return nil, fmt.Errorf("auth: current user: load user %q: %w", id, err)
	}
	keys, err := secrets(s)
	if err != nil {
		return nil, errprefix.Wrap("auth: current user", err)
	}
	stored, _ := ginsession.Get[string](s, SessionKeyHash)
	for i, k := range keys {
		if !hashEqual(stored, SessionAuthHash(k, u.PasswordHash())) {
			continue
		}
		if i > 0 { // a fallback secret's hash: re-key and store the current one
			if err := s.CycleKey(); err != nil {
				return nil, errprefix.Wrap("auth: current user: re-key after secret rotation", err)
			}
			s.Set(SessionKeyHash, SessionAuthHash(keys[0], u.PasswordHash()))
		}
		setCached(c, id, u)
		return u, nil
	}
	setCached(c, "", nil)
	err = s.Flush()
	s.Report(ginsession.Event{Op: ginsession.OpHashMismatch, User: id, Err: err})
	if err != nil {
		return nil, errprefix.Wrap("auth: current user: end the session of a changed password", err)
	}
	sendClearSiteData(c, "")
	return nil, ErrNotLoggedIn
}

// isNil reports whether u is nil or a nil pointer (or other nil-able kind)
// in an interface, as a loader written "return (*MyUser)(nil), nil" gives.
func isNil(u User) bool {
	switch v := reflect.ValueOf(u); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return u == nil
}
