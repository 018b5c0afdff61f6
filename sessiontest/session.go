package sessiontest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/messages"
)

// Session is a copy of a session's data as the test sees it, Django's
// client.session: what the store holds under the client's cookie, or what
// a handler left in its session. Changing the copy changes nothing else;
// Client.SetSession and Client.ChangeSession change the stored session.
type Session struct {
	key    string
	keys   []string
	values map[string]any
}

// Key returns the session key, as ginsession.Session.Key does: "" when the
// client has no live session, and always for a cookie store.
func (s *Session) Key() string { return s.key }

// Get returns the value under key, in the shape the codec loads it (JSON's
// for the default codec: int, float64, string, bool, []any,
// map[string]any); see [Get] for a typed read.
func (s *Session) Get(key string) (any, bool) {
	v, ok := s.values[key]
	return v, ok
}

// Has reports whether key is set.
func (s *Session) Has(key string) bool {
	_, ok := s.values[key]
	return ok
}

// Keys returns the keys in the session's order (the order they were first
// set).
func (s *Session) Keys() []string { return slices.Clone(s.keys) }

// Items returns a copy of every key and value.
func (s *Session) Items() map[string]any { return maps.Clone(s.values) }

// Len returns the number of entries.
func (s *Session) Len() int { return len(s.keys) }

// Get returns the value under key as a T, converted through its JSON form
// (a map[string]any into a struct, []any into []string, 42 into int64),
// and whether that worked: a missing key or a value that does not convert
// gives the zero T and false.
func Get[T any](s *Session, key string) (T, bool) {
	var out T
	v, ok := s.values[key]
	if !ok {
		return out, false
	}
	if t, ok := v.(T); ok {
		return t, true
	}
	b, err := json.Marshal(v)
	if err == nil {
		err = json.Unmarshal(b, &out)
	}
	if err != nil {
		var zero T
		return zero, false
	}
	return out, true
}

// snapshot copies the session's data. A session that failed to load
// gives its error (not a value it cannot store, nor a change too late to
// save: the data is still there to show).
func snapshot(s *ginsession.Session) (*Session, error) {
	keys, values := s.Keys(), s.Items()
	if err := s.Err(); err != nil && !errors.Is(err, ginsession.ErrCommitted) && !errors.Is(err, ginsession.ErrUnstorable) {
		return nil, err
	}
	return &Session{key: s.Key(), keys: keys, values: values}, nil
}

// Session returns what the store holds now under the client's session
// cookie: the session the next request will load. It saves nothing and
// leaves the session's expiry where it is, whatever the middleware's
// settings (SaveEveryRequest, an idle timeout).
func (c *Client) Session() *Session {
	c.t.Helper()
	var got *Session
	var err error
	c.onSide(httptest.NewRequest(http.MethodGet, "/", nil), &operation{run: func(gc *gin.Context) {
		got, err = snapshot(ginsession.From(gc))
		// Django saves no answer of 5xx: nothing this look did is stored.
		gc.Status(http.StatusInternalServerError)
	}}, false)
	if err != nil {
		c.t.Fatalf("sessiontest: load the client's session: %v", err)
	}
	return got
}

// SetSession stores value under key in the client's session, as a handler
// would with Set, and saves it: the client's next request sees it. Without
// a session cookie, a new session is made and its cookie put in the jar.
// A value the middleware's codec cannot store fails the test, naming key.
func (c *Client) SetSession(key string, value any) {
	c.t.Helper()
	c.change(fmt.Sprintf("SetSession(%q)", key), func(s *ginsession.Session) error {
		s.Set(key, value)
		return nil
	})
}

// ChangeSession runs change on the client's session, inside the
// application's session middleware, and saves what it did as a request
// would: for changes SetSession does not cover (SetExpiry, Delete,
// CycleKey, SetTestCookie ...). An error from change, or a session that
// cannot be saved, fails the test.
func (c *Client) ChangeSession(change func(s *ginsession.Session) error) {
	c.t.Helper()
	c.change("ChangeSession", change)
}

// ForceLogin logs user in on the client's session exactly as auth.Login
// does in a handler (it is auth.Login that runs): the same session keys
// and hash, the key cycled, with no password and no route of the
// application, Django's client.force_login. An empty backend stores
// auth.DefaultBackend. The middleware needs ginsession.WithSecretKey, as
// auth.Login does.
func (c *Client) ForceLogin(user auth.User, backend string) {
	c.t.Helper()
	c.run("ForceLogin", func(gc *gin.Context) error {
		return auth.Login(gc, user, backend)
	})
}

// Logout ends the client's session as auth.Logout does in a handler: the
// record is deleted and the session cookie leaves the jar.
func (c *Client) Logout() {
	c.t.Helper()
	c.run("Logout", func(gc *gin.Context) error { return auth.Logout(gc) })
}

// Messages returns the flash messages (package messages) pending in the
// client's session, oldest first, without consuming them: those the next
// page that shows messages will show. Level tags are Django's defaults.
func (c *Client) Messages() []messages.Message {
	c.t.Helper()
	var ms []messages.Message
	var err error
	c.onSide(httptest.NewRequest(http.MethodGet, "/", nil), &operation{run: func(gc *gin.Context) {
		ms, err = messages.Peek(gc)
		gc.Status(http.StatusInternalServerError) // save nothing, as Session does
	}}, false)
	if err != nil {
		c.t.Fatalf("sessiontest: read the pending messages: %v", err)
	}
	return ms
}

// change runs fn on the session and saves it now, so that a value the
// codec refuses fails here with its error rather than as an error page.
func (c *Client) change(what string, fn func(s *ginsession.Session) error) {
	c.t.Helper()
	c.run(what, func(gc *gin.Context) error {
		s := ginsession.From(gc)
		if err := fn(s); err != nil {
			return err
		}
		if err := s.Err(); err != nil {
			return err
		}
		if !s.Modified() || s.Len() == 0 {
			return nil // nothing to save, or an emptied session: the commit decides, as in a request
		}
		return s.Save()
	})
}

// run runs op on the client's session inside the middleware, puts the
// cookie the commit answers in the jar, and fails the test on an error
// from op or on an answer other than 200 (the commit failed, and the
// middleware's error handler answered).
func (c *Client) run(what string, op func(gc *gin.Context) error) {
	c.t.Helper()
	var err error
	rec := c.onSide(httptest.NewRequest(http.MethodGet, "/", nil), &operation{run: func(gc *gin.Context) {
		err = op(gc)
		if err != nil {
			gc.Status(http.StatusInternalServerError) // save nothing of a failed change
		}
	}}, true)
	switch {
	case err != nil:
		c.t.Fatalf("sessiontest: %s: %v", what, err)
	case rec.Code != http.StatusOK:
		c.t.Fatalf("sessiontest: %s: the session could not be saved: the middleware answered %d %q", what, rec.Code, rec.Body.String())
	}
}
