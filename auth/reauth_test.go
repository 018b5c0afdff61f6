package auth_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
)

// fakeClock is a clock a test moves, shared by the middleware and store.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeClock) add(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

// reauthSite serves a login, a re-authentication page and a sensitive
// route behind RequireRecentLogin(10 minutes), on a clock the test moves.
func reauthSite(t *testing.T) (*site, *fakeClock) {
	t.Helper()
	clk := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	store := testenv.Must(memstore.New(memstore.WithClock(clk.now)))
	s := newSiteOn(t, store, newUserDB(), ginsession.WithSecretKey(secret), ginsession.WithClock(clk.now))
	s.r.POST("/reauth", func(c *gin.Context) {
		if err := auth.Reauthenticate(c, s.db.user(c.Query("id"))); err != nil {
			c.String(http.StatusForbidden, "error: %v", err)
			return
		}
		c.String(http.StatusOK, "verified")
	})
	s.r.POST("/logout-clear", func(c *gin.Context) {
		if err := auth.Logout(c, auth.ClearSiteData(c.Query("cache") != "")); err != nil {
			c.String(http.StatusInternalServerError, "error: %v", err)
			return
		}
		c.String(http.StatusOK, "logged out")
	})
	s.r.POST("/stamp", func(c *gin.Context) { // writes the stamp as a tamperer would
		ginsession.From(c).Set(auth.SessionKeyVerifiedAt, c.Query("v"))
		c.String(http.StatusOK, "ok")
	})
	s.r.POST("/stamp-future", func(c *gin.Context) {
		ginsession.From(c).Set(auth.SessionKeyVerifiedAt, clk.now().Add(time.Hour).Unix())
		c.String(http.StatusOK, "ok")
	})
	sensitive := s.r.Group("/", auth.RequireRecentLogin(10*time.Minute, "/reauth-page"))
	sensitive.POST("/change-email", func(c *gin.Context) { c.String(http.StatusOK, "changed") })
	sensitive.GET("/security", func(c *gin.Context) { c.String(http.StatusOK, "security page") })
	return s, clk
}

func TestRequireRecentLoginLetsAFreshLoginThroughAndSendsAStaleOneToReauthenticate(t *testing.T) {
	s, clk := reauthSite(t)
	c := s.client()
	c.login("42")
	if body := c.must("POST", "/change-email"); body != "changed" {
		t.Fatalf("a fresh login: %q", body)
	}
	clk.add(10 * time.Minute)
	c.must("POST", "/change-email") // exactly maxAge old: still fresh
	clk.add(time.Second)

	resp, _ := c.do("POST", "/change-email")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/reauth-page?next=%2Fchange-email" {
		t.Fatalf("stale POST: %d %q, want 303 to /reauth-page?next=%%2Fchange-email", resp.StatusCode, resp.Header.Get("Location"))
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	resp, _ = c.do("GET", "/security")
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("stale GET: %d, want 302", resp.StatusCode)
	}
	resp, body := c.do("GET", "/security", "Accept", "application/json")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `"reauthentication required"`) || !strings.Contains(body, `"reauth_url":"/reauth-page?next=%2Fsecurity"`) {
		t.Fatalf("stale JSON: %d %s", resp.StatusCode, body)
	}

	before := c.key()
	if body := c.must("POST", "/reauth?id=42"); body != "verified" {
		t.Fatalf("reauthenticate: %q", body)
	}
	if c.key() == before || s.exists(before) {
		t.Fatal("Reauthenticate kept the session key: ASVS 7.2.4 wants a new token at every authentication")
	}
	if c.me() != "user 42" {
		t.Fatal("Reauthenticate logged the user out")
	}
	if body := c.must("POST", "/change-email"); body != "changed" {
		t.Fatalf("after reauthenticating: %q", body)
	}
}

func TestReauthenticateNeverSwitchesUsers(t *testing.T) {
	s, _ := reauthSite(t)
	c := s.client()
	resp, body := c.do("POST", "/reauth?id=42")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "not logged in") {
		t.Fatalf("anonymous reauthenticate: %d %q", resp.StatusCode, body)
	}
	c.login("42")
	key := c.key()
	resp, body = c.do("POST", "/reauth?id=7")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "not logged in") {
		t.Fatalf("reauthenticate as another user: %d %q", resp.StatusCode, body)
	}
	if c.key() != key || c.me() != "user 42" {
		t.Fatal("a refused re-authentication changed the session")
	}
}

func TestReauthenticateAfterAPasswordChangeElsewhereStartsAfresh(t *testing.T) {
	s, _ := reauthSite(t)
	c := s.client()
	c.login("42")
	c.must("GET", "/set?k=cart&v=3")
	s.db.setPassword("42", "pbkdf2_sha256$260000$salt$changed-elsewhere")
	c.must("POST", "/reauth?id=42")
	if c.me() != "user 42" {
		t.Fatal("not logged in after proving the new password")
	}
	if _, values := c.session(); values["cart"] != nil {
		t.Fatalf("the session a password change ended carried over its data: %v", values)
	}
}

func TestAStampThatCannotBeTrustedIsNotFresh(t *testing.T) {
	for _, tc := range []struct{ name, path string }{
		{"unreadable", "/stamp?v=soon"},
		{"from the future", "/stamp-future"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := reauthSite(t)
			c := s.client()
			c.login("42")
			c.must("POST", tc.path)
			if resp, _ := c.do("POST", "/change-email"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s stamp let the request through: %d", tc.name, resp.StatusCode)
			}
		})
	}
	s, _ := reauthSite(t)
	c := s.client()
	if resp, _ := c.do("POST", "/change-email"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("an anonymous request went through: %d", resp.StatusCode)
	}
}

func TestLogoutCanClearSiteData(t *testing.T) {
	s, _ := reauthSite(t)
	c := s.client()
	c.login("42")
	resp, _ := c.do("POST", "/logout")
	if h := resp.Header.Get("Clear-Site-Data"); h != "" {
		t.Fatalf("Logout without the option sent Clear-Site-Data: %q", h)
	}
	c.login("42")
	resp, _ = c.do("POST", "/logout-clear")
	if h := resp.Header.Get("Clear-Site-Data"); h != `"cookies", "storage"` {
		t.Fatalf("Clear-Site-Data %q", h)
	}
	if !deletesCookie(resp) {
		t.Fatal("the session cookie was not deleted too")
	}
	c.login("42")
	resp, _ = c.do("POST", "/logout-clear?cache=1")
	if h := resp.Header.Get("Clear-Site-Data"); h != `"cache", "cookies", "storage"` {
		t.Fatalf("Clear-Site-Data with cache %q", h)
	}
}

func TestClearSiteDataOnEndCoversAPasswordChangedElsewhere(t *testing.T) {
	db := newUserDB()
	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New()), ginsession.WithSecretKey(secret)), auth.ClearSiteDataOnEnd(false))
	r.POST("/login", func(c *gin.Context) { _ = auth.Login(c, db.user("42"), ""); c.Status(http.StatusOK) })
	r.GET("/me", auth.RequireUser("/login", db.load), func(c *gin.Context) { c.Status(http.StatusOK) })
	c := (&site{t: t, r: r}).client()
	c.do("POST", "/login")
	resp, _ := c.do("GET", "/me")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Clear-Site-Data") != "" {
		t.Fatalf("a valid session: %d, Clear-Site-Data %q", resp.StatusCode, resp.Header.Get("Clear-Site-Data"))
	}
	db.setPassword("42", "pbkdf2_sha256$260000$salt$new")
	resp, _ = c.do("GET", "/me")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Clear-Site-Data") != `"cookies", "storage"` {
		t.Fatalf("the ended session: %d, Clear-Site-Data %q", resp.StatusCode, resp.Header.Get("Clear-Site-Data"))
	}
}
