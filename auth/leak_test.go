package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/csrf"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// failingStore is a memstore whose index calls and deletes fail while
// broken is set: a store going down under the index paths.
type failingStore struct {
	*memstore.Store
	mu      sync.Mutex
	broken  bool
	created []string // every key a record was created under
}

func (f *failingStore) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	f.mu.Lock()
	f.created = append(f.created, key)
	f.mu.Unlock()
	return f.Store.Create(ctx, key, data, expiry)
}

var errDown = errors.New("connection refused")

func (f *failingStore) down() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.broken {
		return errDown
	}
	return nil
}

func (f *failingStore) setBroken(b bool) { f.mu.Lock(); f.broken = b; f.mu.Unlock() }

func (f *failingStore) Delete(ctx context.Context, key string) error {
	if err := f.down(); err != nil {
		return err
	}
	return f.Store.Delete(ctx, key)
}

func (f *failingStore) IndexList(ctx context.Context, user string) ([]stores.IndexEntry, error) {
	if err := f.down(); err != nil {
		return nil, err
	}
	return f.Store.IndexList(ctx, user)
}

func (f *failingStore) IndexAddLimited(ctx context.Context, user string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	if err := f.down(); err != nil {
		return nil, err
	}
	return f.Store.IndexAddLimited(ctx, user, e, max, evict)
}

// TestNoErrorOrLogOfAuthOrIndexHoldsAKey drives the failure paths of auth,
// the user index and CSRF (a cap refusing a login, a store down under the
// index, ending a session that is not the user's, a tampered or unknown
// cookie, a CSRF refusal, a stale proof) and checks that no error string
// and no log line, at every level, holds a full session key or cookie
// value (OWASP ASVS 5.0 16.2.5).
func TestNoErrorOrLogOfAuthOrIndexHoldsAKey(t *testing.T) {
	logs := &testenv.LogBuffer{}
	st, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	store := &failingStore{Store: st}
	var errMu sync.Mutex
	var errs []string
	record := func(err error) {
		if err != nil {
			errMu.Lock()
			errs = append(errs, err.Error())
			errMu.Unlock()
		}
	}
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithSecretKey(secret), ginsession.WithLogger(logs.Logger()),
		ginsession.WithUserIndex(ginsession.UserIndex{MaxSessions: 1})))
	r.Use(csrf.New(csrf.WithLogger(logs.Logger())))
	answer := func(c *gin.Context, err error) {
		record(err)
		if err != nil {
			c.String(http.StatusInternalServerError, "failed")
			return
		}
		c.String(http.StatusOK, "ok")
	}
	r.POST("/login/:id", csrf.Exempt, func(c *gin.Context) { answer(c, auth.Login(c, devUsers[c.Param("id")], "")) })
	r.POST("/end", csrf.Exempt, func(c *gin.Context) { answer(c, auth.EndSession(c, c.PostForm("handle"))) })
	r.POST("/end-others", csrf.Exempt, func(c *gin.Context) {
		_, err := auth.EndOtherSessions(c)
		answer(c, err)
	})
	r.GET("/devices", func(c *gin.Context) {
		_, err := auth.Sessions(c)
		answer(c, err)
	})
	r.POST("/reauth", csrf.Exempt, func(c *gin.Context) { answer(c, auth.Reauthenticate(c, devUsers["bob"])) })
	r.POST("/guarded", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.POST("/logout", csrf.Exempt, func(c *gin.Context) { answer(c, auth.Logout(c)) })
	r.GET("/me", func(c *gin.Context) {
		_, err := auth.CurrentUser(c, loadDevUser)
		answer(c, err)
	})
	r.POST("/recent", auth.RequireRecentLogin(time.Nanosecond, "/reauth"), func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	site := &devSite{t: t, store: store, srv: newServer(t, r)}

	a, b := site.browser("a"), site.browser("b")
	a.do("POST", "/login/alice", url.Values{})
	b.do("POST", "/login/alice", url.Values{}) // refused by the cap
	b.do("POST", "/login/bob", url.Values{})
	b.do("POST", "/end", url.Values{"handle": {a.key()}}) // a key is no handle
	b.do("POST", "/reauth", url.Values{})
	a.do("POST", "/reauth", url.Values{}) // not bob's session
	a.do("POST", "/guarded", url.Values{"csrfmiddlewaretoken": {a.key()}})
	a.do("POST", "/recent", url.Values{})
	store.setBroken(true)
	a.do("GET", "/devices", nil)
	a.do("POST", "/end-others", url.Values{})
	c := site.browser("c")
	c.do("POST", "/login/alice", url.Values{})
	b.do("POST", "/logout", url.Values{})
	store.setBroken(false)
	keys := []string{a.key(), b.key(), c.key()}
	// A tampered and an unknown cookie.
	u, _ := url.Parse(site.srv.URL)
	tampered := a.key()[:31] + "!"
	unknown := stores.NewKey()
	for _, v := range []string{tampered, unknown} {
		x := site.browser("x")
		x.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "sessionid", Value: v}})
		x.do("GET", "/me", nil)
		x.do("POST", "/login/alice", url.Values{})
		keys = append(keys, v, x.key())
	}

	store.mu.Lock()
	keys = append(keys, store.created...)
	store.mu.Unlock()
	errMu.Lock()
	all := strings.Join(errs, "\n")
	errMu.Unlock()
	for _, want := range []string{"most sessions allowed", "connection refused", "no such session"} {
		if !strings.Contains(all, want) {
			t.Fatalf("the path of %q was not driven; errors:\n%s", want, all)
		}
	}
	for _, want := range []string{"CSRF", "level=WARN"} {
		if !strings.Contains(logs.String(), want) {
			t.Fatalf("nothing logged %q: the failure paths were not driven:\n%s", want, logs.String())
		}
	}
	for _, k := range keys {
		if len(k) < 8 {
			continue
		}
		if strings.Contains(all, k) {
			t.Errorf("an error holds the full key %s:\n%s", stores.Redact(k), all)
		}
		if strings.Contains(logs.String(), k) {
			t.Errorf("the log holds the full key %s:\n%s", stores.Redact(k), logs.String())
		}
	}
}
