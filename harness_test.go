package ginsession_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/sessiontest"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

func init() { gin.SetMode(gin.TestMode) }

// faultStore is an in-memory store that counts calls and can be told to
// fail or stall, to drive the middleware's error paths. It is a test double
// for failure injection only; the real stores run storetest.
type faultStore struct {
	mu      sync.Mutex
	records map[string]faultRecord
	calls   map[string]int
	failOn  map[string]error         // method -> error to return
	delayOn map[string]time.Duration // method -> stall (honours ctx)
}

type faultRecord struct {
	data   []byte
	expiry time.Time
}

func newFaultStore() *faultStore {
	return &faultStore{records: map[string]faultRecord{}, calls: map[string]int{}, failOn: map[string]error{}, delayOn: map[string]time.Duration{}}
}

func (f *faultStore) enter(ctx context.Context, method string) error {
	f.mu.Lock()
	f.calls[method]++
	err, d := f.failOn[method], f.delayOn[method]
	f.mu.Unlock()
	if d > 0 {
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return err
}

func (f *faultStore) fail(method string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failOn[method] = err
}

func (f *faultStore) stall(method string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delayOn[method] = d
}

func (f *faultStore) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func (f *faultStore) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

func (f *faultStore) resetCounts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = map[string]int{}
}

func (f *faultStore) put(key string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records[key] = faultRecord{data: data, expiry: time.Now().Add(time.Hour)}
}

func (f *faultStore) get(key string) (faultRecord, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.records[key]
	return r, ok && time.Now().Before(r.expiry)
}

func (f *faultStore) Load(ctx context.Context, key string) ([]byte, error) {
	if err := f.enter(ctx, "Load"); err != nil {
		return nil, err
	}
	r, ok := f.get(key)
	if !ok {
		return nil, stores.ErrNotFound
	}
	return r.data, nil
}

func (f *faultStore) Create(ctx context.Context, key string, data []byte, exp time.Time) error {
	if err := f.enter(ctx, "Create"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.records[key]; ok && time.Now().Before(r.expiry) {
		return stores.ErrExists
	}
	f.records[key] = faultRecord{append([]byte(nil), data...), exp}
	return nil
}

func (f *faultStore) Update(ctx context.Context, key string, data []byte, exp time.Time) error {
	if err := f.enter(ctx, "Update"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.records[key]; !ok || !time.Now().Before(r.expiry) {
		return stores.ErrNotFound
	}
	f.records[key] = faultRecord{append([]byte(nil), data...), exp}
	return nil
}

func (f *faultStore) Delete(ctx context.Context, key string) error {
	if err := f.enter(ctx, "Delete"); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.records, key)
	return nil
}

func (f *faultStore) Exists(ctx context.Context, key string) (bool, error) {
	if err := f.enter(ctx, "Exists"); err != nil {
		return false, err
	}
	_, ok := f.get(key)
	return ok, nil
}

func (f *faultStore) ClearExpired(ctx context.Context) error {
	return f.enter(ctx, "ClearExpired")
}

// logBuffer collects what the middleware logs.
type logBuffer = testenv.LogBuffer

// app is a gin.Engine with the middleware. Requests go to it in process
// (do); srv serves it over a real listener too, for the tests of
// streaming, upgrades and disconnects.
type app struct {
	t     *testing.T
	store *faultStore
	logs  *logBuffer
	r     *gin.Engine
	srv   *httptest.Server
}

func newApp(t *testing.T, store stores.Store, opts ...ginsession.Option) *app {
	t.Helper()
	a := &app{t: t, logs: &logBuffer{}}
	if fs, ok := store.(*faultStore); ok {
		a.store = fs
	}
	if store == nil {
		a.store = newFaultStore()
		store = a.store
	}
	opts = append([]ginsession.Option{ginsession.WithLogger(a.logs.Logger())}, opts...)
	a.r = gin.New()
	a.r.Use(ginsession.New(store, opts...))
	a.srv = httptest.NewServer(a.r)
	t.Cleanup(a.srv.Close)
	return a
}

// response is what a test looks at.
type response struct {
	*http.Response
	body string
}

// cookie returns the Set-Cookie line for the session cookie, or "".
func (r response) cookie(name string) string {
	for _, l := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, name+"=") {
			return l
		}
	}
	return ""
}

// cookieValue returns the value the response sets for name.
func (r response) cookieValue(name string) string {
	l := r.cookie(name)
	if l == "" {
		return ""
	}
	v := strings.TrimPrefix(l, name+"=")
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return v
}

// do sends one request with an optional raw Cookie header, through a
// sessiontest client of its own with nothing in its jar, so every test
// sees exactly the headers of one exchange.
func (a *app) do(method, path, cookie string) response {
	a.t.Helper()
	req := httptest.NewRequest(method, path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	r := sessiontest.NewClient(a.t, a.r).Do(req)
	return response{&http.Response{StatusCode: r.Code, Header: r.Header}, r.Body}
}

func (a *app) get(path, cookie string) response {
	a.t.Helper()
	return a.do(http.MethodGet, path, cookie)
}

// newSessionKey makes a session through /set and returns its key.
func (a *app) newSessionKey() string {
	a.t.Helper()
	r := a.get("/set?k=foo&v=bar", "")
	k := r.cookieValue("sessionid")
	if len(k) != 32 {
		a.t.Fatalf("no new session: Set-Cookie %q", r.cookie("sessionid"))
	}
	return k
}

// standardRoutes registers the handlers most tests use.
func (a *app) standardRoutes() *app {
	r := a.r
	r.GET("/set", func(c *gin.Context) {
		ginsession.From(c).Set(c.Query("k"), c.Query("v"))
		c.String(http.StatusOK, "ok")
	})
	r.GET("/read", func(c *gin.Context) {
		v, _ := ginsession.From(c).Get(c.DefaultQuery("k", "foo"))
		c.String(http.StatusOK, "%v", v)
	})
	r.GET("/ignore", func(c *gin.Context) { c.String(http.StatusOK, "ignored") })
	r.GET("/flush", func(c *gin.Context) {
		if err := ginsession.From(c).Flush(); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "flushed")
	})
	r.GET("/delete", func(c *gin.Context) {
		ginsession.From(c).Delete(c.DefaultQuery("k", "foo"))
		c.String(http.StatusOK, "deleted")
	})
	return a
}

// sqliteDB opens a fresh SQLite database file in the test's temporary
// directory, as an app would (sqlstore.SQLiteDSN).
func sqliteDB(t testing.TB) *sqlx.DB {
	t.Helper()
	return testenv.OpenSQLite(t, sqlstore.SQLiteDSN(filepath.Join(t.TempDir(), "db.sqlite3")))
}
