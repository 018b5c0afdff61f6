package sessiontest

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// DefaultBaseURL is where a client's requests go unless WithBaseURL says
// otherwise.
const DefaultBaseURL = "https://example.com"

// maxRedirects is how many redirects a client follows before it fails the
// test, as Go's http.Client gives up after 10.
const maxRedirects = 10

// Client is a browser for one application under test: it sends requests
// straight to the handler (no network), keeps the cookies the answers set
// and sends them back, and follows redirects when FollowRedirects is set.
// Its methods fail the test on a wiring mistake or a store failure; they
// are safe for use by several goroutines of the test.
type Client struct {
	// FollowRedirects makes Get, PostForm and Do follow redirects within
	// the site, as a browser does: 301, 302 and 303 with a GET, 307 and 308
	// with the same method and body. Default value is false: the test sees
	// the redirect itself.
	FollowRedirects bool

	t         testing.TB
	h         http.Handler
	base      *url.URL
	baseInput string
	jar       *jar
	now       func() time.Time // the jar's clock, unless it is shared

	mwOnce sync.Once
	mw     gin.HandlerFunc // the session middleware; nil until found
	side   *gin.Engine     // runs mw alone, for the session's side (side.go)
}

// NewClient returns a client for h, usually the application's *gin.Engine,
// whose session middleware it finds among the engine's global middleware
// (see WithMiddleware otherwise).
func NewClient(t testing.TB, h http.Handler, opts ...Option) *Client {
	t.Helper()
	if h == nil {
		t.Fatal("sessiontest: NewClient needs the application's handler, for example the *gin.Engine with r.Use(ginsession.New(store))")
	}
	c := &Client{t: t, h: h, baseInput: DefaultBaseURL, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	if c.jar == nil {
		c.jar = &jar{now: c.now}
	}
	u, err := url.Parse(c.baseInput)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		t.Fatalf("sessiontest: base URL %q is not an http or https URL with a host, such as %q", c.baseInput, DefaultBaseURL)
	}
	c.base = &url.URL{Scheme: u.Scheme, Host: u.Host}
	return c
}

// BaseURL returns the scheme and host the client's requests go to, such as
// "https://example.com": the Origin of a same-site form.
func (c *Client) BaseURL() string { return c.base.String() }

// Get sends a GET request for path (with its query, if any).
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	return c.Do(httptest.NewRequest(http.MethodGet, path, nil))
}

// PostForm sends form as a POST to path, encoded as an HTML form is.
func (c *Client) PostForm(path string, form url.Values) *Response {
	c.t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.Do(req)
}

// Do sends req, made for example with httptest.NewRequest(method, path,
// body), with the client's cookies for its path added to those it already
// carries. A request without a host goes to the client's base URL. A
// request of a method other than GET, HEAD, OPTIONS and TRACE carries the
// Origin header of the base URL, as browsers send it with a form, unless
// it has one of its own: set req.Header["Origin"] = nil for none.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	c.middleware() // an engine without the middleware is a wiring mistake: say so now
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			c.t.Fatalf("sessiontest: read the body of %s %s: %v", req.Method, req.URL, err)
		}
	}
	var chain []string
	for {
		c.prepare(req, body)
		rec := newRecorder()
		c.h.ServeHTTP(rec, req)
		resp := c.response(req, rec.ResponseRecorder)
		resp.Redirects = chain
		next := c.redirect(resp)
		if next == nil {
			return resp
		}
		if len(chain) == maxRedirects {
			c.t.Fatalf("sessiontest: %s %s: stopped after %d redirects (%s)", req.Method, req.URL.RequestURI(), maxRedirects, strings.Join(chain, " -> "))
		}
		chain = append(chain, next.URL.String())
		method := req.Method
		if code := resp.Code; code != http.StatusTemporaryRedirect && code != http.StatusPermanentRedirect {
			if method != http.MethodHead {
				method = http.MethodGet
			}
			body = nil
		}
		nreq := httptest.NewRequest(method, next.URL.RequestURI(), nil)
		for k, v := range req.Header {
			if k != "Cookie" && (body != nil || !strings.HasPrefix(k, "Content-") && k != "Origin") {
				nreq.Header[k] = v
			}
		}
		nreq.URL.Scheme, nreq.URL.Host, nreq.Host = next.URL.Scheme, next.URL.Host, next.URL.Host
		req = nreq
	}
}

// prepare points req at the site and gives it its body and cookies.
func (c *Client) prepare(req *http.Request, body []byte) {
	if req.URL.Host == "" {
		req.URL.Scheme, req.URL.Host = c.base.Scheme, c.base.Host
	}
	req.Host = req.URL.Host
	req.RequestURI = req.URL.RequestURI()
	if _, set := req.Header["Origin"]; !set && unsafeMethod(req.Method) {
		req.Header.Set("Origin", c.base.String())
	}
	if req.URL.Scheme == "https" && req.TLS == nil {
		req.TLS = &tls.ConnectionState{Version: tls.VersionTLS13, HandshakeComplete: true, ServerName: req.URL.Hostname()}
	} else if req.URL.Scheme == "http" {
		req.TLS = nil
	}
	req.Body = http.NoBody
	req.ContentLength = 0
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
	}
	for _, ck := range c.jar.forPath(req.URL.Path, req.URL.Scheme == "https") {
		req.AddCookie(ck)
	}
}

// unsafeMethod reports whether a browser sends an Origin header with a
// request of method even to its own site.
func unsafeMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

// redirect returns the request a browser would make after resp, or nil.
func (c *Client) redirect(resp *Response) *http.Request {
	switch resp.Code {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil
	}
	loc := resp.Header.Get("Location")
	if !c.FollowRedirects || loc == "" {
		return nil
	}
	u, err := resp.URL.Parse(loc)
	if err != nil || u.Host != c.base.Host {
		return nil // another site: the test sees the redirect
	}
	return &http.Request{URL: u}
}

// Cookie returns the cookie called name that a request for "/" would carry
// now, or nil.
func (c *Client) Cookie(name string) *http.Cookie { return c.jar.get(name, "/") }

// SetCookie puts a cookie in the jar as if an answer had set it, for
// example a session cookie copied from another client.
func (c *Client) SetCookie(ck *http.Cookie) { c.jar.set(ck) }
