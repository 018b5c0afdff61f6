package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/sessiontest"
	"github.com/ginsession/ginsession/stores/memstore"
)

func init() { gin.SetMode(gin.TestMode) }

// Secrets of at least 32 bytes, as ginsession.WithSecretKey requires.
const (
	secret    = "test-secret-key-for-auth-tests-0123456789"
	oldSecret = "an-older-secret-key-still-trusted-987654321"
)

// testUser is a user row: an id and a stored password hash.
type testUser struct{ id, pw string }

func (u testUser) SessionAuthID() string { return u.id }
func (u testUser) PasswordHash() string  { return u.pw }

// userDB is the user table the test site loads users from. It counts loads
// and can be told to fail.
type userDB struct {
	mu    sync.Mutex
	pw    map[string]string // id -> password hash
	loads int
	fail  error
}

func newUserDB() *userDB {
	return &userDB{pw: map[string]string{
		"42": "pbkdf2_sha256$260000$salt$hash",
		"7":  "pbkdf2_sha256$260000$salt$other",
	}}
}

func (db *userDB) user(id string) testUser {
	db.mu.Lock()
	defer db.mu.Unlock()
	return testUser{id, db.pw[id]}
}

func (db *userDB) setPassword(id, pw string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.pw[id] = pw
}

func (db *userDB) remove(id string) {
	db.mu.Lock()
	defer db.mu.Unlock()
	delete(db.pw, id)
}

func (db *userDB) failWith(err error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.fail = err
}

func (db *userDB) loadCount() int {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.loads
}

func (db *userDB) load(_ context.Context, id string) (auth.User, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	db.loads++
	if db.fail != nil {
		return nil, db.fail
	}
	pw, ok := db.pw[id]
	if !ok {
		return nil, fmt.Errorf("user %s: %w", id, auth.ErrUserNotFound)
	}
	return testUser{id, pw}, nil
}

// site is a gin.Engine with the session middleware and routes that call
// the auth package; its clients (sessiontest) send requests in process.
type site struct {
	t     *testing.T
	store *memstore.Store
	db    *userDB
	r     *gin.Engine
}

// newSite serves the test routes with a fresh store and user table.
func newSite(t *testing.T, opts ...ginsession.Option) *site {
	t.Helper()
	return newSiteOn(t, testenv.Must(memstore.New()), newUserDB(), opts...)
}

// newSiteOn serves the test routes over an existing store and user table,
// as a second instance of the same application would.
func newSiteOn(t *testing.T, store *memstore.Store, db *userDB, opts ...ginsession.Option) *site {
	t.Helper()
	if opts == nil {
		opts = []ginsession.Option{ginsession.WithSecretKey(secret)}
	}
	s := &site{t: t, store: store, db: db, r: gin.New()}
	r := s.r
	r.Use(ginsession.New(store, opts...))
	fail := func(c *gin.Context, err error) { c.String(http.StatusInternalServerError, "error: %v", err) }
	r.GET("/set", func(c *gin.Context) {
		ginsession.From(c).Set(c.Query("k"), c.Query("v"))
		c.String(http.StatusOK, "ok")
	})
	r.GET("/setint", func(c *gin.Context) {
		ginsession.From(c).Set(c.Query("k"), 42)
		c.String(http.StatusOK, "ok")
	})
	r.GET("/del", func(c *gin.Context) {
		ginsession.From(c).Delete(c.Query("k"))
		c.String(http.StatusOK, "ok")
	})
	r.GET("/dump", func(c *gin.Context) {
		sess := ginsession.From(c)
		out := map[string]any{}
		for k, v := range sess.All() {
			out[k] = v
		}
		c.JSON(http.StatusOK, gin.H{"keys": sess.Keys(), "values": out})
	})
	r.POST("/login", func(c *gin.Context) {
		u := db.user(c.Query("id"))
		if pw := c.Query("pw"); pw != "" {
			u.pw = pw
		}
		if err := auth.Login(c, u, c.Query("backend")); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "logged in")
	})
	r.POST("/logout", func(c *gin.Context) {
		if err := auth.Logout(c); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "logged out")
	})
	r.GET("/userid", func(c *gin.Context) {
		id, ok := auth.UserID(c)
		c.String(http.StatusOK, "%s %v", id, ok)
	})
	r.GET("/me", func(c *gin.Context) {
		before := db.loadCount()
		n := 1
		if c.Query("twice") != "" {
			n = 2
		}
		var u auth.User
		var err error
		for range n {
			u, err = auth.CurrentUser(c, db.load)
		}
		c.Header("X-Loads", fmt.Sprint(db.loadCount()-before))
		switch {
		case err == nil:
			c.String(http.StatusOK, "user %s", u.SessionAuthID())
		case errors.Is(err, auth.ErrNotLoggedIn):
			c.String(http.StatusOK, "anonymous")
		default:
			fail(c, err)
		}
	})
	r.POST("/password", func(c *gin.Context) {
		id, _ := auth.UserID(c)
		db.setPassword(id, c.Query("pw"))
		if err := auth.UpdateSessionAuthHash(c, db.user(id)); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "changed")
	})
	r.GET("/private", auth.RequireLogin("/login"), func(c *gin.Context) { c.String(http.StatusOK, "private") })
	r.POST("/private", auth.RequireLogin("/login"), func(c *gin.Context) { c.String(http.StatusOK, "private") })
	r.GET("/verified", auth.RequireUser("/accounts/login/?lang=en", db.load), func(c *gin.Context) {
		u, err := auth.CurrentUser(c, db.load)
		if err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "verified %s", u.SessionAuthID())
	})
	return s
}

// exists reports whether the store holds a record under key.
func (s *site) exists(key string) bool {
	s.t.Helper()
	ok, err := s.store.Exists(context.Background(), key)
	if err != nil {
		s.t.Fatal(err)
	}
	return ok
}

// client is one browser: a sessiontest client, its own cookie jar,
// redirects not followed.
type client struct {
	t    *testing.T
	site *site
	c    *sessiontest.Client
}

func (s *site) client() *client {
	return &client{t: s.t, site: s, c: sessiontest.NewClient(s.t, s.r)}
}

// on returns a client for another site that shares this client's cookies:
// the same browser on another instance of the application.
func (c *client) on(s *site) *client {
	return &client{t: c.t, site: s, c: sessiontest.NewClient(c.t, s.r, sessiontest.WithCookiesOf(c.c))}
}

// do sends a request with header pairs and returns the response and body.
func (c *client) do(method, path string, header ...string) (*http.Response, string) {
	c.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	r := c.c.Do(req)
	return &http.Response{StatusCode: r.Code, Header: r.Header}, r.Body
}

// must sends a request and fails the test unless the answer is 200.
func (c *client) must(method, path string) string {
	c.t.Helper()
	resp, body := c.do(method, path)
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, body)
	}
	return body
}

// key returns the session key in the jar, "" when there is none.
func (c *client) key() string {
	if ck := c.c.Cookie("sessionid"); ck != nil {
		return ck.Value
	}
	return ""
}

// session returns the session's keys in order and its values.
func (c *client) session() ([]string, map[string]any) {
	c.t.Helper()
	var d struct {
		Keys   []string       `json:"keys"`
		Values map[string]any `json:"values"`
	}
	if err := json.Unmarshal([]byte(c.must("GET", "/dump")), &d); err != nil {
		c.t.Fatal(err)
	}
	return d.Keys, d.Values
}

// login logs the client in as id and returns the new session key.
func (c *client) login(id string) string {
	c.t.Helper()
	if body := c.must("POST", "/login?id="+id); body != "logged in" {
		c.t.Fatalf("login: %s", body)
	}
	k := c.key()
	if k == "" {
		c.t.Fatal("login set no session cookie")
	}
	return k
}

// me returns what /me says: "user <id>" or "anonymous".
func (c *client) me() string {
	c.t.Helper()
	return c.must("GET", "/me")
}

func deletesCookie(resp *http.Response) bool {
	for _, l := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, "sessionid=;") && strings.Contains(l, "Max-Age=0") {
			return true
		}
	}
	return false
}
