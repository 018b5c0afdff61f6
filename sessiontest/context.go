package sessiontest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// Context is a request in progress inside the session middleware, for
// calling a handler directly, as gin.CreateTestContext does for handlers
// without a session: the handler gets C, with the session attached as the
// middleware attaches it, and Finish then ends the request as the
// middleware would. Its methods are for the test's goroutine.
//
// C reaches no route, so C.Param finds nothing unless the test sets
// C.Params; C must not be used after Finish.
type Context struct {
	// C is the request's gin.Context: pass it to the handler under test.
	C *gin.Context

	client   *Client
	req      *http.Request
	release  chan struct{} // closed by Finish: the request may end
	done     chan struct{} // closed when the request has ended
	rec      *httptest.ResponseRecorder
	flags    [2]bool  // Accessed, Modified when the handler returned
	final    *Session // the session's data when the request ended, if the handler used it
	finalErr error
	once     sync.Once
	result   *Result
}

// Result is what a request made through a Context did.
type Result struct {
	// Response is the answer, with the session cookie the commit set (see
	// Response.SetCookie); the cookie is in the client's jar too.
	*Response
	// Accessed and Modified are the session's flags when the handler
	// returned, as ginsession.Session reports them: Accessed if it used
	// the session at all; Modified if it changed it since the last save,
	// so false once the handler's first write committed its changes.
	Accessed, Modified bool
	// Session is the session's data at the end of the request, as the
	// handler left it; nil when the handler never used the session.
	Session *Session
	// Saved is what the store holds after the commit under the cookie the
	// client now has: what the next request loads.
	Saved *Session
	// Unsaved lists the keys whose value at the end of the request is not
	// the one saved, sorted: changes made after the response was
	// written, which the middleware could no longer save. Finish fails the
	// test when it is not empty; it is always empty for a 5xx answer,
	// which saves nothing by design.
	Unsaved []string
}

// NewContext returns a request in progress inside middleware (what
// ginsession.New returned) for calling a handler directly; req may be nil
// for a GET of "/". Finish it, or the end of the test does.
func NewContext(t testing.TB, middleware gin.HandlerFunc, req *http.Request) *Context {
	t.Helper()
	return NewClient(t, http.NotFoundHandler(), WithMiddleware(middleware)).NewContext(req)
}

// NewContext returns a request in progress inside the application's session
// middleware, carrying the client's cookies, for calling a handler
// directly; req may be nil for a GET of "/". The cookie the commit answers
// goes in the client's jar, so requests and contexts can follow each
// other. Finish it, or the end of the test does.
func (c *Client) NewContext(req *http.Request) *Context {
	c.t.Helper()
	c.middleware()
	if req == nil {
		req = httptest.NewRequest(http.MethodGet, "/", nil)
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			c.t.Fatalf("sessiontest: read the body of %s %s: %v", req.Method, req.URL, err)
		}
	}
	x := &Context{client: c, release: make(chan struct{}), done: make(chan struct{})}
	started := make(chan *gin.Context, 1)
	op := &operation{
		run: func(gc *gin.Context) {
			x.req = gc.Request
			started <- gc
			<-x.release
			s := ginsession.From(gc)
			x.flags = [2]bool{s.Accessed(), s.Modified()}
		},
		after: func(gc *gin.Context) {
			if s, ok := ginsession.Lookup(gc); ok && (x.flags[0] || x.flags[1]) {
				x.final, x.finalErr = snapshot(s)
			}
		},
	}
	go func() {
		defer close(x.done)
		x.rec = c.serveSide(req, body, op)
	}()
	select {
	case x.C = <-started:
	case <-x.done:
		c.t.Fatalf("sessiontest: the session middleware answered %d without calling the handler", x.rec.Code)
	}
	c.t.Cleanup(func() { x.Finish() })
	return x
}

// Session returns the request's live session, ginsession.From(x.C), to
// inspect or change before Finish. A look through it counts as a use of the
// session (Accessed, and Vary: Cookie on the answer); Finish's Result
// shows the session without touching it.
func (x *Context) Session() *ginsession.Session { return ginsession.From(x.C) }

// Finish ends the request as the session middleware does after the
// handler: it commits the session (cookie, save) unless the handler's
// first write did already, and returns what happened. It fails the test
// when changes the handler made to the session were not saved (Result's
// Unsaved). Calls after the first return the same Result.
func (x *Context) Finish() *Result {
	t := x.client.t
	t.Helper()
	x.once.Do(func() {
		close(x.release)
		<-x.done
		c := x.client
		r := &Result{Response: c.response(x.req, x.rec), Accessed: x.flags[0], Modified: x.flags[1], Session: x.final}
		x.result = r
		if x.finalErr != nil {
			t.Fatalf("sessiontest: the session at the end of the request: %v", x.finalErr)
		}
		r.Saved = c.Session()
		if r.Session != nil && r.Code < http.StatusInternalServerError {
			r.Unsaved = unsaved(r.Session, r.Saved)
		}
		if len(r.Unsaved) > 0 {
			t.Errorf("sessiontest: %s %s: the session's %q at the end of the request differ from what was saved: changed after the response was written? (change the session before writing the response)", r.Method, r.URL.RequestURI(), r.Unsaved)
		}
	})
	return x.result
}

// unsaved returns the keys whose values differ between end and saved,
// compared in their JSON form (a value a handler set still has its Go
// type; a loaded one has the codec's), sorted.
func unsaved(end, saved *Session) []string {
	var out []string
	for _, k := range end.keys {
		if v, ok := saved.values[k]; !ok || !sameJSON(end.values[k], v) {
			out = append(out, k)
		}
	}
	for _, k := range saved.keys {
		if !end.Has(k) && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func sameJSON(a, b any) bool {
	x, errA := canonicalJSON(a)
	y, errB := canonicalJSON(b)
	if errA != nil || errB != nil {
		return true // no JSON form to compare: a custom codec's value
	}
	return x == y
}

// canonicalJSON is v's JSON with every object's keys sorted, so that a
// struct and the map it loads back as compare equal.
func canonicalJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var generic any
	if err := d.Decode(&generic); err != nil {
		return "", err
	}
	b, err = json.Marshal(generic)
	return string(b), err
}
