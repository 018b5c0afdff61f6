package ginsession_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	redis9 "github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/csrf"
	"github.com/ginsession/ginsession/internal/lincheck"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/redis9store"
)

// leakScan holds what a test must never find in a log line or an error
// string (every session key a store was called with, every cookie value),
// and captures both.
type leakScan struct {
	mu      sync.Mutex
	secrets map[string]bool
	logs    testenv.LogBuffer // every log line, every level
	errs    testenv.LogBuffer // every error string, one a line
}

func (l *leakScan) secret(v string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.secrets == nil {
		l.secrets = map[string]bool{}
	}
	if len(v) >= 8 {
		l.secrets[v] = true
	}
}

func (l *leakScan) err(err error) {
	if err != nil {
		fmt.Fprintln(&l.errs, err)
	}
}

// store returns st wrapped so that every key it is called with is a
// secret, and every error it returns is scanned.
func (l *leakScan) store(st stores.Store) stores.Store {
	return stores.Wrap(st, func(ctx context.Context, call stores.Call, next func(context.Context) error) error {
		l.secret(call.Key)
		err := next(ctx)
		l.err(err)
		return err
	})
}

// options capture the middleware's logs and the errors its error handler
// answers.
func (l *leakScan) options() []ginsession.Option {
	return []ginsession.Option{ginsession.WithLogger(l.logs.Logger()), ginsession.WithErrorHandler(func(c *gin.Context, err error) {
		l.err(err)
		ginsession.DefaultErrorHandler(c, err)
	})}
}

// check fails t if a log line or an error holds a secret, or if a wanted
// string is in neither (its path was not driven).
func (l *leakScan) check(t *testing.T, want ...string) {
	t.Helper()
	logs, errs := l.logs.String(), l.errs.String()
	for _, w := range want {
		if !strings.Contains(logs+errs, w) {
			t.Errorf("the path of %q was not driven; logs:\n%s\nerrors:\n%s", w, logs, errs)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds the full value %s", stores.Redact(s))
		}
		if strings.Contains(errs, s) {
			t.Errorf("an error holds the full value %s", stores.Redact(s))
		}
	}
	if len(l.secrets) == 0 {
		t.Error("no secret was recorded")
	}
}

// TestNoFailurePathLogsOrReturnsAKey drives every failure path a test can
// reach against real servers (a store down: a closed client, connections
// killed, a paused private Redis, deadlines; a corrupt record; conflicts and
// saves interrupted by a concurrent logout; tampered and unknown cookies;
// the user index, the session cap, re-authentication and CSRF refusals)
// and scans every log line, at every level, and every error string a
// handler, the error handler or a store returned, for a full session key
// or cookie value (OWASP ASVS 5.0 16.2.5).
func TestNoFailurePathLogsOrReturnsAKey(t *testing.T) {
	t.Run("concurrent requests under faults", func(t *testing.T) {
		const base = "gs_leak_"
		for name, open := range map[string]func(t *testing.T, l *leakScan) (stores.Store, []linFault){
			"cachedstore over Redis and MySQL, connections killed": func(t *testing.T, l *leakScan) (stores.Store, []linFault) {
				cname := linClientName()
				client := testenv.OpenRedis9(t, &redis9.Options{Addr: testenv.RedisAddr(), ClientName: cname, ContextTimeoutEnabled: true})
				cache := linNew(redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, base))))
				db, kill := linMySQL(t)
				st := linNew(cachedstore.New(cache, everystore.SQL(t, db, base), cachedstore.WithLogger(l.logs.Logger())))
				return st, []linFault{kill, redisKiller(t, cname, testenv.RedisAddr())}
			},
			"redis-v9, private server paused": func(t *testing.T, l *leakScan) (stores.Store, []linFault) {
				addr, pause := privateRedis(t)
				client := testenv.OpenRedis9(t, &redis9.Options{Addr: addr, ContextTimeoutEnabled: true})
				return linNew(redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, base)))), []linFault{pause}
			},
		} {
			t.Run(name, func(t *testing.T) {
				l := &leakScan{}
				st, faults := open(t, l)
				run := linRun{seed: 7, ops: 600, browsers: 3, clients: 3, timeouts: 0.05, onErr: l.err,
					opts: append(l.options(), ginsession.WithStoreTimeout(50*time.Millisecond))}
				app := newLinApp(t, l.store(st), run)
				ctx, cancel := context.WithCancel(context.Background())
				var wg sync.WaitGroup
				for _, f := range faults {
					wg.Go(func() { f(ctx) })
				}
				ops := runLin(t, app, run, &linCounts{})
				cancel()
				wg.Wait()
				for _, op := range ops {
					l.secret(op.Input.(lincheck.Input).Key)
					l.secret(op.Output.(lincheck.Output).NewKey)
				}
				l.check(t, "session store failed")
			})
		}
	})
	t.Run("one site's every failure", func(t *testing.T) { leakSite(t) })
}

// leakSite drives, on one site over Redis with the user index and a cap of
// one session per user, the paths of auth, the index, CSRF, corrupt data,
// tampered cookies and a logout during a save, then closes the store's
// client and drives them again.
func leakSite(t *testing.T) {
	l := &leakScan{}
	client := testenv.OpenRedis9(t, &redis9.Options{Addr: testenv.RedisAddr(), ContextTimeoutEnabled: true})
	st := linNew(redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, testenv.Redis9(t), "gs_leak_"))))
	// The cap needs the store's own IndexAddLimited, which a stores.Wrap
	// hides: keys are recorded from the cookies instead.
	opts := append(l.options(), ginsession.WithSecretKey("leak-secret-key-leak-secret-key-leak"),
		ginsession.WithUserIndex(ginsession.UserIndex{MaxSessions: 1}))
	r := gin.New()
	r.Use(ginsession.New(st, opts...))
	r.Use(csrf.New(csrf.WithLogger(l.logs.Logger())))
	answer := func(c *gin.Context, err error) {
		l.err(err)
		if err != nil {
			c.String(http.StatusInternalServerError, "failed")
			return
		}
		c.String(http.StatusOK, "ok")
	}
	hold, held := make(chan struct{}), make(chan struct{})
	r.GET("/set", func(c *gin.Context) { ginsession.From(c).Set("k", c.Query("v")); answer(c, ginsession.From(c).Err()) })
	r.GET("/get", func(c *gin.Context) { _, _ = ginsession.From(c).Get("k"); answer(c, ginsession.From(c).Err()) })
	r.GET("/slow-set", func(c *gin.Context) {
		s := ginsession.From(c)
		_, _ = s.Get("k")
		close(held)
		<-hold // a logout of this session lands here
		s.Set("k", "late")
		answer(c, s.Err())
	})
	r.POST("/login/:id", csrf.Exempt, func(c *gin.Context) { answer(c, auth.Login(c, linUser(c.Param("id")), "")) })
	r.POST("/logout", csrf.Exempt, func(c *gin.Context) { answer(c, auth.Logout(c)) })
	r.POST("/cycle", csrf.Exempt, func(c *gin.Context) { answer(c, ginsession.From(c).CycleKey()) })
	r.POST("/reauth", csrf.Exempt, func(c *gin.Context) { answer(c, auth.Reauthenticate(c, linUser("bob"))) })
	r.GET("/devices", func(c *gin.Context) { _, err := auth.Sessions(c); answer(c, err) })
	r.POST("/end", csrf.Exempt, func(c *gin.Context) { answer(c, auth.EndSession(c, c.PostForm("handle"))) })
	r.POST("/end-others", csrf.Exempt, func(c *gin.Context) { _, err := auth.EndOtherSessions(c); answer(c, err) })
	r.GET("/me", func(c *gin.Context) {
		_, err := auth.CurrentUser(c, func(_ context.Context, id string) (auth.User, error) { return linUser(id), nil })
		answer(c, err)
	})
	r.POST("/guarded", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.POST("/recent", auth.RequireRecentLogin(time.Nanosecond, "/reauth"), func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)

	// do sends a request with the cookies given (name=value), records every
	// cookie value sent and received, and returns the new session cookie's
	// value ("" if none was set).
	do := func(method, path string, form url.Values, cookies ...string) string {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, srv.URL+path, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, ck := range cookies {
			name, v, _ := strings.Cut(ck, "=")
			req.AddCookie(&http.Cookie{Name: name, Value: v})
			l.secret(v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		key := ""
		for _, ck := range resp.Cookies() {
			l.secret(ck.Value)
			if ck.Name == "sessionid" && ck.MaxAge >= 0 {
				key = ck.Value
			}
		}
		return key
	}
	sid := func(k string) string { return "sessionid=" + k }
	form := url.Values{}

	a := do("POST", "/login/alice", form)
	do("POST", "/login/alice", form) // refused by the cap
	b := do("POST", "/login/bob", form)
	do("POST", "/end", url.Values{"handle": {a}}, sid(b)) // a key is no handle
	do("POST", "/reauth", form, sid(a))                   // not bob's session
	do("POST", "/guarded", url.Values{"csrfmiddlewaretoken": {a}}, sid(a))
	do("POST", "/guarded", url.Values{"csrfmiddlewaretoken": {"x"}}, sid(a), "csrftoken="+a)
	do("POST", "/recent", form, sid(a))
	// Tampered, unknown, invalid and overlong cookies.
	for _, v := range []string{a[:31] + "!", a[:31] + "0", stores.NewKey(), "../../" + a, a + a} {
		do("GET", "/me", nil, sid(v))
		do("GET", "/set?v=1", nil, sid(v))
	}
	// A corrupt record.
	garbage := stores.NewKey()
	if err := st.Create(context.Background(), garbage, []byte("{not json"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	do("GET", "/get", nil, sid(garbage))
	// A save interrupted by a concurrent logout.
	c := do("GET", "/set?v=1", nil)
	done := make(chan struct{})
	go func() { defer close(done); do("GET", "/slow-set", nil, sid(c)) }()
	<-held
	do("POST", "/logout", form, sid(c))
	close(hold)
	<-done
	// The store goes down: a closed client.
	client.Close()
	for _, k := range []string{a, b} {
		do("GET", "/get", nil, sid(k))
		do("GET", "/set?v=2", nil, sid(k))
		do("GET", "/devices", nil, sid(k))
		do("POST", "/end-others", form, sid(k))
		do("POST", "/cycle", form, sid(k))
		do("POST", "/logout", form, sid(k))
	}
	do("POST", "/login/carol", form)
	l.check(t, "most sessions allowed", "no such session", "CSRF", "corrupted",
		ginsession.ErrSessionInterrupted.Error(), "client is closed", "level=WARN", "level=ERROR")
}
