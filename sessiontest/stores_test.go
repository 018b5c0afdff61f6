package sessiontest_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/messages"
	"github.com/ginsession/ginsession/sessiontest"
	"github.com/ginsession/ginsession/stores"
)

// site serves, on store, the routes the store tests use: a real password
// login, a page for logged-in users that checks the user as
// auth.CurrentUser does, a counter and a note.
func site(store stores.Store) *gin.Engine {
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithSecretKey(secret)))
	r.POST("/login", func(c *gin.Context) {
		if c.PostForm("password") != "wonderland" {
			c.String(http.StatusForbidden, "wrong password")
			return
		}
		if err := auth.Login(c, alice, ""); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "logged in")
	})
	r.GET("/me", func(c *gin.Context) {
		u, err := auth.CurrentUser(c, loadUser)
		switch {
		case errors.Is(err, auth.ErrNotLoggedIn):
			c.String(http.StatusOK, "anonymous")
		case err != nil:
			c.String(http.StatusInternalServerError, err.Error())
		default:
			c.String(http.StatusOK, "user %s", u.SessionAuthID())
		}
	})
	r.GET("/count", count)
	r.GET("/note", func(c *gin.Context) {
		note, _ := ginsession.From(c).Get("note")
		c.String(http.StatusOK, "%v", note)
	})
	return r
}

// count adds one to the session's counter and flashes it.
func count(c *gin.Context) {
	s := ginsession.From(c)
	n, _ := ginsession.Get[int](s, "n")
	s.Set("n", n+1)
	if err := messages.Success(c, "counted"); err != nil {
		c.String(http.StatusInternalServerError, err.Error())
		return
	}
	c.String(http.StatusOK, "%d", n+1)
}

// TestForceLoginIsAuthLoginOnEveryStore logs one browser in through the
// application's password form and another with ForceLogin, from the same
// anonymous session data, and finds the same session: the same keys in the
// same order, the same hash, a new key, the old record gone, and
// auth.CurrentUser accepting it.
func TestForceLoginIsAuthLoginOnEveryStore(t *testing.T) {
	for _, sc := range theStores() {
		t.Run(sc.name, func(t *testing.T) {
			store := sc.open(t)
			r := site(store)
			byForm, forced := sessiontest.NewClient(t, r), sessiontest.NewClient(t, r)
			var before []string
			for _, c := range []*sessiontest.Client{byForm, forced} {
				c.Get("/count").ExpectStatus(http.StatusOK)
				before = append(before, c.Cookie("sessionid").Value)
			}
			byForm.PostForm("/login", url.Values{"password": {"wonderland"}}).ExpectStatus(http.StatusOK)
			forced.ForceLogin(alice, "")

			want, got := byForm.Session(), forced.Session()
			if g, w := got.Keys(), want.Keys(); !equal(g, w) {
				t.Errorf("ForceLogin's session has keys %q, auth.Login's %q", g, w)
			}
			for _, k := range want.Keys() {
				if g, _ := got.Get(k); g != mustGet(t, want, k) {
					t.Errorf("%s: ForceLogin stored %v, auth.Login %v", k, g, mustGet(t, want, k))
				}
			}
			if h := mustGet(t, got, auth.SessionKeyHash); h != auth.SessionAuthHash(secret, alice.PasswordHash()) {
				t.Errorf("the hash is %v, want SessionAuthHash of the password hash", h)
			}
			if after := forced.Cookie("sessionid").Value; after == before[1] {
				t.Error("ForceLogin kept the anonymous session's cookie: the key was not cycled")
			}
			if _, clientSide := store.(stores.ClientSide); !clientSide {
				if k := got.Key(); len(k) != 32 || k == before[1] {
					t.Errorf("session key %q after ForceLogin, want a new 32-character key", k)
				}
				if exists, err := store.Exists(context.Background(), before[1]); err != nil || exists {
					t.Errorf("the anonymous record is still there after ForceLogin (%v, %v)", exists, err)
				}
			}
			forced.Get("/me").ExpectStatus(http.StatusOK).ExpectBody("user 42")
			if n, _ := sessiontest.Get[int](forced.Session(), "n"); n != 1 {
				t.Errorf("the counter is %d after ForceLogin, want the anonymous session's 1 kept", n)
			}

			forced.Logout()
			if forced.Cookie("sessionid") != nil {
				t.Error("Logout left the session cookie in the jar")
			}
			forced.Get("/me").ExpectBody("anonymous")
			if _, clientSide := store.(stores.ClientSide); !clientSide {
				if exists, err := store.Exists(context.Background(), got.Key()); err != nil || exists {
					t.Errorf("the record is still there after Logout (%v, %v)", exists, err)
				}
			}
		})
	}
}

// TestTheSessionViewOnEveryStore reads what requests left, seeds a value a
// handler then reads, and shows pending messages, on every store.
func TestTheSessionViewOnEveryStore(t *testing.T) {
	for _, sc := range theStores() {
		t.Run(sc.name, func(t *testing.T) {
			c := sessiontest.NewClient(t, site(sc.open(t)))
			if s := c.Session(); s.Len() != 0 || s.Key() != "" {
				t.Fatalf("a new client's session has %d values under key %q", s.Len(), s.Key())
			}
			c.Get("/count")
			c.Get("/count")
			if n, ok := sessiontest.Get[int](c.Session(), "n"); !ok || n != 2 {
				t.Errorf("the session holds n = %d, %v after two counts, want 2", n, ok)
			}
			c.SetSession("note", "seeded")
			c.SetSession("n", 10)
			c.Get("/note").ExpectBody("seeded")
			c.Get("/count").ExpectBody("11")
			if keys := c.Session().Keys(); !equal(keys, []string{"n", messages.SessionKey, "note"}) {
				t.Errorf("keys %q, want n, _messages, note in the order they were first set", keys)
			}
			ms := c.Messages()
			if len(ms) != 3 || ms[2].Text != "counted" || ms[2].LevelTag != "success" {
				t.Errorf("pending messages %+v, want three tagged success", ms)
			}
			if len(c.Messages()) != 3 {
				t.Error("Messages consumed the messages")
			}
		})
	}
}

// TestTheDirectContextOnEveryStore calls a handler with a Context, then
// sees its answer, the cookie the commit set, what was saved, and the next
// request through the engine finding it.
func TestTheDirectContextOnEveryStore(t *testing.T) {
	for _, sc := range theStores() {
		t.Run(sc.name, func(t *testing.T) {
			c := sessiontest.NewClient(t, site(sc.open(t)))
			c.SetSession("n", 41)

			x := c.NewContext(httptest.NewRequest(http.MethodGet, "/count", nil))
			if v, _ := x.Session().Get("n"); v != 41 {
				t.Fatalf("the context's session holds n = %v, want the seeded 41", v)
			}
			count(x.C)
			res := x.Finish()
			if res.Code != http.StatusOK || res.Body != "42" || !res.Accessed {
				t.Fatalf("the handler answered %d %q (accessed %v)", res.Code, res.Body, res.Accessed)
			}
			if res.SetCookie("sessionid") == nil {
				t.Error("the commit set no session cookie")
			}
			if n, _ := sessiontest.Get[int](res.Session, "n"); n != 42 {
				t.Errorf("the session at the end holds n = %d, want 42", n)
			}
			if n, _ := sessiontest.Get[int](res.Saved, "n"); n != 42 {
				t.Errorf("the store holds n = %d after the commit, want 42", n)
			}
			if len(res.Unsaved) != 0 {
				t.Errorf("Unsaved = %q", res.Unsaved)
			}
			c.Get("/count").ExpectBody("43")
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustGet(t *testing.T, s *sessiontest.Session, key string) any {
	t.Helper()
	v, ok := s.Get(key)
	if !ok {
		t.Fatalf("the session has no %q (keys %q)", key, s.Keys())
	}
	return v
}
