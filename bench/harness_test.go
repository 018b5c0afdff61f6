package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// The value every scenario stores and reads back.
const (
	nameKey   = "name"
	nameValue = "gopher"
	countKey  = "count"
)

// adapter is what one session library needs to serve the scenario routes.
type adapter struct {
	// middleware installs the library as gin middleware; nil when the
	// library wraps the engine instead (wrap).
	middleware gin.HandlerFunc
	// wrap wraps the whole engine as an http.Handler (scs's LoadAndSave).
	wrap func(http.Handler) http.Handler
	// read returns the string under nameKey.
	read func(c *gin.Context) (string, bool)
	// incr reads countKey (0 when absent), stores it plus one and returns
	// the new value; the session must be saved by the end of the request.
	incr func(c *gin.Context) (int, error)
	// setName stores nameKey = nameValue in the (new) session and saves it.
	setName func(c *gin.Context) error
	// get returns the string under key.
	get func(c *gin.Context, key string) (string, bool)
	// edit deletes the keys in del, then stores the pairs in set, and saves
	// the session by the end of the request.
	edit func(c *gin.Context, del []string, set []kv) error
}

// kv is one key and its string value.
type kv struct{ k, v string }

// routeSets adds the routes of scenarios kept in files of their own
// (growth_test.go, ...) to every contender's engine: a file adds its
// function in an init.
var routeSets []func(a adapter, r gin.IRoutes)

// engine builds the gin.Engine every contender is measured through.
func (a adapter) engine() http.Handler {
	r := gin.New()
	if a.middleware != nil {
		r.Use(a.middleware)
	}
	r.GET("/untouched", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/read", func(c *gin.Context) {
		v, ok := a.read(c)
		if !ok {
			c.String(http.StatusInternalServerError, "no value")
			return
		}
		c.String(http.StatusOK, v)
	})
	r.GET("/write", func(c *gin.Context) {
		n, err := a.incr(c)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, strconv.Itoa(n))
	})
	r.GET("/new", func(c *gin.Context) {
		if err := a.setName(c); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	})
	for _, add := range routeSets {
		add(a, r)
	}
	if a.wrap != nil {
		return a.wrap(r)
	}
	return r
}

// bareEngine is the same route with no session middleware at all.
func bareEngine() http.Handler {
	r := gin.New()
	r.GET("/untouched", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	return r
}

// instance is one contender set up against its store.
type instance struct {
	h          http.Handler
	cookieName string
	rt         *rtCounter // nil for stores without a connection
}

// recorder is a reusable http.ResponseWriter: reset keeps the header map's
// and the body's memory, so the harness itself allocates nothing per request
// and B/op and allocs/op are the library's.
type recorder struct {
	header      http.Header
	code        int
	body        []byte
	wroteHeader bool
	_           [64]byte // see client
}

func newRecorder() *recorder { return &recorder{header: make(http.Header)} }

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if !w.wroteHeader {
		w.code, w.wroteHeader = code, true
	}
}

func (w *recorder) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.body = append(w.body, p...)
	return len(p), nil
}

func (w *recorder) reset() {
	clear(w.header)
	w.code, w.wroteHeader, w.body = 0, false, w.body[:0]
}

// setCookieValue returns the value of the Set-Cookie for name, without
// allocating.
func setCookieValue(h http.Header, name string) (string, bool) {
	for _, line := range h["Set-Cookie"] {
		if len(line) > len(name) && line[len(name)] == '=' && line[:len(name)] == name {
			v := line[len(name)+1:]
			if i := strings.IndexByte(v, ';'); i >= 0 {
				v = v[:i]
			}
			return v, true
		}
	}
	return "", false
}

// client plays the browser for one route: it sends the session cookie it
// holds and, like a browser, keeps the one a response sets.
type client struct {
	h      http.Handler
	name   string // cookie name
	tmpl   http.Request
	req    *http.Request // points at reqv, the request each do serves
	w      *recorder
	cookie string // the value sent, "" for none
	cancel context.CancelFunc
	reqv   http.Request
	// Clients of BenchmarkParallel's goroutines are written on every
	// request; the padding keeps two of them, and their recorders, off one
	// cache line, where the cores would wait for each other in the harness.
	_ [64]byte
}

func newClient(in *instance, path, cookie string) *client {
	cl := &client{h: in.h, name: in.cookieName, w: newRecorder()}
	cl.req = &cl.reqv
	// net/http gives every request a cancellable context; httptest's is
	// context.Background(), whose nil Done channel would spare store clients
	// work they do in production (go-redis v8 runs each command in a
	// goroutine of its own when the context can be cancelled). One context
	// per client, never cancelled, costs the timed requests nothing.
	var ctx context.Context
	ctx, cl.cancel = context.WithCancel(context.Background())
	cl.tmpl = *httptest.NewRequest(http.MethodGet, path, nil).WithContext(ctx)
	cl.setCookie(cookie)
	return cl
}

// requestContext is a context like the one net/http gives a request: it can
// be cancelled, when tb ends.
func requestContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	return ctx
}

func (cl *client) setCookie(v string) {
	cl.cookie = v
	if v == "" {
		delete(cl.tmpl.Header, "Cookie")
		return
	}
	cl.tmpl.Header["Cookie"] = []string{cl.name + "=" + v}
}

// do serves one request. The request is copied from a template each time
// because some libraries (gorilla/sessions, under gin-contrib) stash state
// in it: reusing it as it is would hand them their previous request's
// session for free.
func (cl *client) do() {
	*cl.req = cl.tmpl
	cl.w.reset()
	cl.h.ServeHTTP(cl.w, cl.req)
}

// follow keeps a changed session cookie, as a browser does. Server-side
// stores send the same key back, which costs nothing here; cookie stores
// send a new value after a write, which costs the harness one string.
func (cl *client) follow() {
	if v, ok := cl.setCookieValue(); ok && v != cl.cookie {
		cl.setCookie(v)
	}
}

func (cl *client) setCookieValue() (string, bool) { return setCookieValue(cl.w.header, cl.name) }

// check fails tb unless the last response was 200 with body want.
func (cl *client) check(tb testing.TB, want string) {
	tb.Helper()
	if cl.w.code != http.StatusOK || string(cl.w.body) != want {
		tb.Fatalf("GET %s: got %d %q, want 200 %q", cl.tmpl.URL.Path, cl.w.code, cl.w.body, want)
	}
}

// seed makes a session holding nameKey = nameValue through /new and
// returns its cookie value.
func seed(tb testing.TB, in *instance) string {
	tb.Helper()
	cl := newClient(in, "/new", "")
	cl.do()
	cl.check(tb, "ok")
	v, ok := cl.setCookieValue()
	if !ok || v == "" {
		tb.Fatalf("GET /new: no %s cookie in %q", in.cookieName, cl.w.header["Set-Cookie"])
	}
	return v
}

// scenario is one kind of request.
type scenario struct {
	name string
	// prepare makes the client and checks, before any timing, that the
	// request does what it should; it returns the per-iteration step and
	// a check to run after the timed loop, given the number of iterations.
	prepare func(tb testing.TB, in *instance) (step func(tb testing.TB), after func(tb testing.TB, n int))
}

var scenarios = []scenario{
	{"untouched", prepareUntouched},
	{"read", prepareRead},
	{"write", prepareWrite},
	{"new", prepareNew},
}

func okStep(cl *client) func(tb testing.TB) {
	return func(tb testing.TB) {
		cl.do()
		if cl.w.code != http.StatusOK {
			tb.Fatalf("GET %s: status %d: %s", cl.tmpl.URL.Path, cl.w.code, cl.w.body)
		}
	}
}

func prepareUntouched(tb testing.TB, in *instance) (func(testing.TB), func(testing.TB, int)) {
	cl := newClient(in, "/untouched", seed(tb, in))
	cl.do()
	cl.check(tb, "ok")
	if _, ok := cl.setCookieValue(); ok {
		// Not a failure of the harness, but worth knowing: the library
		// rewrote the cookie of a session nobody used.
		tb.Logf("untouched: the response set the cookie again: %q", cl.w.header["Set-Cookie"])
	}
	return okStep(cl), nil
}

func prepareRead(tb testing.TB, in *instance) (func(testing.TB), func(testing.TB, int)) {
	cl := newClient(in, "/read", seed(tb, in))
	cl.do()
	cl.check(tb, nameValue)
	step := okStep(cl)
	after := func(tb testing.TB, _ int) {
		cl.do()
		cl.check(tb, nameValue)
	}
	return step, after
}

func prepareWrite(tb testing.TB, in *instance) (func(testing.TB), func(testing.TB, int)) {
	cl := newClient(in, "/write", seed(tb, in))
	cl.do()
	cl.check(tb, "1")
	cl.follow()
	cl.do()
	cl.check(tb, "2")
	cl.follow()
	step := func(tb testing.TB) {
		cl.do()
		if cl.w.code != http.StatusOK {
			tb.Fatalf("GET /write: status %d: %s", cl.w.code, cl.w.body)
		}
		cl.follow()
	}
	after := func(tb testing.TB, n int) {
		// Every timed request must have incremented the stored counter.
		cl.do()
		cl.check(tb, strconv.Itoa(2+n+1))
	}
	return step, after
}

func prepareNew(tb testing.TB, in *instance) (func(testing.TB), func(testing.TB, int)) {
	cl := newClient(in, "/new", "")
	cl.do()
	cl.check(tb, "ok")
	if v, ok := cl.setCookieValue(); !ok || v == "" {
		tb.Fatalf("GET /new: no %s cookie in %q", in.cookieName, cl.w.header["Set-Cookie"])
	}
	// Check that the new session holds the value.
	rd := newClient(in, "/read", "")
	v, _ := cl.setCookieValue()
	rd.setCookie(v)
	rd.do()
	rd.check(tb, nameValue)
	return okStep(cl), nil
}

// timeSteps times b.N runs of step, reporting allocations and the store
// round trips they made.
func timeSteps(b *testing.B, in *instance, step func(testing.TB)) {
	b.ReportAllocs()
	in.rt.reset()
	b.ResetTimer()
	for range b.N {
		step(b)
	}
	b.StopTimer()
	in.rt.report(b)
}

// runScenario runs one scenario of one contender as the benchmark b.
func runScenario(b *testing.B, in *instance, sc scenario) {
	step, after := sc.prepare(b, in)
	timeSteps(b, in, step)
	if after != nil {
		after(b, b.N)
	}
}

// checkScenarios runs every scenario once, for the smoke test. When wantRT
// is not nil, each scenario's store round trips must match it.
func checkScenarios(t *testing.T, in *instance, wantRT map[string]int64) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			step, after := sc.prepare(t, in)
			in.rt.reset()
			step(t)
			got := in.rt.load()
			if after != nil {
				after(t, 1)
			}
			if want, ok := wantRT[sc.name]; ok && got != want {
				t.Errorf("%s: %d store round trips, want %d", sc.name, got, want)
			}
		})
	}
}
