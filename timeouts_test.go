package ginsession_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/sessiontest"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

const timeoutSecret = "timeouts-test-secret-0123456789abcdefghij"

// timeoutsEngine serves the routes the timeout tests use on store, with
// the middleware configured by opts.
func timeoutsEngine(store stores.Store, opts ...ginsession.Option) *gin.Engine {
	r := gin.New()
	r.Use(ginsession.New(store, append([]ginsession.Option{ginsession.WithSecretKey(timeoutSecret)}, opts...)...))
	fail := func(c *gin.Context, err error) { c.String(http.StatusInternalServerError, err.Error()) }
	r.GET("/login", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("user", c.DefaultQuery("user", "alice"))
		c.String(http.StatusOK, "ok")
	})
	r.GET("/whoami", func(c *gin.Context) {
		v, ok := ginsession.Get[string](ginsession.From(c), "user")
		if !ok {
			v = "anonymous"
		}
		c.String(http.StatusOK, v)
	})
	r.GET("/idle", func(c *gin.Context) {
		s := ginsession.From(c)
		if c.Query("d") == "reset" {
			s.ResetIdleTimeout()
		} else if d, err := time.ParseDuration(c.Query("d")); err != nil {
			fail(c, err)
			return
		} else if err := s.SetIdleTimeout(d); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, s.IdleTimeout().String())
	})
	r.GET("/cycle", func(c *gin.Context) {
		if err := ginsession.From(c).CycleKey(); err != nil {
			fail(c, err)
			return
		}
		c.String(http.StatusOK, "cycled")
	})
	r.GET("/flush-login", func(c *gin.Context) {
		s := ginsession.From(c)
		if err := s.Flush(); err != nil {
			fail(c, err)
			return
		}
		s.Set("user", "bob")
		c.String(http.StatusOK, "ok")
	})
	r.GET("/restart", func(c *gin.Context) {
		ginsession.From(c).RestartAbsoluteTimeout()
		c.String(http.StatusOK, "restarted")
	})
	r.GET("/browser-session", func(c *gin.Context) {
		ginsession.From(c).SetExpiry(0)
		c.String(http.StatusOK, "ok")
	})
	r.GET("/expiry-in", func(c *gin.Context) {
		d, _ := time.ParseDuration(c.Query("d"))
		ginsession.From(c).SetExpiry(d)
		c.String(http.StatusOK, "ok")
	})
	r.GET("/expiry-at", func(c *gin.Context) {
		t, _ := time.Parse(time.RFC3339, c.Query("t"))
		ginsession.From(c).SetExpiryAt(t)
		c.String(http.StatusOK, "ok")
	})
	r.GET("/ends", func(c *gin.Context) {
		s := ginsession.From(c)
		c.String(http.StatusOK, s.ExpiryDate().UTC().Format(time.RFC3339)+" "+s.ExpiryAge().String())
	})
	return r
}

// browser is a sessiontest client on h that remembers the session
// cookie the last response set. Its jar keeps real time, so a cookie is
// still sent after the test's clock passed its Max-Age, and the tests see
// what the middleware answers to it.
type browser struct {
	t    *testing.T
	c    *sessiontest.Client
	last *http.Cookie // the session cookie the last response set, if any
}

func newBrowser(t *testing.T, h http.Handler) *browser {
	return &browser{t: t, c: sessiontest.NewClient(t, h)}
}

// holding gives the browser a session cookie, as a copied cookie would.
func (b *browser) holding(value string) *browser {
	b.c.SetCookie(&http.Cookie{Name: "sessionid", Value: value})
	return b
}

// get sends a GET for path, which must answer 200, and returns the body.
func (b *browser) get(path string) string {
	b.t.Helper()
	r := b.c.Get(path).ExpectStatus(http.StatusOK)
	b.last = r.SetCookie("sessionid")
	return r.Body
}

// key returns the session cookie the browser holds, "" when none.
func (b *browser) key() string {
	if c := b.c.Cookie("sessionid"); c != nil {
		return c.Value
	}
	return ""
}

// wantCookie checks the last response set the session cookie with maxAge
// (0: a browser-session cookie).
func (b *browser) wantCookie(maxAge int) {
	b.t.Helper()
	switch {
	case b.last == nil:
		b.t.Fatalf("no session cookie was set; want one with Max-Age %d", maxAge)
	case b.last.MaxAge != maxAge:
		b.t.Fatalf("Set-Cookie %s: Max-Age %d, want %d", b.last.Raw, b.last.MaxAge, maxAge)
	}
}

func (b *browser) wantNoCookie() {
	b.t.Helper()
	if b.last != nil {
		b.t.Fatalf("Set-Cookie %s, want none", b.last.Raw)
	}
}

func (b *browser) wantUser(path, want string) {
	b.t.Helper()
	if got := b.get(path); got != want {
		b.t.Fatalf("GET %s = %q, want %q", path, got, want)
	}
}

// record returns the data the store holds for the session under key, and
// its expiry by clock.
func record(t *testing.T, store stores.Store, key string, clock *storetest.Clock) ([]byte, time.Time) {
	t.Helper()
	data, ttl, err := store.(stores.TTLLoader).LoadWithTTL(context.Background(), key)
	if err != nil {
		t.Fatalf("LoadWithTTL: %v", err)
	}
	return data, clock.Now().Add(ttl)
}

// near reports whether got is want within the rounding stores may apply
// (SQL keeps microseconds, Redis milliseconds measured after a round trip).
func near(got, want time.Time) bool {
	d := got.Sub(want)
	return d > -2*time.Second && d < 2*time.Second
}

// An idle session slides, without its data being rewritten and at most
// once per 1/30 of the timeout, and ends once unused for the timeout: on
// every store, the cookie stores included.
func TestIdleTimeoutSlidesAndEndsOnEveryStore(t *testing.T) {
	const idle = 30 * time.Minute
	for _, st := range everystore.WithClock("gs_idle_") {
		t.Run(st.Name, func(t *testing.T) {
			t.Parallel()
			clock := storetest.NewClock(time.Now())
			store, advance := st.Open(t, clock)
			_, cookie := store.(stores.ClientSide)
			server := !cookie
			b := newBrowser(t, timeoutsEngine(store, ginsession.WithIdleTimeout(idle), ginsession.WithClock(clock.Now)))

			b.get("/login")
			b.wantCookie(int(idle / time.Second))
			var data []byte
			if server {
				var exp time.Time
				data, exp = record(t, store, b.key(), clock)
				if !near(exp, clock.Now().Add(idle)) {
					t.Fatalf("a new session's record expires at %v, want now + %v (%v), not the two-week age", exp, idle, clock.Now().Add(idle))
				}
			}

			// Within a minute: nothing is written, no cookie is sent.
			advance(30 * time.Second)
			b.wantUser("/whoami", "alice")
			b.wantNoCookie()
			if server {
				if _, exp := record(t, store, b.key(), clock); !near(exp, clock.Now().Add(idle-30*time.Second)) {
					t.Fatalf("the expiry moved within the first minute: %v", exp)
				}
			}

			// A minute on: the expiry moves, the data stays as it was.
			advance(31 * time.Second)
			b.wantUser("/whoami", "alice")
			b.wantCookie(int(idle / time.Second))
			if server {
				got, exp := record(t, store, b.key(), clock)
				if !near(exp, clock.Now().Add(idle)) {
					t.Fatalf("after a minute the expiry is %v, want now + %v", exp, idle)
				}
				if !bytes.Equal(got, data) {
					t.Fatalf("the slide rewrote the data: %q, was %q", got, data)
				}
			}

			// Used again two seconds before the end: still there.
			advance(idle - 2*time.Second)
			b.wantUser("/whoami", "alice")
			// Unused for the whole timeout: gone, and the cookie deleted.
			advance(idle + time.Second)
			b.wantUser("/whoami", "anonymous")
			if b.last == nil || b.last.MaxAge >= 0 || b.key() != "" {
				t.Fatalf("the cookie of a session ended by its idle timeout was not deleted: %v", b.last)
			}
		})
	}
}

// newOpsStore is a memstore on clock, counting its calls.
func newOpsStore(t *testing.T, now func() time.Time) *callCounter {
	return newCallCounter(testenv.Must(memstore.New(memstore.WithClock(now))))
}

// A thousand requests a second apart, each reading the session: one load
// each, as without the option, and a touch at most once a minute; never a
// rewrite of the data. SaveEveryRequest, for comparison, writes on each.
func TestIdleTimeoutTouchesAtMostOncePerMinute(t *testing.T) {
	for _, tc := range []struct {
		name        string
		opts        []ginsession.Option
		loadOp      string
		maxTouches  int
		wantTouches int // exact, when not 0
	}{
		{"without the option", nil, "Load", 0, 0},
		{"WithIdleTimeout(30m)", []ginsession.Option{ginsession.WithIdleTimeout(30 * time.Minute)}, "LoadWithTTL", 17, 0},
		{"WithSaveEveryRequest", []ginsession.Option{ginsession.WithSaveEveryRequest(true)}, "Load", 1000, 1000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := storetest.NewClock(time.Now())
			store := newOpsStore(t, clock.Now)
			b := newBrowser(t, timeoutsEngine(store, append(tc.opts, ginsession.WithClock(clock.Now))...))
			b.get("/login")
			store.take()
			for range 1000 {
				clock.Advance(time.Second)
				b.wantUser("/whoami", "alice")
			}
			got := store.take()
			t.Logf("1000 reads a second apart: %v", got)
			if got[tc.loadOp] != 1000 || got["Load"]+got["LoadWithTTL"] != 1000 {
				t.Errorf("loads: %v, want 1000 %s", got, tc.loadOp)
			}
			if got["Update"] != 0 || got["Create"] != 0 || got["Delete"] != 0 {
				t.Errorf("the data was written: %v", got)
			}
			if got["Touch"] > tc.maxTouches || (tc.wantTouches != 0 && got["Touch"] != tc.wantTouches) {
				t.Errorf("%d touches, want at most %d", got["Touch"], tc.maxTouches)
			}
			if tc.name == "WithIdleTimeout(30m)" && got["Touch"] < 15 {
				t.Errorf("%d touches in 1000 s of use, want about one a minute", got["Touch"])
			}
		})
	}
}

// A request that loaded the session, then saw a concurrent request change
// it, slides the expiry alone: the other request's change stays.
func TestASlideNeverWritesBackStaleData(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	store := newOpsStore(t, clock.Now)
	h := timeoutsEngine(store, ginsession.WithIdleTimeout(30*time.Minute), ginsession.WithClock(clock.Now))
	b := newBrowser(t, h)
	b.get("/login")
	clock.Advance(2 * time.Minute) // the next read slides
	other := newBrowser(t, h).holding(b.key())
	store.afterLoad = func() { other.get("/login?user=bob") }
	b.wantUser("/whoami", "alice") // it loaded alice before bob was saved
	b.wantCookie(1800)
	if c := store.take(); c["Touch"] != 1 || c["Update"] != 1 {
		t.Fatalf("calls %v, want the other request's Update and this one's Touch", c)
	}
	b.wantUser("/whoami", "bob")
}

// A slide after a concurrent logout brings nothing back: the touch finds
// no record, and the cookie is deleted.
func TestASlideAfterAConcurrentLogoutBringsNothingBack(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	store := newOpsStore(t, clock.Now)
	b := newBrowser(t, timeoutsEngine(store, ginsession.WithIdleTimeout(30*time.Minute), ginsession.WithClock(clock.Now)))
	b.get("/login")
	key := b.key()
	clock.Advance(2 * time.Minute)
	store.afterLoad = func() {
		if err := store.Store.Delete(context.Background(), key); err != nil {
			t.Error(err)
		}
	}
	b.wantUser("/whoami", "alice")
	if b.last == nil || b.last.MaxAge >= 0 {
		t.Fatalf("the cookie of a session deleted meanwhile was not deleted: %v", b.last)
	}
	if _, err := store.Store.Load(context.Background(), key); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("the deleted record came back: %v", err)
	}
}

// Many browsers, many requests each, the clock moving under them: every
// session keeps its value and slides, under the race detector.
func TestIdleTimeoutUnderConcurrentRequests(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	store := newOpsStore(t, clock.Now)
	h := timeoutsEngine(store, ginsession.WithIdleTimeout(30*time.Minute), ginsession.WithClock(clock.Now))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			user := "user" + strconv.Itoa(g)
			b := newBrowser(t, h)
			b.get("/login?user=" + user)
			for range 200 {
				clock.Advance(time.Second)
				if got := b.get("/whoami"); got != user {
					t.Errorf("%s sees %q", user, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	if c := store.take(); c["Update"] != 0 {
		t.Errorf("reads rewrote data: %v", c)
	}
}

// SetIdleTimeout gives one session its own timeout: longer, none at all,
// or back to the default; it needs WithIdleTimeout.
func TestSetIdleTimeoutOverridesTheDefaultForOneSession(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	store := testenv.Must(memstore.New(memstore.WithClock(clock.Now)))
	h := timeoutsEngine(store, ginsession.WithIdleTimeout(30*time.Minute), ginsession.WithClock(clock.Now))

	kept := newBrowser(t, h)
	kept.get("/login")
	if got := kept.get("/idle?d=2h"); got != "2h0m0s" {
		t.Fatalf("IdleTimeout after SetIdleTimeout(2h) = %s", got)
	}
	kept.wantCookie(7200)
	forever := newBrowser(t, h)
	forever.get("/login")
	forever.get("/idle?d=0s")
	forever.wantCookie(int(ginsession.DefaultCookieAge / time.Second))
	plain := newBrowser(t, h)
	plain.get("/login")

	clock.Advance(time.Hour)
	plain.wantUser("/whoami", "anonymous")
	kept.wantUser("/whoami", "alice")
	if got := kept.get("/idle?d=reset"); got != "30m0s" {
		t.Fatalf("IdleTimeout after ResetIdleTimeout = %s", got)
	}
	clock.Advance(10 * 24 * time.Hour)
	kept.wantUser("/whoami", "anonymous")
	forever.wantUser("/whoami", "alice")

	without := newBrowser(t, timeoutsEngine(store, ginsession.WithClock(clock.Now)))
	without.get("/login")
	without.c.Get("/idle?d=1h").ExpectBody(ginsession.ErrNoIdleTimeout.Error())
}

// An absolute timeout ends an active session on time; the record and the
// cookie never outlive it.
func TestAbsoluteTimeoutEndsAnActiveSession(t *testing.T) {
	const abs = 8 * time.Hour
	clock := storetest.NewClock(time.Now())
	store := testenv.Must(memstore.New(memstore.WithClock(clock.Now)))
	b := newBrowser(t, timeoutsEngine(store, ginsession.WithAbsoluteTimeout(abs), ginsession.WithSaveEveryRequest(true), ginsession.WithClock(clock.Now)))
	b.get("/login")
	start := clock.Now()
	for clock.Now().Before(start.Add(abs - 10*time.Minute)) {
		clock.Advance(10 * time.Minute)
		b.wantUser("/whoami", "alice")
		left := start.Add(abs).Sub(clock.Now())
		if b.last == nil || b.last.MaxAge > int(left/time.Second)+1 {
			t.Fatalf("%v before the end the cookie is %v", left, b.last)
		}
		if _, exp := record(t, store, b.key(), clock); exp.After(start.Add(abs).Add(time.Second)) {
			t.Fatalf("the record expires at %v, after the absolute end %v", exp, start.Add(abs))
		}
	}
	clock.Advance(10 * time.Minute)
	b.wantUser("/whoami", "anonymous")
}

// A record that outlived its absolute end (written with a longer expiry,
// as by Django or before the option) is not adopted.
func TestAbsoluteTimeoutIsCheckedAtLoad(t *testing.T) {
	clock := storetest.NewClock(time.Now())
	store := testenv.Must(memstore.New(memstore.WithClock(clock.Now)))
	key := stores.NewKey()
	started := clock.Now().Add(-9 * time.Hour).Unix()
	data := []byte(`{"user":"alice","_session_started":` + strconv.FormatInt(started, 10) + `}`)
	if err := store.Create(context.Background(), key, data, clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, timeoutsEngine(store, ginsession.WithAbsoluteTimeout(8*time.Hour), ginsession.WithClock(clock.Now))).holding(key)
	b.wantUser("/whoami", "anonymous")
	if b.last == nil || b.last.MaxAge >= 0 {
		t.Fatalf("the cookie of a session past its absolute end was not deleted: %v", b.last)
	}
}

// What starts the absolute clock: the first save; Flush (and the save
// after it); RestartAbsoluteTimeout. CycleKey keeps it. A session saved
// without one gets one at its first load.
func TestWhatStartsTheAbsoluteClock(t *testing.T) {
	const abs = 8 * time.Hour
	clock := storetest.NewClock(time.Now())
	store := testenv.Must(memstore.New(memstore.WithClock(clock.Now)))
	h := timeoutsEngine(store, ginsession.WithAbsoluteTimeout(abs), ginsession.WithClock(clock.Now))
	started := func(b *browser) time.Time {
		t.Helper()
		data, _ := record(t, store, b.key(), clock)
		var v struct {
			Started *int64 `json:"_session_started"`
		}
		if err := json.Unmarshal(data, &v); err != nil || v.Started == nil {
			t.Fatalf("no _session_started integer in %s: %v", data, err)
		}
		return time.Unix(*v.Started, 0)
	}

	b := newBrowser(t, h)
	b.get("/login")
	t0 := clock.Now().Truncate(time.Second)
	if got := started(b); !got.Equal(t0) {
		t.Fatalf("a new session starts at %v, want %v", got, t0)
	}
	clock.Advance(time.Hour)
	old := b.key()
	b.get("/cycle")
	if b.key() == old || !started(b).Equal(t0) {
		t.Fatalf("CycleKey: key %s (was %s), start %v; want a new key and the start kept", b.key(), old, started(b))
	}
	clock.Advance(time.Hour)
	b.get("/restart")
	if t2 := clock.Now().Truncate(time.Second); !started(b).Equal(t2) {
		t.Fatalf("RestartAbsoluteTimeout: start %v, want %v", started(b), t2)
	}
	clock.Advance(time.Hour)
	b.get("/flush-login")
	if t3 := clock.Now().Truncate(time.Second); !started(b).Equal(t3) {
		t.Fatalf("after Flush: start %v, want %v", started(b), t3)
	}
	clock.Advance(abs - time.Second)
	b.wantUser("/whoami", "bob")
	clock.Advance(time.Second)
	b.wantUser("/whoami", "anonymous")

	// Saved before the option was on: stamped at its first load, and
	// saved with it.
	legacy := stores.NewKey()
	if err := store.Create(context.Background(), legacy, []byte(`{"user":"carol"}`), clock.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	lb := newBrowser(t, h).holding(legacy)
	lb.wantUser("/whoami", "carol")
	if got, want := started(lb), clock.Now().Truncate(time.Second); !got.Equal(want) {
		t.Fatalf("a legacy session's start is %v, want %v", got, want)
	}
	clock.Advance(abs)
	lb.wantUser("/whoami", "anonymous")
}

// The timeouts compose with Django's expiry settings: a browser-session
// cookie still obeys the idle timeout on the server, a shorter SetExpiry
// wins, SetExpiryAt stays fixed, ExpiryDate tells the truth.
func TestTimeoutsComposeWithSetExpiry(t *testing.T) {
	clock := storetest.NewClock(time.Date(2030, 5, 6, 7, 0, 0, 0, time.UTC))
	store := testenv.Must(memstore.New(memstore.WithClock(clock.Now)))
	h := timeoutsEngine(store, ginsession.WithIdleTimeout(30*time.Minute), ginsession.WithAbsoluteTimeout(12*time.Hour), ginsession.WithClock(clock.Now))

	remember := newBrowser(t, h)
	remember.get("/login")
	remember.get("/browser-session")
	remember.wantCookie(0)
	if _, exp := record(t, store, remember.key(), clock); !exp.Equal(clock.Now().Add(30 * time.Minute)) {
		t.Fatalf("a browser-session cookie's record expires at %v, want the idle timeout's %v", exp, clock.Now().Add(30*time.Minute))
	}
	if got := remember.get("/ends"); got != "2030-05-06T07:30:00Z 30m0s" {
		t.Fatalf("ExpiryDate, ExpiryAge = %s", got)
	}
	clock.Advance(31 * time.Minute)
	remember.wantUser("/whoami", "anonymous")

	short := newBrowser(t, h)
	short.get("/login")
	short.get("/expiry-in?d=10m")
	short.wantCookie(600)
	clock.Advance(5 * time.Minute)
	short.wantUser("/whoami", "alice") // slides the 10 minutes too
	short.wantCookie(600)
	clock.Advance(11 * time.Minute)
	short.wantUser("/whoami", "anonymous")

	fixed := newBrowser(t, h)
	fixed.get("/login")
	at := clock.Now().Add(20 * time.Minute)
	fixed.get("/expiry-at?t=" + at.Format(time.RFC3339))
	fixed.wantCookie(1200)
	clock.Advance(15 * time.Minute)
	fixed.wantUser("/whoami", "alice")
	fixed.wantNoCookie() // nothing to slide: the end is fixed
	clock.Advance(5 * time.Minute)
	fixed.wantUser("/whoami", "anonymous")

	late := newBrowser(t, h)
	late.get("/login")
	for range 24 {
		clock.Advance(29 * time.Minute)
		late.wantUser("/whoami", "alice")
	}
	// 11 h 36 min in: the idle end is past the absolute one.
	want := clock.Now().Add(-24 * 29 * time.Minute).Add(12 * time.Hour)
	if got := late.get("/ends"); !strings.HasPrefix(got, want.Format(time.RFC3339)+" ") {
		t.Fatalf("ExpiryDate near the absolute end = %s, want %s", got, want.Format(time.RFC3339))
	}
}

// The cookie store's sealed data enforces both timeouts.
func TestCookieStoreEnforcesTimeoutsFromTheSealedData(t *testing.T) {
	clock := storetest.NewClock(time.Now().Truncate(time.Second))
	cookie := testenv.Must(cookiestore.New(cookiestore.WithClock(clock.Now)))
	h := timeoutsEngine(cookie, ginsession.WithIdleTimeout(30*time.Minute), ginsession.WithAbsoluteTimeout(2*time.Hour), ginsession.WithClock(clock.Now))
	b := newBrowser(t, h)
	b.get("/login")
	sealed := b.key()
	clock.Advance(31 * time.Minute)
	b.wantUser("/whoami", "anonymous")

	// Used every 20 minutes: re-sealed each time, until the absolute end.
	b = newBrowser(t, h)
	b.get("/login")
	for i := 1; i <= 5; i++ {
		clock.Advance(20 * time.Minute)
		b.wantUser("/whoami", "alice")
		b.wantCookie(int(min(30*time.Minute, 2*time.Hour-time.Duration(i)*20*time.Minute) / time.Second))
	}
	clock.Advance(20 * time.Minute)
	b.wantUser("/whoami", "anonymous")

	// An old cookie replayed after its idle end is refused too.
	replay := newBrowser(t, h).holding(sealed)
	replay.wantUser("/whoami", "anonymous")
}

func TestTimeoutOptionsThatCannotWorkPanicNamingTheFix(t *testing.T) {
	store := testenv.Must(memstore.New())
	for _, tc := range []struct {
		opt  ginsession.Option
		want string
	}{
		{ginsession.WithIdleTimeout(-time.Minute), "WithIdleTimeout(-1m0s): use at least a second"},
		{ginsession.WithIdleTimeout(time.Millisecond), "WithIdleTimeout(1ms): use at least a second"},
		{ginsession.WithAbsoluteTimeout(-1), "WithAbsoluteTimeout(-1ns): use at least a second"},
		{ginsession.WithClock(nil), "WithClock(nil): pass a function"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), tc.want) {
					t.Errorf("panic %v, want one containing %q", r, tc.want)
				}
			}()
			ginsession.New(store, tc.opt)
		}()
	}
}

// A store that cannot load a time to live is touched on every request
// that loads the session (it cannot tell when the expiry is due), and one
// that cannot touch either is saved in full: slower, never wrong.
func TestIdleTimeoutOnStoresWithoutTheCapabilities(t *testing.T) {
	for _, tc := range []struct {
		name   string
		wrap   func(*callCounter) stores.Store
		writes string
	}{
		{"a Toucher without LoadWithTTL", func(c *callCounter) stores.Store {
			return struct {
				stores.Store
				stores.Toucher
			}{c, c}
		}, "Touch"},
		{"neither", func(c *callCounter) stores.Store { return struct{ stores.Store }{c} }, "Update"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := storetest.NewClock(time.Now())
			counter := newOpsStore(t, clock.Now)
			b := newBrowser(t, timeoutsEngine(tc.wrap(counter), ginsession.WithIdleTimeout(30*time.Minute), ginsession.WithClock(clock.Now)))
			b.get("/login")
			counter.take()
			for range 10 {
				clock.Advance(time.Second)
				b.wantUser("/whoami", "alice")
				b.wantCookie(1800)
			}
			if got := counter.take(); got["Load"] != 10 || got[tc.writes] != 10 {
				t.Fatalf("calls %v, want 10 loads and 10 of %s", got, tc.writes)
			}
			clock.Advance(31 * time.Minute)
			b.wantUser("/whoami", "anonymous")
		})
	}
}
