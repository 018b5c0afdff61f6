package interop

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/redis9store"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

const cachedDBEngine = "django.contrib.sessions.backends.cached_db"

// cachedDBSite is a Django site on cached_db with django-redis on the test's
// Redis, sharing a database (its own, with Django's tables) with the Go
// service.
type cachedDBSite struct {
	authDB
	site djangoEnv
}

// cachedDBGet is the site's answer to one request with the session key.
type cachedDBGet struct {
	User         *djangoUser `json:"user"`
	CachedBefore bool        `json:"cached_before"`
	SessionKey   *string     `json:"session_key"`
	Row          bool        `json:"row"`
}

func (s cachedDBSite) getUser(t *testing.T, key string) cachedDBGet {
	t.Helper()
	var got cachedDBGet
	s.site.run(t, "get_user", map[string]string{"key": key}, &got)
	return got
}

// login has the site log username in on a new session, which its cache
// then holds.
func (s cachedDBSite) login(t *testing.T, username string) string {
	t.Helper()
	var resp struct {
		Key    string `json:"key"`
		Cached bool   `json:"cached"`
	}
	s.site.run(t, "login", map[string]string{"username": username}, &resp)
	if !resp.Cached {
		t.Fatalf("the site's login left session %s out of its cache", resp.Key)
	}
	return resp.Key
}

// goService is the Gin service on store: POST /login logs user in, POST
// /logout logs out, POST /password gives the user a new password hash (as
// a password change form would) and keeps this session under a new key (as
// update_session_auth_hash), POST /greet sets "greeting" in the session,
// GET /me answers the user's id or 401.
func (s cachedDBSite) goService(t *testing.T, store stores.Store, user djangoUser) *gin.Engine {
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithCodec(ginsession.DjangoCodec(secret)), ginsession.WithSecretKey(secret)))
	fail := func(c *gin.Context, err error) { c.String(http.StatusInternalServerError, err.Error()) }
	r.POST("/login", func(c *gin.Context) {
		if err := auth.Login(c, user, ""); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.POST("/logout", func(c *gin.Context) {
		if err := auth.Logout(c); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.POST("/password", func(c *gin.Context) {
		changed := user
		changed.Password = user.Password + "-changed-in-go"
		if _, err := s.users.Exec("UPDATE auth_user SET password = ? WHERE id = ?", changed.Password, changed.ID); err != nil {
			fail(c, err)
			return
		}
		if err := auth.UpdateSessionAuthHash(c, changed); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.POST("/greet", func(c *gin.Context) {
		ginsession.From(c).Set("greeting", "hello from Go")
		c.String(http.StatusOK, "ok")
	})
	r.GET("/me", func(c *gin.Context) {
		u, err := auth.CurrentUser(c, s.load)
		switch {
		case errors.Is(err, auth.ErrNotLoggedIn):
			c.String(http.StatusUnauthorized, "anonymous")
		case err != nil:
			fail(c, err)
		default:
			c.String(http.StatusOK, u.SessionAuthID())
		}
	})
	return r
}

func mustServe(t *testing.T, r http.Handler, path, key string) *http.Cookie {
	t.Helper()
	code, body, cookie := serve(t, r, http.MethodPost, path, key)
	if code != http.StatusOK {
		t.Fatalf("Go %s: %d %q", path, code, body)
	}
	return cookie
}

// A Django site on cached_db and a Gin service with
// sqlstore.WithDjangoCache share MariaDB's django_session and the users:
// the site's very next request sees what the Go service did (a logout, a
// login, a password change kept for the session that made it), though its
// cache held the session before, for the SQL store alone and for
// cachedstore over it.
func TestADjangoSiteOnCachedDBSeesGoLogoutsAndLoginsAtItsNextRequest(t *testing.T) {
	a := newDjangoAuthDB(t, mariaDB)
	rdb := testenv.Redis9(t)
	djangoPrefix := strings.TrimSuffix(testenv.Redis9Prefix(t, rdb, "djhash_djangocache_"), ":")
	s := cachedDBSite{authDB: a, site: a.env}
	s.site.engine = cachedDBEngine
	s.site.script = "cached_db_side.py"
	s.site.extraEnv = []string{
		"DJANGO_SETTINGS_MODULE=cached_db_settings",
		"GINSESSION_REDIS_URL=redis://" + testenv.RedisAddr() + "/0",
		"GINSESSION_CACHE_KEY_PREFIX=" + djangoPrefix,
	}

	sql := testenv.Must(sqlstore.New(a.db, sqlstore.WithDjangoCache(rdb, sqlstore.DjangoCache{KeyPrefix: djangoPrefix})))
	t.Cleanup(func() { sql.Close() })
	goCache := testenv.Must(redis9store.New(rdb, redis9store.WithPrefix(testenv.Redis9Prefix(t, rdb, "djhash_gocache_"))))
	for _, tc := range []struct {
		name  string
		store stores.Store
	}{
		{"sqlstore", sql},
		{"cachedstore over sqlstore", testenv.Must(cachedstore.New(goCache, sql))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			user := a.createUser(t, "u_"+strings.ReplaceAll(tc.name, " ", "_"), "pw")
			goSide := s.goService(t, tc.store, user)

			// A Go logout of the site's login.
			key := s.login(t, user.Username)
			if got := s.getUser(t, key); got.User == nil || !got.CachedBefore {
				t.Fatalf("the site's request after its login: %+v, want the user from its cache", got)
			}
			mustServe(t, goSide, "/logout", key)
			if got := s.getUser(t, key); got.User != nil || got.CachedBefore {
				t.Errorf("the site's next request after the Go logout: %+v, want AnonymousUser, no cache entry", got)
			}

			// A Go login on the site's anonymous session (key cycled).
			var saved struct {
				Key    string `json:"key"`
				Cached bool   `json:"cached"`
			}
			s.site.run(t, "save", map[string]string{"json": `{"cart":"3 books"}`}, &saved)
			if !saved.Cached {
				t.Fatal("the site's new session is not in its cache")
			}
			cookie := mustServe(t, goSide, "/login", saved.Key)
			if cookie == nil || cookie.Value == saved.Key {
				t.Fatalf("the Go login kept the anonymous session's key (cookie %v)", cookie)
			}
			if got := s.getUser(t, cookie.Value); got.User == nil || got.User.ID != user.ID {
				t.Errorf("the site's next request with the Go login's cookie: %+v, want user %d", got, user.ID)
			}
			if got := s.getUser(t, saved.Key); got.CachedBefore || got.Row {
				t.Errorf("the site still holds the pre-login session: %+v", got)
			}

			// A value set in Go on the site's session, written in place.
			key = s.login(t, user.Username)
			mustServe(t, goSide, "/greet", key)
			var loaded struct {
				JSON         string `json:"json"`
				CachedBefore bool   `json:"cached_before"`
			}
			s.site.run(t, "load", map[string]string{"key": key}, &loaded)
			if !strings.Contains(loaded.JSON, `"greeting": "hello from Go"`) || loaded.CachedBefore {
				t.Errorf("the site's next request after Go set a value: %s (cached before: %v), want the greeting from the table", loaded.JSON, loaded.CachedBefore)
			}

			// A password change in Go keeps the session that made it, under a
			// new key: the site reads it with the new hash, and the old key is
			// gone from its cache as from the table.
			key = s.login(t, user.Username)
			cookie = mustServe(t, goSide, "/password", key)
			if cookie == nil || cookie.Value == key {
				t.Fatalf("the Go password change kept the session's key (cookie %v)", cookie)
			}
			if got := s.getUser(t, cookie.Value); got.User == nil || got.SessionKey == nil || *got.SessionKey != cookie.Value {
				t.Errorf("the site's next request after a password change in Go: %+v, want the user on session %s", got, cookie.Value)
			}
			if got := s.getUser(t, key); got.CachedBefore || got.Row || got.User != nil {
				t.Errorf("the site's request with the key before the password change: %+v, want nothing left", got)
			}
		})
	}
}
