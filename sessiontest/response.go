package sessiontest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// Response is an answer the application gave the client.
type Response struct {
	// Code is the status code.
	Code int
	// Header holds the response headers, Set-Cookie lines included.
	Header http.Header
	// Body is the whole body.
	Body string
	// Method and URL are those of the request answered: after redirects
	// were followed, the last one.
	Method string
	URL    *url.URL
	// Redirects lists the URLs the client was redirected to before this
	// answer, in order; empty when it followed none.
	Redirects []string

	t       testing.TB
	cookies []*http.Cookie
}

// recorder records an answer as httptest.ResponseRecorder does, and
// tells gin's c.Stream, which asks, that the client never goes away.
type recorder struct {
	*httptest.ResponseRecorder
}

func newRecorder() recorder { return recorder{httptest.NewRecorder()} }

// CloseNotify returns a channel that is never closed: the test's client
// waits for the whole answer.
func (recorder) CloseNotify() <-chan bool { return make(chan bool) }

// response makes a Response of what rec recorded for req, and puts the
// cookies it sets in the jar.
func (c *Client) response(req *http.Request, rec *httptest.ResponseRecorder) *Response {
	res := rec.Result()
	cookies := res.Cookies()
	c.jar.update(cookies, req.URL.Scheme == "https")
	u := *req.URL
	return &Response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), Method: req.Method, URL: &u, t: c.t, cookies: cookies}
}

// Location returns the Location header: where a redirect points.
func (r *Response) Location() string { return r.Header.Get("Location") }

// SetCookie returns the cookie called name that the answer sets (or
// deletes: its MaxAge is then negative), or nil when it sets none.
func (r *Response) SetCookie(name string) *http.Cookie {
	for _, c := range r.cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ExpectStatus fails the test unless the answer's status is code, showing
// the start of the body; it returns r for chaining.
func (r *Response) ExpectStatus(code int) *Response {
	r.t.Helper()
	if r.Code != code {
		r.t.Fatalf("%s %s answered %d, want %d%s", r.Method, r.URL.RequestURI(), r.Code, code, r.excerpt())
	}
	return r
}

// ExpectRedirect fails the test unless the answer is a redirect (3xx) to
// location, as the Location header spells it; it returns r for chaining.
func (r *Response) ExpectRedirect(location string) *Response {
	r.t.Helper()
	if r.Code < 300 || r.Code > 399 || r.Location() != location {
		r.t.Fatalf("%s %s answered %d to %q, want a redirect to %q%s", r.Method, r.URL.RequestURI(), r.Code, r.Location(), location, r.excerpt())
	}
	return r
}

// ExpectBody fails the test unless the body contains each of parts; it
// returns r for chaining.
func (r *Response) ExpectBody(parts ...string) *Response {
	r.t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Body, p) {
			r.t.Fatalf("%s %s answered %d without %q in its body%s", r.Method, r.URL.RequestURI(), r.Code, p, r.excerpt())
		}
	}
	return r
}

// excerpt is the start of the body, for a failure message.
func (r *Response) excerpt() string {
	const max = 300
	b := r.Body
	if b == "" {
		return " (empty body)"
	}
	if len(b) > max {
		b = b[:max] + "…"
	}
	return ":\n" + b
}
