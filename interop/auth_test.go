package interop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/stores"
)

// The auth tests log users in on one side and check the login on the other,
// through the django_session table of a database Django migrated, with the
// users of Django's auth_user table.

func init() { gin.SetMode(gin.TestMode) }

// otherSecret is a secret Django does not know.
const otherSecret = "ginsession-interop-a-secret-django-does-not-know"

// djangoUser is a row of Django's auth_user as the Go side sees it.
type djangoUser struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
	Password string `json:"password"` // the stored hash, "pbkdf2_sha256$..."
}

func (u djangoUser) SessionAuthID() string { return strconv.FormatInt(u.ID, 10) }
func (u djangoUser) PasswordHash() string  { return u.Password }

// authDB is a djangoDB whose database also has Django's auth tables, with a
// connection the Go side reads users through.
type authDB struct {
	djangoDB
	users *sqlx.DB
}

func newDjangoAuthDB(t *testing.T, kind string) authDB {
	t.Helper()
	d := newDjangoDB(t, kind)
	var migrated struct {
		Tables []string `json:"tables"`
	}
	d.env.run(t, "auth_migrate", struct{}{}, &migrated)
	for _, want := range []string{"auth_user", "django_content_type", "django_session"} {
		if !slices.Contains(migrated.Tables, want) {
			t.Fatalf("Django's migrations made %q, no %s", migrated.Tables, want)
		}
	}
	return authDB{djangoDB: d, users: d.db}
}

// createUser has Django run User.objects.create_user.
func (a authDB) createUser(t *testing.T, username, password string) djangoUser {
	t.Helper()
	var u djangoUser
	a.env.run(t, "auth_create_user", map[string]string{"username": username, "password": password}, &u)
	if u.ID == 0 || u.Username != username || !strings.HasPrefix(u.Password, "pbkdf2_sha256$") {
		t.Fatalf("Django created %+v", u)
	}
	return u
}

// setPassword has Django run user.set_password and user.save, returning the
// user with the new hash.
func (a authDB) setPassword(t *testing.T, username, password string) djangoUser {
	t.Helper()
	var u djangoUser
	a.env.run(t, "auth_set_password", map[string]string{"username": username, "password": password}, &u)
	return u
}

// djangoLogin has Django log username in on a fresh session
// (django.contrib.auth.login, then session.save()), returning the key and
// the session's data.
func (a authDB) djangoLogin(t *testing.T, username string) (string, map[string]any) {
	t.Helper()
	var resp struct {
		Key  string `json:"key"`
		JSON string `json:"json"`
	}
	a.env.run(t, "auth_login", map[string]string{"username": username}, &resp)
	if !stores.ValidKey(resp.Key) {
		t.Fatalf("Django's key %q breaks ginsession's key rules", resp.Key)
	}
	_, values := goValues(t, resp.JSON)
	return resp.Key, values
}

// djangoGetUser is Django's get_user(request) for a request whose session
// has key: the user (nil for AnonymousUser), the session's key afterwards
// ("" when get_user flushed it) and whether the row is still there.
func (a authDB) djangoGetUser(t *testing.T, key string) (user *djangoUser, after string, row bool) {
	t.Helper()
	var resp struct {
		User       *djangoUser `json:"user"`
		SessionKey *string     `json:"session_key"`
		Row        bool        `json:"row"`
	}
	a.env.run(t, "auth_get_user", map[string]string{"key": key}, &resp)
	if resp.SessionKey != nil {
		after = *resp.SessionKey
	}
	return resp.User, after, resp.Row
}

// load is the Go side's auth.LoadFunc: the user of Django's auth_user,
// read over SQL; inactive users cannot log in, as with ModelBackend.
func (a authDB) load(ctx context.Context, id string) (auth.User, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("user id %q: %w", id, auth.ErrUserNotFound)
	}
	var u djangoUser
	err = a.users.QueryRowxContext(ctx, "SELECT id, username, password FROM auth_user WHERE id = ? AND is_active", n).Scan(&u.ID, &u.Username, &u.Password)
	if err != nil {
		return nil, err // sql.ErrNoRows: not logged in
	}
	return u, nil
}

// goApp is a Go service on the shared table: Django's codec and secret for
// the data, hashSecret for the auth hashes (secret, unless a test wants a
// secret Django does not know). POST /login logs user in; GET /me answers
// the id of auth.CurrentUser, or 401 when not logged in.
func (a authDB) goApp(t *testing.T, hashSecret string, user auth.User) *gin.Engine {
	t.Helper()
	r := gin.New()
	r.Use(ginsession.New(a.store, ginsession.WithCodec(ginsession.DjangoCodec(secret)), ginsession.WithSecretKey(hashSecret)))
	r.POST("/login", func(c *gin.Context) {
		if err := auth.Login(c, user, ""); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.GET("/me", func(c *gin.Context) {
		u, err := auth.CurrentUser(c, a.load)
		switch {
		case errors.Is(err, auth.ErrNotLoggedIn):
			c.String(http.StatusUnauthorized, "anonymous")
		case err != nil:
			c.String(http.StatusInternalServerError, err.Error())
		default:
			c.String(http.StatusOK, u.SessionAuthID())
		}
	})
	return r
}

// serve sends a request with the session cookie key (none when "") and
// returns the status, the body and the session cookie the response sets
// (nil when it sets none).
func serve(t *testing.T, r http.Handler, method, path, key string) (int, string, *http.Cookie) {
	t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if key != "" {
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	var cookie *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "sessionid" {
			cookie = c
		}
	}
	return w.Code, w.Body.String(), cookie
}

// goLogin logs user in on the Go side and returns the session key of the
// cookie it sets.
func goLogin(t *testing.T, r http.Handler) string {
	t.Helper()
	code, body, cookie := serve(t, r, http.MethodPost, "/login", "")
	if code != http.StatusOK || cookie == nil || cookie.MaxAge < 0 {
		t.Fatalf("Go login: %d %q, cookie %v", code, body, cookie)
	}
	if !stores.ValidKey(cookie.Value) {
		t.Fatalf("Go login set the cookie %q, not a session key", cookie.Value)
	}
	return cookie.Value
}

// goCurrentUser asks the Go service for the user of the session key: the id,
// or "" when not logged in, and the session cookie the answer sets.
func goCurrentUser(t *testing.T, r http.Handler, key string) (string, *http.Cookie) {
	t.Helper()
	code, body, cookie := serve(t, r, http.MethodGet, "/me", key)
	switch code {
	case http.StatusOK:
		return body, cookie
	case http.StatusUnauthorized:
		return "", cookie
	}
	t.Fatalf("Go /me: %d %q", code, body)
	return "", nil
}

// rowGone fails the test unless the session key has no row left.
func (a authDB) rowGone(t *testing.T, key string) {
	t.Helper()
	if _, err := a.store.Load(ctx(t), key); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("session %s: sqlstore Load says %v, want ErrNotFound", key, err)
	}
}

// wantDjangoUser fails the test unless Django's get_user on the session key
// returns u and leaves the session as it is.
func (a authDB) wantDjangoUser(t *testing.T, key string, u djangoUser) {
	t.Helper()
	got, after, row := a.djangoGetUser(t, key)
	if got == nil || *got != u {
		t.Fatalf("Django's get_user on session %s: %+v, want %+v", key, got, u)
	}
	if after != key || !row {
		t.Errorf("Django's get_user moved session %s to %q (row left: %v)", key, after, row)
	}
}

// wantDjangoAnonymous fails the test unless Django's get_user on the session
// key returns AnonymousUser and flushes the session.
func (a authDB) wantDjangoAnonymous(t *testing.T, key string) {
	t.Helper()
	got, after, row := a.djangoGetUser(t, key)
	if got != nil {
		t.Fatalf("Django's get_user on session %s: %+v, want AnonymousUser", key, got)
	}
	if after != "" || row {
		t.Errorf("Django's get_user left the session under key %q (row left: %v), want it flushed", after, row)
	}
	a.rowGone(t, key)
}

func TestGoLoginOfADjangoUserIsDjangosLogin(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		a := newDjangoAuthDB(t, kind)
		alice := a.createUser(t, "alice", "wonderland")
		bob := a.createUser(t, "bob", "builder")

		key := goLogin(t, a.goApp(t, secret, alice))
		a.wantDjangoUser(t, key, alice)
		keys, values := a.sessionData(t, key)
		// Auth's own login time (RequireRecentLogin's), which Django carries
		// without reading it, then Django's three keys.
		if len(keys) == 0 || keys[0] != auth.SessionKeyVerifiedAt {
			t.Fatalf("keys %q: want %s first", keys, auth.SessionKeyVerifiedAt)
		}
		if at, ok := values[auth.SessionKeyVerifiedAt].(int); !ok || time.Since(time.Unix(int64(at), 0)).Abs() > time.Minute {
			t.Fatalf("%s = %#v, want the login's time in Unix seconds", auth.SessionKeyVerifiedAt, values[auth.SessionKeyVerifiedAt])
		}
		keys = keys[1:]
		delete(values, auth.SessionKeyVerifiedAt)
		sameSession(t, keys, values, fmt.Sprintf(`{"_auth_user_id":"%d","_auth_user_backend":%q,"_auth_user_hash":%q}`,
			alice.ID, auth.DefaultBackend, auth.SessionAuthHash(secret, alice.Password)))

		// Another user's login is that user's, not alice's.
		a.wantDjangoUser(t, goLogin(t, a.goApp(t, secret, bob)), bob)

		t.Run("hash made with a secret Django does not know", func(t *testing.T) {
			key := goLogin(t, a.goApp(t, otherSecret, alice))
			a.wantDjangoAnonymous(t, key)
		})
	})
}

// sessionData reads the session key's row with the Go store and Django's
// codec.
func (a authDB) sessionData(t *testing.T, key string) ([]string, map[string]any) {
	t.Helper()
	data, err := a.store.Load(ctx(t), key)
	if err != nil {
		t.Fatalf("Load %s: %v", key, err)
	}
	keys, values, err := ginsession.DjangoCodec(secret).Decode(data)
	if err != nil {
		t.Fatalf("Decode %s: %v", key, err)
	}
	return keys, values
}

func TestDjangoLoginIsGosCurrentUser(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		a := newDjangoAuthDB(t, kind)
		alice := a.createUser(t, "alice", "wonderland")
		a.createUser(t, "bob", "builder")

		key, values := a.djangoLogin(t, "alice")
		if want := auth.SessionAuthHash(secret, alice.Password); values[auth.SessionKeyHash] != want {
			t.Errorf("Django stored the hash %v, auth.SessionAuthHash says %s", values[auth.SessionKeyHash], want)
		}
		app := a.goApp(t, secret, nil)
		id, cookie := goCurrentUser(t, app, key)
		if id != alice.SessionAuthID() {
			t.Fatalf("Go's CurrentUser on Django's session: %q, want alice's id %s", id, alice.SessionAuthID())
		}
		if cookie != nil {
			t.Errorf("Go's CurrentUser of a valid login set the cookie %v", cookie)
		}
		// Checking the login changed nothing: Django still sees alice.
		a.wantDjangoUser(t, key, alice)

		t.Run("checked with a secret Django does not know", func(t *testing.T) {
			key, _ := a.djangoLogin(t, "bob")
			id, cookie := goCurrentUser(t, a.goApp(t, otherSecret, nil), key)
			if id != "" {
				t.Fatalf("Go's CurrentUser with another secret: %q, want not logged in", id)
			}
			if cookie == nil || cookie.MaxAge >= 0 {
				t.Errorf("cookie %v, want it deleted", cookie)
			}
			a.rowGone(t, key)
		})
	})
}

func TestPasswordChangedInDjangoEndsEveryOldLogin(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		a := newDjangoAuthDB(t, kind)
		alice := a.createUser(t, "alice", "wonderland")
		app := a.goApp(t, secret, alice)

		// Four logins of alice, with the old password: two made by Go, two by
		// Django; each is then checked by one side.
		goMade, goMadeForDjango := goLogin(t, app), goLogin(t, app)
		djangoMade, _ := a.djangoLogin(t, "alice")
		djangoMadeForGo, _ := a.djangoLogin(t, "alice")
		for _, key := range []string{goMade, djangoMadeForGo} {
			if id, _ := goCurrentUser(t, app, key); id != alice.SessionAuthID() {
				t.Fatalf("before the change, Go's CurrentUser on %s: %q, want alice", key, id)
			}
		}
		for _, key := range []string{goMadeForDjango, djangoMade} {
			a.wantDjangoUser(t, key, alice)
		}

		changed := a.setPassword(t, "alice", "new")
		if changed.ID != alice.ID || changed.Password == alice.Password {
			t.Fatalf("after set_password: %+v, before %+v", changed, alice)
		}

		for name, key := range map[string]string{"Go-made": goMade, "Django-made": djangoMadeForGo} {
			t.Run(name+" session read by Go", func(t *testing.T) {
				id, cookie := goCurrentUser(t, app, key)
				if id != "" {
					t.Fatalf("Go's CurrentUser after the change: %q, want not logged in", id)
				}
				if cookie == nil || cookie.MaxAge >= 0 {
					t.Errorf("cookie %v, want it deleted", cookie)
				}
				a.rowGone(t, key)
			})
		}
		for name, key := range map[string]string{"Django-made": djangoMade, "Go-made": goMadeForDjango} {
			t.Run(name+" session read by Django", func(t *testing.T) {
				a.wantDjangoAnonymous(t, key)
			})
		}

		t.Run("logins with the new password work on both sides", func(t *testing.T) {
			key := goLogin(t, a.goApp(t, secret, changed))
			a.wantDjangoUser(t, key, changed)
			key, _ = a.djangoLogin(t, "alice")
			if id, _ := goCurrentUser(t, app, key); id != changed.SessionAuthID() {
				t.Fatalf("Go's CurrentUser on a new Django login: %q, want alice", id)
			}
		})
	})
}
