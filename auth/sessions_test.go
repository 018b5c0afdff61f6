package auth_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/signing"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

// devSite is a site with a devices page, served by a real gin.Engine over
// HTTP, on a store whose per-user index is on.
type devSite struct {
	t     *testing.T
	store stores.Store
	srv   *httptest.Server
}

var devUsers = map[string]testUser{"alice": {"alice", "pbkdf2$alice"}, "bob": {"bob", "pbkdf2$bob"}}

func loadDevUser(_ context.Context, id string) (auth.User, error) {
	u, ok := devUsers[id]
	if !ok {
		return nil, auth.ErrUserNotFound
	}
	return u, nil
}

func devRoutes(r *gin.Engine) {
	r.POST("/login/:id", func(c *gin.Context) {
		if err := auth.Login(c, devUsers[c.Param("id")], ""); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.GET("/me", func(c *gin.Context) {
		u, err := auth.CurrentUser(c, loadDevUser)
		if err != nil {
			c.String(http.StatusUnauthorized, "anonymous")
			return
		}
		c.String(http.StatusOK, u.SessionAuthID())
	})
	r.GET("/devices", func(c *gin.Context) {
		d, err := auth.Sessions(c)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.JSON(http.StatusOK, d)
	})
	r.POST("/end", func(c *gin.Context) {
		switch err := auth.EndSession(c, c.PostForm("handle")); {
		case errors.Is(err, auth.ErrNoSuchSession):
			c.String(http.StatusNotFound, "no such session")
		case err != nil:
			c.String(http.StatusInternalServerError, err.Error())
		default:
			c.String(http.StatusOK, "ended")
		}
	})
	r.POST("/end-others", func(c *gin.Context) {
		n, err := auth.EndOtherSessions(c)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.JSON(http.StatusOK, n)
	})
	r.POST("/logout", func(c *gin.Context) {
		if err := auth.Logout(c); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "bye")
	})
	r.POST("/rekey", func(c *gin.Context) {
		id, _ := auth.UserID(c)
		if err := auth.UpdateSessionAuthHash(c, devUsers[id]); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.POST("/short", func(c *gin.Context) {
		ginsession.From(c).SetExpiry(2 * time.Second)
		c.String(http.StatusOK, "ok")
	})
}

func newDevSite(t *testing.T, store stores.Store, opts ...ginsession.Option) *devSite {
	t.Helper()
	opts = append([]ginsession.Option{ginsession.WithSecretKey(secret), ginsession.WithUserIndex(ginsession.UserIndex{})}, opts...)
	return &devSite{t: t, store: store, srv: newServer(t, ginEngine(store, opts...))}
}

// newPlainSite is the same site without the index.
func newPlainSite(t *testing.T, store stores.Store) *devSite {
	return &devSite{t: t, store: store, srv: newServer(t, ginEngine(store, ginsession.WithSecretKey(secret)))}
}

func ginEngine(store stores.Store, opts ...ginsession.Option) *gin.Engine {
	r := gin.New()
	r.Use(ginsession.New(store, opts...))
	devRoutes(r)
	return r
}

func newServer(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// devClient is one browser: a cookie jar and a user agent of its own.
type devClient struct {
	site *devSite
	ua   string
	hc   *http.Client
}

func (s *devSite) browser(ua string) *devClient {
	jar, _ := cookiejar.New(nil)
	return &devClient{site: s, ua: ua, hc: &http.Client{Jar: jar}}
}

func (c *devClient) do(method, path string, form url.Values) (int, string) {
	c.site.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.site.srv.URL+path, body)
	if err != nil {
		c.site.t.Fatal(err)
	}
	req.Header.Set("User-Agent", c.ua)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.site.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *devClient) must(method, path string, form url.Values) string {
	c.site.t.Helper()
	code, body := c.do(method, path, form)
	if code != http.StatusOK {
		c.site.t.Fatalf("%s %s (%s) = %d %q", method, path, c.ua, code, body)
	}
	return body
}

func (c *devClient) login(id string) { c.site.t.Helper(); c.must("POST", "/login/"+id, url.Values{}) }

func (c *devClient) who() string {
	c.site.t.Helper()
	_, body := c.do("GET", "/me", nil)
	return body
}

func (c *devClient) devices() []auth.Device {
	c.site.t.Helper()
	var d []auth.Device
	if err := json.Unmarshal([]byte(c.must("GET", "/devices", nil)), &d); err != nil {
		c.site.t.Fatal(err)
	}
	return d
}

func (c *devClient) end(handle string) int {
	c.site.t.Helper()
	code, _ := c.do("POST", "/end", url.Values{"handle": {handle}})
	return code
}

// key returns the session key in the browser's cookie jar.
func (c *devClient) key() string {
	u, _ := url.Parse(c.site.srv.URL)
	for _, ck := range c.hc.Jar.Cookies(u) {
		if ck.Name == "sessionid" {
			return ck.Value
		}
	}
	return ""
}

func uas(d []auth.Device) []string {
	out := make([]string, len(d))
	for i, x := range d {
		out[i] = x.UserAgent
	}
	return out
}

// TestDevicesOnEveryStore drives a devices page through a real gin.Engine
// on every store with an index: three browsers of one user and one of
// another; list, end one, end the others, cycle the key, end all by id,
// log out, and expiry.
func TestDevicesOnEveryStore(t *testing.T) {
	for _, st := range everystore.Indexed("gs_dev_") {
		t.Run(st.Name, func(t *testing.T) {
			t.Parallel()
			store := st.Open(t)
			site := newDevSite(t, store)
			a1, a2, a3 := site.browser("Firefox on Linux"), site.browser("Safari on iPhone"), site.browser("Chrome on Windows")
			b := site.browser("Bob's phone")
			for _, c := range []*devClient{a1, a2, a3} {
				c.login("alice")
				time.Sleep(5 * time.Millisecond) // distinct login times, for the order
			}
			b.login("bob")

			d := a1.devices()
			if got := strings.Join(uas(d), ","); got != "Firefox on Linux,Chrome on Windows,Safari on iPhone" {
				t.Fatalf("alice's devices = %s; want this one first, then newest activity first", got)
			}
			if !d[0].Current || d[1].Current || d[2].Current {
				t.Fatalf("Current marks = %v %v %v, want only the first", d[0].Current, d[1].Current, d[2].Current)
			}
			seen := map[string]bool{}
			for _, x := range d {
				if x.IP != "127.0.0.1" || x.Backend != auth.DefaultBackend || x.Created.IsZero() || x.LastActive.IsZero() {
					t.Errorf("device %+v lacks its details", x)
				}
				if len(x.Key) > stores.RedactedLength+len("…") || seen[x.Handle] || len(x.Handle) < 20 {
					t.Errorf("device key %q / handle %q: want a redacted key and a distinct handle", x.Key, x.Handle)
				}
				seen[x.Handle] = true
				for _, c := range []*devClient{a1, a2, a3} {
					if strings.Contains(x.Handle, c.key()) || strings.Contains(x.Key, c.key()) {
						t.Errorf("a listed device shows a session key")
					}
				}
			}
			if bd := b.devices(); len(bd) != 1 || !bd[0].Current {
				t.Fatalf("bob sees %d devices, want his one", len(bd))
			}

			// End one: Safari's next request is logged out.
			if code := a1.end(d[2].Handle); code != http.StatusOK {
				t.Fatalf("ending Safari's session answered %d", code)
			}
			if got := a2.who(); got != "anonymous" {
				t.Fatalf("the ended browser is still %q", got)
			}
			if code := a1.end(d[2].Handle); code != http.StatusNotFound {
				t.Fatalf("ending it again answered %d, want 404", code)
			}
			if got := uas(a1.devices()); len(got) != 2 {
				t.Fatalf("after ending one, alice sees %v", got)
			}

			// End the others: Chrome goes, Firefox stays; bob is untouched.
			if n := a1.must("POST", "/end-others", url.Values{}); n != "1" {
				t.Fatalf("end-others ended %s sessions, want 1", n)
			}
			if a3.who() != "anonymous" || a1.who() != "alice" || b.who() != "bob" {
				t.Fatalf("after end-others: chrome=%q firefox=%q bob=%q", a3.who(), a1.who(), b.who())
			}

			// CycleKey moves the entry: one device, a new key and handle,
			// the same login time.
			before := a1.devices()
			oldKey := a1.key()
			a1.must("POST", "/rekey", url.Values{})
			after := a1.devices()
			if a1.key() == oldKey || len(after) != 1 || !after[0].Current || after[0].Handle == before[0].Handle ||
				!after[0].Created.Equal(before[0].Created) || after[0].UserAgent != "Firefox on Linux" {
				t.Fatalf("after CycleKey alice sees %+v (before %+v)", after, before)
			}
			if err := store.(stores.Indexer).IndexTouch(context.Background(), "alice", oldKey, time.Now(), time.Now()); !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("the old key's entry survived CycleKey: touch = %v", err)
			}

			// Logout removes the entry itself, not only from the list.
			b2 := site.browser("Bob's laptop")
			b2.login("bob")
			bobKey := b.key()
			b.must("POST", "/logout", url.Values{})
			if err := store.(stores.Indexer).IndexTouch(context.Background(), "bob", bobKey, time.Now(), time.Now()); !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("the logged-out session's entry survived Logout: touch = %v", err)
			}
			if bd := b2.devices(); len(bd) != 1 || bd[0].UserAgent != "Bob's laptop" {
				t.Fatalf("after logout bob sees %v", uas(bd))
			}

			// End every session of a user by id, without a request.
			a4 := site.browser("Edge")
			a4.login("alice")
			n, err := auth.EndUserSessions(context.Background(), store, "alice")
			if err != nil || n != 2 {
				t.Fatalf("EndUserSessions = %d, %v; want 2", n, err)
			}
			if a1.who() != "anonymous" || a4.who() != "anonymous" || b2.who() != "bob" {
				t.Fatal("EndUserSessions left an alice session alive, or ended bob's")
			}

			// Expiry: a session that expires drops out of the list.
			b3 := site.browser("Bob's tablet")
			b3.login("bob")
			b3.must("POST", "/short", url.Values{})
			if got := uas(b2.devices()); len(got) != 2 {
				t.Fatalf("bob sees %v, want laptop and tablet", got)
			}
			time.Sleep(3 * time.Second)
			if got := uas(b2.devices()); len(got) != 1 || got[0] != "Bob's laptop" {
				t.Fatalf("after the tablet's session expired bob sees %v", got)
			}
		})
	}
}

// TestNoUserCanEndAnotherUsersSession tries, as bob, every handle bob
// could forge or come by for alice's session, on every store: none ends
// it.
func TestNoUserCanEndAnotherUsersSession(t *testing.T) {
	for _, st := range everystore.Indexed("gs_forge_") {
		t.Run(st.Name, func(t *testing.T) {
			t.Parallel()
			site := newDevSite(t, st.Open(t))
			alice, alice2, bob := site.browser("alice"), site.browser("alice 2"), site.browser("bob")
			alice.login("alice")
			alice2.login("alice")
			bob.login("bob")
			victim := alice2.key()
			var handle string
			for _, d := range alice.devices() {
				if !d.Current {
					handle = d.Handle
				}
			}
			own := bob.devices()[0].Handle
			mac := func(secretKey, value string) string {
				return base64.RawURLEncoding.EncodeToString(signing.SaltedHMAC("github.com/ginsession/ginsession/auth.SessionHandle", value, secretKey)[:16])
			}
			flip := func(s string) string {
				b := []byte(s)
				b[len(b)-1] ^= 1
				return string(b)
			}
			forged := map[string]string{
				"alice's handle, as listed to alice":       handle,
				"alice's session key":                      victim,
				"the key as the list redacts it":           stores.Redact(victim),
				"the key's first six characters":           victim[:6],
				"the key in upper case":                    strings.ToUpper(victim),
				"the key's HMAC under a guessed secret":    mac("a-guessed-secret-of-at-least-32-bytes!!", victim),
				"the key's HMAC with no secret":            mac("", victim),
				"the key's unkeyed base64":                 base64.RawURLEncoding.EncodeToString([]byte(victim))[:22],
				"bob's own handle, one bit flipped":        flip(own),
				"alice's handle, one bit flipped":          flip(handle),
				"alice's handle with a trailing space":     handle + " ",
				"alice's handle, padded base64":            handle + "==",
				"alice's handle, truncated":                handle[:len(handle)-1],
				"alice's user id":                          "alice",
				"empty":                                    "",
				"a wildcard":                               "*",
				"an SQL fragment":                          "' OR '1'='1",
				"a path":                                   "../" + victim,
				"alice's handle and bob's, concatenated":   handle + own,
				"a handle of alice's key made by bob's id": mac(secret, "bob:"+victim),
			}
			for name, h := range forged {
				if code := bob.end(h); code != http.StatusNotFound {
					t.Errorf("bob ending %s answered %d, want 404", name, code)
				}
			}
			if alice2.who() != "alice" || alice.who() != "alice" {
				t.Fatal("one of bob's forged handles ended alice's session")
			}
			if bob.who() != "bob" {
				t.Fatal("a forged handle ended bob's own session")
			}
			// The genuine handle works for its owner.
			if code := alice.end(handle); code != http.StatusOK || alice2.who() != "anonymous" {
				t.Fatalf("alice ending her own other session answered %d", code)
			}
		})
	}
}

// TestACookieStoreCannotListOrRevoke: the cookie store says so, with an
// error errors.Is finds, at New and at every call.
func TestACookieStoreCannotListOrRevoke(t *testing.T) {
	cs, err := cookiestore.New()
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			msg, _ := recover().(string)
			if !strings.Contains(msg, "cannot be listed or revoked") {
				t.Errorf("New(cookie store, WithUserIndex) panicked with %q, want the reason", msg)
			}
		}()
		ginsession.New(cs, ginsession.WithSecretKey(secret), ginsession.WithUserIndex(ginsession.UserIndex{}))
	}()
	if _, err := auth.EndUserSessions(context.Background(), cs, "alice"); !errors.Is(err, stores.ErrClientSide) || !errors.Is(err, auth.ErrNoIndex) {
		t.Errorf("EndUserSessions on the cookie store = %v, want ErrClientSide", err)
	}
	r := gin.New()
	r.Use(ginsession.New(cs, ginsession.WithSecretKey(secret)))
	var errs []error
	r.GET("/", func(c *gin.Context) {
		if err := auth.Login(c, devUsers["alice"], ""); err != nil {
			t.Error(err)
		}
		_, e1 := auth.Sessions(c)
		e2 := auth.EndSession(c, "x")
		_, e3 := auth.EndOtherSessions(c)
		errs = append(errs, e1, e2, e3)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	for i, err := range errs {
		if !errors.Is(err, stores.ErrClientSide) {
			t.Errorf("call %d on a cookie-store session = %v, want ErrClientSide", i, err)
		}
	}
}
