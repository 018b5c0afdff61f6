package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// recorder wraps a store (stores.Wrap), remembering every key a record was
// written under, so a test can look at every record a request left; fail,
// when set, can fail a call before the store sees it.
type recorder struct {
	st   stores.Store // the wrapped store, every capability kept
	mu   sync.Mutex
	keys map[string]bool
	fail func(stores.Call) error
}

func record(st stores.Store) *recorder {
	r := &recorder{keys: map[string]bool{}}
	r.st = stores.Wrap(st, func(ctx context.Context, call stores.Call, next func(context.Context) error) error {
		r.mu.Lock()
		fail := r.fail
		r.mu.Unlock()
		if fail != nil {
			if err := fail(call); err != nil {
				return err
			}
		}
		switch call.Method {
		case "Create", "Update", "CompareAndSwap":
			r.mu.Lock()
			r.keys[call.Key] = true
			r.mu.Unlock()
		}
		return next(ctx)
	})
	return r
}

func (r *recorder) failWith(f func(stores.Call) error) {
	r.mu.Lock()
	r.fail = f
	r.mu.Unlock()
}

// live returns the data of every live record written so far, by key.
func (r *recorder) live(t *testing.T) map[string]string {
	t.Helper()
	r.mu.Lock()
	keys := make([]string, 0, len(r.keys))
	for k := range r.keys {
		keys = append(keys, k)
	}
	r.mu.Unlock()
	out := map[string]string{}
	for _, k := range keys {
		data, err := r.st.Load(context.Background(), k)
		switch {
		case errors.Is(err, stores.ErrNotFound):
		case err != nil:
			t.Fatal(err)
		default:
			out[k] = string(data)
		}
	}
	return out
}

// loggedInOrphans returns the live records holding a user id whose key no
// browser's cookie names.
func (r *recorder) loggedInOrphans(t *testing.T, browsers ...*devClient) []string {
	t.Helper()
	named := map[string]bool{}
	for _, b := range browsers {
		named[b.key()] = true
	}
	var out []string
	for k, data := range r.live(t) {
		if !named[k] && strings.Contains(data, `"`+auth.SessionKeyUserID+`"`) {
			out = append(out, data)
		}
	}
	return out
}

// newCartSite is the devices site on st, with a cart and a login whose
// handler then fails: it answers 500 after auth.Login succeeded, as a
// handler does when the next step of its page (an order service) is down.
func newCartSite(t *testing.T, rec *recorder, routes func(*gin.Engine), opts ...ginsession.Option) *devSite {
	t.Helper()
	opts = append([]ginsession.Option{ginsession.WithSecretKey(secret), ginsession.WithUserIndex(ginsession.UserIndex{})}, opts...)
	r := gin.New()
	// A recovery before the middleware, which answers a panic with 500.
	r.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, _ any) { c.AbortWithStatus(http.StatusInternalServerError) }))
	r.Use(ginsession.New(rec.st, opts...))
	devRoutes(r)
	r.POST("/cart", func(c *gin.Context) {
		ginsession.From(c).Set("cart", c.Query("v"))
		c.String(http.StatusOK, "ok")
	})
	r.GET("/cart", func(c *gin.Context) {
		v, _ := ginsession.Get[string](ginsession.From(c), "cart")
		c.String(http.StatusOK, v)
	})
	r.POST("/login-then-fail/:id", func(c *gin.Context) {
		if err := auth.Login(c, devUsers[c.Param("id")], ""); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		if c.Query("panic") != "" {
			panic("the order service is down")
		}
		c.String(http.StatusInternalServerError, "the order service is down")
	})
	if routes != nil {
		routes(r)
	}
	return &devSite{t: t, store: rec.st, srv: newServer(t, r)}
}

// wantAsBefore fails unless b still holds key, anonymous, with cart in it,
// and no record left behind holds a user id or is listed.
func wantAsBefore(t *testing.T, site *devSite, rec *recorder, b *devClient, key, cart string) {
	t.Helper()
	if b.key() != key {
		t.Fatalf("the browser's cookie changed from %s to %s", stores.Redact(key), stores.Redact(b.key()))
	}
	if got := b.must("GET", "/cart", nil); got != cart {
		t.Fatalf("the old cookie loads the cart %q, want %q", got, cart)
	}
	if who := b.who(); who != "anonymous" {
		t.Fatalf("the browser is logged in as %q", who)
	}
	for k, data := range rec.live(t) {
		if k != key {
			t.Errorf("a record no cookie names is left: %s", data)
		}
	}
	if l := listedKeys(t, site.store.(stores.Indexer), "alice"); len(l) != 0 {
		t.Errorf("alice has %d sessions listed", len(l))
	}
}

// TestALoginAnswered5xxLeavesTheSessionAsItWas: a login handler that
// answers 500 after auth.Login leaves the browser's anonymous session as it
// was (same cookie, its cart still there) and writes no record anywhere
// (every key written is checked), on memory, MySQL and Redis, with and
// without a cap on sessions (which writes the new record ahead); so does
// one that panics after auth.Login.
func TestALoginAnswered5xxLeavesTheSessionAsItWas(t *testing.T) {
	for _, st := range everystore.Indexed("gs_cyc5_") {
		if !slices.Contains([]string{"memory", "mysql", "redis"}, st.Name) {
			continue
		}
		for name, opts := range map[string][]ginsession.Option{"": nil, ", capped": {ginsession.WithUserIndex(ginsession.UserIndex{MaxSessions: 3})}} {
			t.Run(st.Name+name, func(t *testing.T) {
				rec := record(st.Open(t))
				site := newCartSite(t, rec, nil, opts...)
				b := site.browser("B")
				b.must("POST", "/cart?v=3+apples", url.Values{})
				key := b.key()
				if code, body := b.do("POST", "/login-then-fail/alice", url.Values{}); code != http.StatusInternalServerError {
					t.Fatalf("the failing login answered %d %q", code, body)
				}
				wantAsBefore(t, site, rec, b, key, "3 apples")
				if code, body := b.do("POST", "/login-then-fail/alice?panic=1", url.Values{}); code != http.StatusInternalServerError {
					t.Fatalf("the failing login answered %d %q", code, body)
				}
				wantAsBefore(t, site, rec, b, key, "3 apples")
				// And the same browser logs in after, keeping its cart.
				b.login("alice")
				if b.key() == key || b.who() != "alice" || b.must("GET", "/cart", nil) != "3 apples" {
					t.Fatalf("the login after: key cycled %v, user %q", b.key() != key, b.who())
				}
			})
		}
	}
}

// TestALoginWhoseCommitFailsLeavesTheSessionAsItWas forces a failure of
// each store call of the login's commit after the new record is written:
// retiring the old record, and (for a re-key of a logged-in session) moving
// its index entry. The answer is 5xx, the browser keeps its cookie, whose
// record is as it was, and no record no cookie names is left.
func TestALoginWhoseCommitFailsLeavesTheSessionAsItWas(t *testing.T) {
	for _, call := range []string{"CompareAndDelete", "IndexAdd"} {
		t.Run("login, failing "+call, func(t *testing.T) {
			rec := record(testenv.Must(memstore.New()))
			site := newCartSite(t, rec, nil)
			b := site.browser("B")
			b.must("POST", "/cart?v=pears", url.Values{})
			key := b.key()
			rec.failWith(func(c stores.Call) error {
				if c.Method == call && (c.Key == key || c.Method == "IndexAdd") {
					return errors.New("the store failed")
				}
				return nil
			})
			if code, body := b.do("POST", "/login/alice", url.Values{}); code < 500 {
				t.Fatalf("a login whose commit failed answered %d %q, want 5xx", code, body)
			}
			rec.failWith(nil)
			wantAsBefore(t, site, rec, b, key, "pears")
		})
	}
	for _, call := range []string{"CompareAndDelete", "IndexMove"} {
		t.Run("re-key of a logged-in session, failing "+call, func(t *testing.T) {
			rec := record(testenv.Must(memstore.New()))
			site := newCartSite(t, rec, nil)
			b, other := site.browser("B"), site.browser("other")
			b.login("alice")
			other.login("alice")
			b.must("POST", "/cart?v=figs", url.Values{})
			key := b.key()
			rec.failWith(func(c stores.Call) error {
				if c.Method == call && c.Key == key {
					return errors.New("the store failed")
				}
				return nil
			})
			if code, body := b.do("POST", "/rekey", url.Values{}); code < 500 {
				t.Fatalf("a re-key whose commit failed answered %d %q, want 5xx", code, body)
			}
			rec.failWith(nil)
			if b.key() != key || b.who() != "alice" || b.must("GET", "/cart", nil) != "figs" {
				t.Fatal("the browser lost its session, or its cart")
			}
			if o := rec.loggedInOrphans(t, b, other); len(o) != 0 {
				t.Errorf("logged-in records no cookie names: %q", o)
			}
			wantListedIffLoggedIn(t, rec.st.(stores.Indexer), "alice", b, other)
			if len(listedKeys(t, rec.st.(stores.Indexer), "alice")) != 2 {
				t.Error("alice's two sessions are not both listed")
			}
		})
	}
}

// TestALoginWhoseClientHangsUpMidCommitLeavesNoOrphan: the client goes
// away while the login's commit retires the old record (its context is
// canceled there): the new, logged-in record is deleted all the same, and
// the old one is as it was.
func TestALoginWhoseClientHangsUpMidCommitLeavesNoOrphan(t *testing.T) {
	rec := record(testenv.Must(memstore.New()))
	var hangUp context.CancelFunc
	site := newCartSite(t, rec, func(r *gin.Engine) {
		r.POST("/hangup/login/:id", func(c *gin.Context) {
			ctx, cancel := context.WithCancel(c.Request.Context())
			hangUp = cancel
			c.Request = c.Request.WithContext(ctx)
			if err := auth.Login(c, devUsers[c.Param("id")], ""); err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
			c.String(http.StatusOK, "ok")
		})
	})
	b := site.browser("B")
	b.must("POST", "/cart?v=kiwis", url.Values{})
	key := b.key()
	rec.failWith(func(c stores.Call) error {
		if c.Method == "CompareAndDelete" && c.Key == key {
			hangUp()
			return context.Canceled
		}
		return nil
	})
	if code, body := b.do("POST", "/hangup/login/alice", url.Values{}); code < 500 {
		t.Fatalf("a login whose client went away answered %d %q", code, body)
	}
	rec.failWith(nil)
	wantAsBefore(t, site, rec, b, key, "kiwis")
}

// TestAChangeOfTheOldKeyDuringALoginIsKept forces the interleaving in which
// another tab saves the anonymous session after auth.Login has cycled the
// key and before the login's commit: the login's commit finds the old
// record changed, and its change goes into the new, logged-in record.
func TestAChangeOfTheOldKeyDuringALoginIsKept(t *testing.T) {
	for _, st := range everystore.Indexed("gs_cycw_") {
		if !slices.Contains([]string{"memory", "mysql", "redis"}, st.Name) {
			continue
		}
		t.Run(st.Name, func(t *testing.T) {
			rec := record(st.Open(t))
			loggedIn, tabDone := make(chan struct{}), make(chan struct{})
			site := newCartSite(t, rec, func(r *gin.Engine) {
				r.POST("/login-slowly/:id", func(c *gin.Context) {
					if err := auth.Login(c, devUsers[c.Param("id")], ""); err != nil {
						c.String(http.StatusInternalServerError, err.Error())
						return
					}
					close(loggedIn)
					<-tabDone
					c.String(http.StatusOK, "ok")
				})
			})
			b := site.browser("B")
			b.must("POST", "/cart?v=plums", url.Values{})
			key := b.key()
			tab := site.browser("B's other tab")
			u, _ := url.Parse(site.srv.URL)
			tab.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "sessionid", Value: key, Path: "/"}})
			done := make(chan struct{})
			go func() {
				defer close(done)
				if code, body := b.do("POST", "/login-slowly/alice", url.Values{}); code != http.StatusOK {
					t.Errorf("the login answered %d %q", code, body)
				}
			}()
			<-loggedIn
			tab.must("POST", "/cart?v=plums+and+cherries", url.Values{})
			close(tabDone)
			<-done
			if b.who() != "alice" || b.key() == key {
				t.Fatalf("the login did not land: %q", b.who())
			}
			if got := b.must("GET", "/cart", nil); got != "plums and cherries" {
				t.Fatalf("after the login the cart is %q: the other tab's change was lost", got)
			}
			if live := rec.live(t); live[key] != "" {
				t.Errorf("the old record survived the login: %s", live[key])
			}
			wantListedIffLoggedIn(t, rec.st.(stores.Indexer), "alice", b)
		})
	}
}

// TestManyRoundsOfFailingLogins runs logins that succeed, logins answered
// 500, key changes, logouts, endings and cart changes from eight browsers
// of one user at once. A login answered 500 leaves its browser's cookie
// and cart as they were; in the end every logged-in browser is listed, and
// no logged-in record is left that no cookie names. Run it under -race.
func TestManyRoundsOfFailingLogins(t *testing.T) {
	rec := record(testenv.Must(memstore.New()))
	site := newCartSite(t, rec, nil)
	var browsers []*devClient
	for i := range 8 {
		browsers = append(browsers, site.browser(fmt.Sprintf("browser %d", i)))
	}
	var wg sync.WaitGroup
	for i, b := range browsers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 11))
			for round := range 40 {
				switch r.IntN(6) {
				case 0:
					b.do("POST", "/login/alice", url.Values{})
				case 1:
					// Reads first: they drop the cookie of a session ended meanwhile.
					anonymous := b.who() == "anonymous"
					cart := b.must("GET", "/cart", nil)
					key := b.key()
					b.do("POST", "/login-then-fail/alice", url.Values{})
					if anonymous && (b.key() != key || b.must("GET", "/cart", nil) != cart) {
						t.Errorf("%s: a login answered 500 changed the anonymous session", b.ua)
					}
				case 2:
					b.do("POST", "/rekey", url.Values{})
				case 3:
					b.do("POST", "/logout", url.Values{})
				case 4:
					b.do("POST", "/end-others", url.Values{})
				default:
					b.do("POST", fmt.Sprintf("/cart?v=%d", round), url.Values{})
				}
			}
		})
	}
	wg.Wait()
	wantListedIffLoggedIn(t, rec.st.(stores.Indexer), "alice", browsers...)
	if o := rec.loggedInOrphans(t, browsers...); len(o) != 0 {
		t.Errorf("%d logged-in records no cookie names: %q", len(o), o)
	}
}
