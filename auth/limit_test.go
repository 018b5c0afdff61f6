package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// newCappedSite is the devices site with at most max sessions per user;
// its /login answers 409 with the message a user would see when the cap
// refuses the login.
func newCappedSite(t *testing.T, store stores.Store, max int, at ginsession.AtLimit) *devSite {
	t.Helper()
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithSecretKey(secret),
		ginsession.WithUserIndex(ginsession.UserIndex{MaxSessions: max, AtLimit: at})))
	r.POST("/capped-login/:id", func(c *gin.Context) {
		switch err := auth.Login(c, devUsers[c.Param("id")], ""); {
		case errors.Is(err, auth.ErrSessionLimit):
			c.String(http.StatusConflict, "too many devices: sign out of one first")
		case err != nil:
			c.String(http.StatusInternalServerError, err.Error())
		default:
			c.String(http.StatusOK, "ok")
		}
	})
	devRoutes(r)
	return &devSite{t: t, store: store, srv: newServer(t, r)}
}

// loginAll logs n new browsers in as id at once and returns them with the
// status each login got.
func loginAll(s *devSite, id string, n int) ([]*devClient, []int, []string) {
	browsers := make([]*devClient, n)
	codes := make([]int, n)
	bodies := make([]string, n)
	for i := range browsers {
		browsers[i] = s.browser("browser")
		browsers[i].who() // an anonymous session first, as a login page makes
	}
	var wg sync.WaitGroup
	for i, b := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], bodies[i] = b.do("POST", "/capped-login/"+id, url.Values{})
		}()
	}
	wg.Wait()
	return browsers, codes, bodies
}

// loggedIn counts the browsers whose session is still id's.
func loggedIn(browsers []*devClient, id string) int {
	n := 0
	for _, b := range browsers {
		if b.who() == id {
			n++
		}
	}
	return n
}

// TestFiftyConcurrentLoginsNeverExceedTheCap logs one user in from 50
// browsers at once on every store with an index: refusing, exactly the cap
// gets in and the rest see the 409 page; ending the oldest, every login
// succeeds and exactly the cap stays logged in. Either way the devices
// page lists no more than the cap.
func TestFiftyConcurrentLoginsNeverExceedTheCap(t *testing.T) {
	const n, max = 50, 5
	for _, st := range everystore.Indexed("security_cap") {
		for _, at := range []struct {
			name string
			at   ginsession.AtLimit
		}{{"RefuseLogin", ginsession.RefuseLogin}, {"EndOldest", ginsession.EndOldest}} {
			t.Run(st.Name+"/"+at.name, func(t *testing.T) {
				store := st.Open(t)
				site := newCappedSite(t, store, max, at.at)
				browsers, codes, bodies := loginAll(site, "alice", n)
				ok, refused, ended := 0, 0, 0
				for i, c := range codes {
					switch c {
					case http.StatusOK:
						ok++
					case http.StatusConflict:
						refused++
					case http.StatusBadRequest:
						// Ending the oldest can end a login whose request
						// has not finished: ErrSessionInterrupted.
						ended++
					default:
						t.Fatalf("a login answered %d %s", c, bodies[i])
					}
				}
				switch at.at {
				case ginsession.RefuseLogin:
					if ok != max || refused != n-max {
						t.Fatalf("%d logins succeeded and %d were refused, want %d and %d", ok, refused, max, n-max)
					}
				case ginsession.EndOldest:
					if refused != 0 || ok < max {
						t.Fatalf("ending the oldest, %d logins succeeded, %d were refused", ok, refused)
					}
				}
				ix := store.(stores.Indexer)
				l, err := ix.IndexList(context.Background(), "alice")
				if err != nil || len(l) != max {
					t.Fatalf("the index lists %d sessions (%v), want %d", len(l), err, max)
				}
				if got := loggedIn(browsers, "alice"); got != max {
					t.Fatalf("%d browsers are logged in, want the cap, %d (codes %v)", got, max, codes)
				}
			})
		}
	}
}

// holdStore holds the first capped add after the store has made it, until
// released: a login that has taken its place under the cap but not yet
// stored its user.
type holdStore struct {
	*memstore.Store
	first   atomic.Bool
	held    chan struct{}
	release chan struct{}
}

func (h *holdStore) IndexAddLimited(ctx context.Context, user string, e stores.IndexEntry, max int, evict bool) ([]string, error) {
	ev, err := h.Store.IndexAddLimited(ctx, user, e, max, evict)
	if h.first.CompareAndSwap(false, true) {
		close(h.held)
		<-h.release
	}
	return ev, err
}

// TestALoginHeldBeforeItsSaveStillCountsAgainstTheCap forces the
// interleaving in which a cap counted at the save would admit two: login A
// is held after taking its place and before its request stores anything,
// while login B runs from start to end. B must be refused, and A, once
// released, logged in.
func TestALoginHeldBeforeItsSaveStillCountsAgainstTheCap(t *testing.T) {
	st, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	store := &holdStore{Store: st, held: make(chan struct{}), release: make(chan struct{})}
	site := newCappedSite(t, store, 1, ginsession.RefuseLogin)
	a, b := site.browser("a"), site.browser("b")
	codeA := make(chan int)
	go func() {
		code, _ := a.do("POST", "/capped-login/alice", url.Values{})
		codeA <- code
	}()
	select {
	case <-store.held:
	case code := <-codeA:
		t.Fatalf("the login answered %d without taking a place under the cap", code)
	}
	if code, body := b.do("POST", "/capped-login/alice", url.Values{}); code != http.StatusConflict {
		t.Errorf("a second login while the first is held before its save: %d %q, want 409", code, body)
	}
	close(store.release)
	if code := <-codeA; code != http.StatusOK {
		t.Fatalf("the held login answered %d", code)
	}
	if a.who() != "alice" || b.who() == "alice" {
		t.Fatalf("a=%q b=%q: want only the first logged in", a.who(), b.who())
	}
}

func TestARefusedLoginLeavesTheAnonymousSessionAsItWas(t *testing.T) {
	st, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	site := newCappedSite(t, st, 1, ginsession.RefuseLogin)
	first := site.browser("first")
	if code, _ := first.do("POST", "/capped-login/alice", url.Values{}); code != http.StatusOK {
		t.Fatalf("first login: %d", code)
	}
	second := site.browser("second")
	second.who()
	code, body := second.do("POST", "/capped-login/alice", url.Values{})
	if code != http.StatusConflict {
		t.Fatalf("a second session under a cap of 1: %d %q, want 409", code, body)
	}
	if second.who() == "alice" || first.who() != "alice" {
		t.Fatal("the refused login logged in, or the first one was ended")
	}
	// Another user is not held back by alice's cap, and alice gets back in
	// once she signs out of the first device.
	if code, _ := second.do("POST", "/capped-login/bob", url.Values{}); code != http.StatusOK {
		t.Fatalf("bob's login: %d", code)
	}
	first.must("POST", "/logout", url.Values{})
	third := site.browser("third")
	if code, _ := third.do("POST", "/capped-login/alice", url.Values{}); code != http.StatusOK {
		t.Fatalf("alice's login after signing out: %d", code)
	}
}

func TestEndOldestEndsTheLeastRecentlyActiveSession(t *testing.T) {
	st, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	site := newCappedSite(t, st, 2, ginsession.EndOldest)
	a, b, c := site.browser("a"), site.browser("b"), site.browser("c")
	for _, x := range []*devClient{a, b, c} {
		if code, _ := x.do("POST", "/capped-login/alice", url.Values{}); code != http.StatusOK {
			t.Fatalf("login: %d", code)
		}
	}
	if a.who() == "alice" || b.who() != "alice" || c.who() != "alice" {
		t.Fatalf("after three logins under a cap of 2: a=%q b=%q c=%q, want only a ended", a.who(), b.who(), c.who())
	}
}
