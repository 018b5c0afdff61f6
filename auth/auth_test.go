package auth_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
)

func TestSessionAuthHashMatchesDjangosVector(t *testing.T) {
	// Reference §5.2, computed with Django 3.2.
	got := auth.SessionAuthHash("test-secret-key-for-vectors", "pbkdf2_sha256$260000$salt$hash")
	if want := "f25f57488b7b16c8c433347722c7f1b3821c261d4cdfe07c1b58cf49e9952454"; got != want {
		t.Fatalf("SessionAuthHash = %s, want %s", got, want)
	}
	if auth.SessionAuthHash("test-secret-key-for-vectors", "pbkdf2_sha256$260000$salt$hasi") == got {
		t.Fatal("a different password hash gave the same session hash")
	}
	if auth.SessionAuthHash("test-secret-key-for-vectorz", "pbkdf2_sha256$260000$salt$hash") == got {
		t.Fatal("a different secret gave the same session hash")
	}
}

func TestLoginOfAnAnonymousSessionCyclesTheKeyAndKeepsItsData(t *testing.T) {
	s := newSite(t)
	c := s.client()
	c.must("GET", "/set?k=cart&v=3+apples")
	before := c.key()
	after := c.login("42")
	if after == before {
		t.Fatal("the session key did not change at login (session fixation)")
	}
	if s.exists(before) {
		t.Error("the anonymous session's record still exists after login")
	}
	if !s.exists(after) {
		t.Error("the logged-in session was not stored")
	}
	keys, values := c.session()
	if values["cart"] != "3 apples" {
		t.Errorf("anonymous data lost at login: %v", values)
	}
	want := map[string]any{
		"_auth_user_id":      "42",
		"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
		"_auth_user_hash":    auth.SessionAuthHash(secret, "pbkdf2_sha256$260000$salt$hash"),
	}
	for k, v := range want {
		if values[k] != v {
			t.Errorf("%s = %v, want %v", k, values[k], v)
		}
	}
	i := slices.Index(keys, "_auth_user_id")
	if got := keys[max(i, 0):min(max(i, 0)+3, len(keys))]; !slices.Equal(got, []string{"_auth_user_id", "_auth_user_backend", "_auth_user_hash"}) {
		t.Errorf("auth keys stored in order %v, want Django's id, backend, hash", got)
	}
	if got := c.me(); got != "user 42" {
		t.Errorf("after login /me = %q", got)
	}
}

func TestLoginStoresTheGivenBackend(t *testing.T) {
	c := newSite(t).client()
	c.must("POST", "/login?id=42&backend=myapp.backends.EmailBackend")
	if _, v := c.session(); v["_auth_user_backend"] != "myapp.backends.EmailBackend" {
		t.Fatalf("backend = %v", v["_auth_user_backend"])
	}
}

func TestLoginOfTheSameUserAgainKeepsTheKey(t *testing.T) {
	s := newSite(t)
	c := s.client()
	first := c.login("42")
	c.must("GET", "/set?k=cart&v=x")
	if again := c.login("42"); again != first {
		t.Fatal("logging the same user in again rotated the key; Django does not")
	}
	if _, v := c.session(); v["cart"] != "x" {
		t.Fatal("logging the same user in again lost the session's data")
	}
}

func TestLoginOfAnotherUserFlushesTheSession(t *testing.T) {
	s := newSite(t)
	c := s.client()
	first := c.login("42")
	c.must("GET", "/set?k=cart&v=x")
	second := c.login("7")
	if second == first {
		t.Fatal("the key did not change when another user logged in")
	}
	if s.exists(first) {
		t.Error("the previous user's record still exists")
	}
	_, v := c.session()
	if _, ok := v["cart"]; ok {
		t.Error("the previous user's data survived another user's login")
	}
	if v["_auth_user_id"] != "7" {
		t.Errorf("_auth_user_id = %v, want 7", v["_auth_user_id"])
	}
}

func TestLoginFlushesASessionWhoseHashIsStaleOrMissing(t *testing.T) {
	tests := []struct {
		name  string
		spoil func(c *client)
	}{
		{"stale: the password changed since the first login", func(c *client) {
			c.site.db.setPassword("42", "pbkdf2_sha256$260000$salt$new")
		}},
		{"missing: the session has no _auth_user_hash", func(c *client) {
			c.must("GET", "/del?k=_auth_user_hash")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t)
			c := s.client()
			first := c.login("42")
			c.must("GET", "/set?k=cart&v=x")
			tc.spoil(c)
			second := c.login("42")
			if second == first || s.exists(first) {
				t.Fatal("the session was not flushed (same key, or old record kept)")
			}
			_, v := c.session()
			if _, ok := v["cart"]; ok {
				t.Error("data survived the flush")
			}
			if v["_auth_user_hash"] != auth.SessionAuthHash(secret, s.db.user("42").pw) {
				t.Error("the new login does not store the current hash")
			}
		})
	}
}

func TestLoginWithoutASecretSaysToAddWithSecretKey(t *testing.T) {
	s := newSiteOn(t, testenv.Must(memstore.New()), newUserDB(), ginsession.WithCookieName("sessionid"))
	resp, body := s.client().do("POST", "/login?id=42")
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "ginsession.WithSecretKey") {
		t.Fatalf("got %d %q, want an error that names ginsession.WithSecretKey", resp.StatusCode, body)
	}
	// And the sentinel, checked directly.
	r := gin.New()
	var got error
	r.Use(ginsession.New(testenv.Must(memstore.New())))
	r.GET("/", func(c *gin.Context) { got = auth.Login(c, testUser{"1", "x"}, "") })
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if !errors.Is(got, auth.ErrNoSecret) {
		t.Fatalf("Login without a secret: %v, want ErrNoSecret", got)
	}
}

func TestLoginRefusesANilOrIDlessUser(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New()), ginsession.WithSecretKey(secret)))
	var errs []error
	r.GET("/", func(c *gin.Context) {
		var nilPtr *testUser
		errs = append(errs, auth.Login(c, nil, ""), auth.Login(c, nilPtr, ""), auth.Login(c, testUser{"", "x"}, ""))
		_, ok := auth.UserID(c)
		c.String(http.StatusOK, "%v", ok)
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	for i, err := range errs {
		if err == nil {
			t.Errorf("login #%d was accepted", i)
		}
	}
	if w.Body.String() != "false" {
		t.Error("a refused login left a user id in the session")
	}
}

func TestLogoutDeletesTheRecordAndTheCookie(t *testing.T) {
	s := newSite(t)
	c := s.client()
	k := c.login("42")
	resp, _ := c.do("POST", "/logout")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if s.exists(k) {
		t.Error("the record survived logout")
	}
	if !deletesCookie(resp) {
		t.Errorf("logout did not delete the cookie: %q", resp.Header.Values("Set-Cookie"))
	}
	if c.key() != "" {
		t.Error("the browser still has a session cookie")
	}
	if got := c.me(); got != "anonymous" {
		t.Errorf("after logout /me = %q", got)
	}
}

func TestUserIDReadsStringAndIntegerIDs(t *testing.T) {
	s := newSite(t)
	c := s.client()
	if got := c.must("GET", "/userid"); got != " false" {
		t.Fatalf("anonymous: %q", got)
	}
	c.login("42")
	if got := c.must("GET", "/userid"); got != "42 true" {
		t.Fatalf("after login: %q", got)
	}
	// Django code may store the pk as an integer.
	c2 := s.client()
	c2.must("GET", "/setint?k=_auth_user_id")
	if got := c2.must("GET", "/userid"); got != "42 true" {
		t.Fatalf("integer id: %q", got)
	}
}

func TestCurrentUserOfAnAnonymousSessionLeavesItUntouched(t *testing.T) {
	s := newSite(t)
	c := s.client()
	resp, body := c.do("GET", "/me")
	if body != "anonymous" || resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("X-Loads") != "0" {
		t.Fatalf("got %q, Set-Cookie %q, loads %s", body, resp.Header.Get("Set-Cookie"), resp.Header.Get("X-Loads"))
	}
}

func TestCurrentUserWithoutBackendIsAnonymousAndKeepsTheSession(t *testing.T) {
	s := newSite(t)
	c := s.client()
	k := c.login("42")
	c.must("GET", "/del?k=_auth_user_backend")
	if got := c.me(); got != "anonymous" {
		t.Fatalf("/me = %q", got)
	}
	if c.key() != k || !s.exists(k) {
		t.Fatal("the session was flushed; Django leaves it alone")
	}
	if _, v := c.session(); v["_auth_user_id"] != "42" {
		t.Fatal("the session's data changed")
	}
}

func TestCurrentUserOfADeletedUserIsAnonymousWithoutFlush(t *testing.T) {
	s := newSite(t)
	c := s.client()
	k := c.login("42")
	s.db.remove("42")
	if got := c.me(); got != "anonymous" {
		t.Fatalf("/me = %q", got)
	}
	if c.key() != k || !s.exists(k) {
		t.Fatal("the session was flushed; Django leaves it for a missing user")
	}
}

func TestCurrentUserReportsALoadFailureWithoutFlush(t *testing.T) {
	s := newSite(t)
	c := s.client()
	k := c.login("42")
	dbDown := errors.New("user database is down")
	s.db.failWith(dbDown)
	resp, body := c.do("GET", "/me")
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, dbDown.Error()) {
		t.Fatalf("got %d %q, want the load error", resp.StatusCode, body)
	}
	if !s.exists(k) || c.key() != k {
		t.Fatal("a load failure ended the session")
	}
	s.db.failWith(nil)
	if got := c.me(); got != "user 42" {
		t.Fatalf("after the database came back: %q", got)
	}
}

func TestCurrentUserAfterAPasswordChangeFlushesTheSession(t *testing.T) {
	s := newSite(t)
	c := s.client()
	k := c.login("42")
	s.db.setPassword("42", "pbkdf2_sha256$260000$salt$changed")
	resp, body := c.do("GET", "/me")
	if body != "anonymous" {
		t.Fatalf("/me = %q, want anonymous", body)
	}
	if s.exists(k) {
		t.Error("the record survived")
	}
	if !deletesCookie(resp) {
		t.Error("the cookie was not deleted")
	}
}

func TestCurrentUserLoadsOncePerRequest(t *testing.T) {
	c := newSite(t).client()
	c.login("42")
	resp, body := c.do("GET", "/me?twice=1")
	if body != "user 42" || resp.Header.Get("X-Loads") != "1" {
		t.Fatalf("got %q with %s loads, want one load", body, resp.Header.Get("X-Loads"))
	}
}

func TestCurrentUserAfterLoginInTheSameRequestNeedsNoLoad(t *testing.T) {
	db := newUserDB()
	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New()), ginsession.WithSecretKey(secret)))
	r.GET("/", func(c *gin.Context) {
		if err := auth.Login(c, db.user("42"), ""); err != nil {
			t.Error(err)
		}
		u, err := auth.CurrentUser(c, db.load)
		if err != nil || u.SessionAuthID() != "42" {
			t.Errorf("CurrentUser after Login: %v %v", u, err)
		}
		if err := auth.Logout(c); err != nil {
			t.Error(err)
		}
		if _, err := auth.CurrentUser(c, db.load); !errors.Is(err, auth.ErrNotLoggedIn) {
			t.Errorf("CurrentUser after Logout: %v", err)
		}
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if db.loadCount() != 0 {
		t.Fatalf("%d loads; Login and Logout should have answered CurrentUser", db.loadCount())
	}
}

func TestCurrentUserNoticesAFlushAfterItsCachedAnswer(t *testing.T) {
	db := newUserDB()
	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New()), ginsession.WithSecretKey(secret)))
	r.GET("/", func(c *gin.Context) {
		if err := auth.Login(c, db.user("42"), ""); err != nil {
			t.Error(err)
		}
		if err := ginsession.From(c).Flush(); err != nil {
			t.Error(err)
		}
		if u, err := auth.CurrentUser(c, db.load); !errors.Is(err, auth.ErrNotLoggedIn) {
			t.Errorf("CurrentUser after a direct Flush: %v %v, want ErrNotLoggedIn", u, err)
		}
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func TestUpdateSessionAuthHashKeepsThisSessionAndEndsTheOthers(t *testing.T) {
	s := newSite(t)
	here, there := s.client(), s.client()
	hereKey := here.login("42")
	thereKey := there.login("42")
	if hereKey == thereKey {
		t.Fatal("two browsers share a key")
	}
	here.must("POST", "/password?pw=pbkdf2_sha256$260000$salt$brand-new")
	if here.key() == hereKey || s.exists(hereKey) {
		t.Error("the password change did not move this session to a new key")
	}
	if got := here.me(); got != "user 42" {
		t.Errorf("the browser that changed the password: /me = %q, want still logged in", got)
	}
	if got := there.me(); got != "anonymous" {
		t.Errorf("the other browser: /me = %q, want logged out", got)
	}
	if s.exists(thereKey) {
		t.Error("the other browser's record survived")
	}
	if got := here.me(); got != "user 42" {
		t.Errorf("later: /me = %q", got)
	}
}

func TestUpdateSessionAuthHashOfAnotherUserOnlyCyclesTheKey(t *testing.T) {
	db := newUserDB()
	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New()), ginsession.WithSecretKey(secret)))
	r.GET("/", func(c *gin.Context) {
		_ = auth.Login(c, db.user("42"), "")
		before, _ := ginsession.From(c).Get("_auth_user_hash")
		if err := auth.UpdateSessionAuthHash(c, testUser{"7", "new"}); err != nil {
			t.Error(err)
		}
		if after, _ := ginsession.From(c).Get("_auth_user_hash"); after != before {
			t.Error("an admin changing another user's password rewrote the admin's own hash")
		}
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

func TestAHashMadeWithAFallbackSecretIsRewrittenOnANewKey(t *testing.T) {
	store, db := testenv.Must(memstore.New()), newUserDB()
	before := newSiteOn(t, store, db, ginsession.WithSecretKey(oldSecret))
	rotated := newSiteOn(t, store, db, ginsession.WithSecretKey(secret, oldSecret))
	c := before.client()
	oldKey := c.login("42")
	c = c.on(rotated)
	if got := c.me(); got != "user 42" {
		t.Fatalf("after the rotation /me = %q, want still logged in", got)
	}
	if c.key() == oldKey || store.Len() != 1 {
		t.Fatalf("the session was not re-keyed (key changed: %v, records: %d)", c.key() != oldKey, store.Len())
	}
	if _, v := c.session(); v["_auth_user_hash"] != auth.SessionAuthHash(secret, db.user("42").pw) {
		t.Fatal("the hash was not rewritten with the current secret")
	}
	resp, body := c.do("GET", "/me")
	if body != "user 42" || resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("the next request re-keyed again: %q, %q", body, resp.Header.Get("Set-Cookie"))
	}
}

func TestAHashMadeWithAnUnknownSecretEndsTheSession(t *testing.T) {
	store, db := testenv.Must(memstore.New()), newUserDB()
	other := newSiteOn(t, store, db, ginsession.WithSecretKey("a-secret-nobody-else-knows-000000000"))
	rotated := newSiteOn(t, store, db, ginsession.WithSecretKey(secret, oldSecret))
	c := other.client()
	k := c.login("42")
	c = c.on(rotated)
	if got := c.me(); got != "anonymous" {
		t.Fatalf("/me = %q, want anonymous", got)
	}
	if rotated.exists(k) {
		t.Fatal("the record survived")
	}
}

func TestRequireLogin(t *testing.T) {
	s := newSite(t)
	anon := s.client()
	tests := []struct {
		name, method, path string
		header             []string
		code               int
		location           string
		json               bool
	}{
		{"a page redirects to the login page with next", "GET", "/private?x=1&y=a%20b", nil, http.StatusFound, "/login?next=%2Fprivate%3Fx%3D1%26y%3Da%2520b", false},
		{"a form post redirects with 303", "POST", "/private", nil, http.StatusSeeOther, "/login?next=%2Fprivate", false},
		{"a JSON request gets 401 JSON", "GET", "/private", []string{"Accept", "application/json"}, http.StatusUnauthorized, "", true},
		{"an XHR gets 401 JSON", "GET", "/private", []string{"X-Requested-With", "XMLHttpRequest"}, http.StatusUnauthorized, "", true},
		{"a browser navigation is redirected", "GET", "/private", []string{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}, http.StatusFound, "/login?next=%2Fprivate", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := anon.do(tc.method, tc.path, tc.header...)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			if got := resp.Header.Get("Location"); got != tc.location {
				t.Errorf("Location %q, want %q", got, tc.location)
			}
			if tc.json && (!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"login required"`)) {
				t.Errorf("not a JSON error: %s %q", resp.Header.Get("Content-Type"), body)
			}
			if body == "private" {
				t.Error("the protected handler ran")
			}
		})
	}
	c := s.client()
	c.login("42")
	if got := c.must("GET", "/private"); got != "private" {
		t.Fatalf("logged in: %q", got)
	}
}

func TestRequireUserEndsASessionWhosePasswordChanged(t *testing.T) {
	s := newSite(t)
	c := s.client()
	k := c.login("42")
	resp, body := c.do("GET", "/verified")
	if resp.StatusCode != http.StatusOK || body != "verified 42" {
		t.Fatalf("logged in: %d %q", resp.StatusCode, body)
	}
	s.db.setPassword("42", "changed")
	resp, _ = c.do("GET", "/verified?a=1")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/accounts/login/?lang=en&next=%2Fverified%3Fa%3D1" {
		t.Fatalf("got %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if s.exists(k) || c.key() != "" {
		t.Fatal("the session of the changed password was not ended")
	}
	s.db.failWith(errors.New("down"))
	c.login("7")
	if resp, _ := c.do("GET", "/verified"); resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("a load failure answered %d, want 500", resp.StatusCode)
	}
}

func TestCurrentUserTakesATypedNilUserAsNotFound(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New()), ginsession.WithSecretKey(secret)))
	r.GET("/login", func(c *gin.Context) { _ = auth.Login(c, testUser{"42", "x"}, "") })
	r.GET("/me", func(c *gin.Context) {
		nilUser := func(context.Context, string) (auth.User, error) { return (*testUser)(nil), nil }
		if _, err := auth.CurrentUser(c, nilUser); !errors.Is(err, auth.ErrNotLoggedIn) {
			t.Errorf("a typed nil user: %v, want ErrNotLoggedIn", err)
		}
		if _, ok := auth.UserID(c); !ok {
			t.Error("a missing user flushed the session")
		}
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	for _, p := range []string{"/login", "/me"} {
		resp, err := hc.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
}

func TestALoaderAnsweringSQLNoRowsMeansNotLoggedIn(t *testing.T) {
	s := newSite(t)
	c := s.client()
	k := c.login("42")
	s.db.failWith(fmt.Errorf("select user: %w", sql.ErrNoRows))
	if got := c.me(); got != "anonymous" {
		t.Fatalf("/me = %q, want anonymous", got)
	}
	if !s.exists(k) {
		t.Fatal("a missing user flushed the session")
	}
}

// brokenStore is a memstore whose Load fails while broken is set.
type brokenStore struct {
	*memstore.Store
	broken atomic.Bool
}

func (b *brokenStore) Load(ctx context.Context, key string) ([]byte, error) {
	if b.broken.Load() {
		return nil, errors.New("store unreachable")
	}
	return b.Store.Load(ctx, key)
}

func TestASessionStoreFailureIsAnErrorNotALogout(t *testing.T) {
	store := &brokenStore{Store: testenv.Must(memstore.New())}
	db := newUserDB()
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithSecretKey(secret)))
	r.POST("/login", func(c *gin.Context) { _ = auth.Login(c, db.user("42"), "") })
	r.GET("/private", auth.RequireLogin("/login"), func(c *gin.Context) { c.String(http.StatusOK, "private") })
	r.GET("/verified", auth.RequireUser("/login", db.load), func(c *gin.Context) { c.String(http.StatusOK, "verified") })
	var loginErr, meErr error
	r.POST("/relogin", func(c *gin.Context) { loginErr = auth.Login(c, db.user("7"), "") })
	r.GET("/me", func(c *gin.Context) { _, meErr = auth.CurrentUser(c, db.load) })
	srv := httptest.NewServer(r)
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	call := func(method, path string) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	call("POST", "/login")
	store.broken.Store(true)
	for _, path := range []string{"/private", "/verified"} {
		if resp := call("GET", path); resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s with the store down: %d (Location %q), want 500", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	call("POST", "/relogin")
	if loginErr == nil {
		t.Error("Login succeeded with the store down")
	}
	call("GET", "/me")
	if meErr == nil || errors.Is(meErr, auth.ErrNotLoggedIn) {
		t.Errorf("CurrentUser with the store down: %v, want a store error", meErr)
	}
	store.broken.Store(false)
	if resp := call("GET", "/private"); resp.StatusCode != http.StatusOK {
		t.Errorf("after the store came back: %d, want still logged in", resp.StatusCode)
	}
}
