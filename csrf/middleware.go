package csrf

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"runtime"
	"slices"

	"github.com/gin-gonic/gin"
)

// Django's reasons for the token check (4.0 and later).
const (
	reasonNoCookie     = "CSRF cookie not set."
	reasonTokenMissing = "CSRF token missing."
)

// stateKey is the gin context key of a request's state.
type stateKey struct{}

// New returns the middleware: Django's CsrfViewMiddleware. Register it after
// ginsession.New (the session storage reads the session) and before the
// routes it protects; it panics at once on options it cannot work with.
//
// For GET, HEAD, OPTIONS and TRACE it checks nothing and touches nothing:
// only Token (or Field, or Rotate) stores a secret. Any other method must
// pass, in Django's order: the Fetch Metadata line (no cross-site browser
// request, unless its Origin is a trusted origin), the Origin check (the
// request's own origin or a trusted one) or, over HTTPS without Origin, the
// Referer check, and then the token check (the token in the form field,
// else in the header, must carry the stored secret). A refused request is
// logged and answered by the failure handler; the chain is aborted.
func New(opts ...Option) gin.HandlerFunc {
	cf := defaultConfig()
	for _, o := range opts {
		o(cf)
	}
	cf.validate()
	cf.exemptName, cf.headerOnlyNm = funcName(Exempt), funcName(HeaderOnly)
	return cf.handle
}

// state is one request's: the configuration, and for the cookie storage
// the secret once read.
type state struct {
	cf *config
	c  *gin.Context
	// The cookie storage's value, as the request's cookie held it or as
	// this response sets it; read is true once the cookie was looked at,
	// found when there is one (even empty).
	read, found bool
	stored      string
}

func (cf *config) handle(c *gin.Context) {
	st := &state{cf: cf, c: c}
	c.Set(stateKey{}, st)
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return // RFC 9110's safe methods: nothing to check
	}
	exempt, headerOnly := cf.marks(c)
	if exempt {
		return
	}
	reason, err := st.check(headerOnly)
	if err != nil {
		_ = c.Error(err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	if reason != "" {
		cf.log.LogAttrs(c.Request.Context(), slog.LevelWarn, "csrf: Forbidden ("+reason+"): "+c.Request.URL.Path,
			slog.String("reason", reason), slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path))
		c.Status(http.StatusForbidden)
		cf.failure(c, reason)
		c.Abort()
	}
}

// check returns Django's reason for refusing an unsafe request, "" to let
// it through; an error is a session that could not be read.
func (st *state) check(headerOnly bool) (string, error) {
	r := st.c.Request
	// Django checks Origin whenever the header is there, even empty.
	_, hasOrigin := r.Header["Origin"]
	origin := r.Header.Get("Origin")
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" && !(hasOrigin && st.cf.trusted.allows(origin)) {
		return reasonCrossSite, nil
	}
	if hasOrigin {
		if reason := st.cf.checkOrigin(r, origin); reason != "" {
			return reason, nil
		}
	} else if st.cf.isSecure(r) {
		if reason := st.cf.checkReferer(r); reason != "" {
			return reason, nil
		}
	}
	return st.checkToken(headerOnly)
}

// checkToken is Django's _check_token: the stored secret must exist, and
// the request's token (form field first for POST, then header) must be of
// the right form and carry it.
func (st *state) checkToken(headerOnly bool) (string, error) {
	stored, found, err := st.load()
	if err != nil {
		return "", err
	}
	if !found {
		return reasonNoCookie, nil
	}
	if why := checkFormat(stored); why != "" {
		return "CSRF cookie " + why + ".", nil
	}
	token, source := "", "POST"
	if st.c.Request.Method == http.MethodPost && !headerOnly {
		token = st.c.PostForm(st.cf.fieldName)
	}
	if token == "" {
		vals, ok := st.c.Request.Header[st.cf.headerName]
		if !ok || len(vals) == 0 {
			return reasonTokenMissing, nil
		}
		token, source = vals[0], fmt.Sprintf("the '%s' HTTP header", st.cf.headerName)
	}
	if why := checkFormat(token); why != "" {
		return "CSRF token from " + source + " " + why + ".", nil
	}
	if !matches(token, secretOf(stored)) {
		return "CSRF token from " + source + " incorrect.", nil
	}
	return "", nil
}

// Exempt marks a route that the middleware does not check, Django's
// @csrf_exempt: put it before the route's handler, as in
// r.POST("/hooks/payment", csrf.Exempt, h). Such a route must not act on
// a browser's cookies (a webhook checks its own signature). Token still
// works in it.
func Exempt(*gin.Context) {}

// HeaderOnly marks a route or group whose token must come in the header
// (X-CSRFToken), never in a form field: an API that takes JSON, as in
// api := r.Group("/api", csrf.HeaderOnly). A form posted there from
// another site cannot set a header, and the body is not parsed for a token.
func HeaderOnly(*gin.Context) {}

// marks reports whether the route's handlers include Exempt and
// HeaderOnly. Gin runs a route's handlers in one chain, the middleware
// first, so the middleware finds them by name, as Django's process_view
// looks at the view's csrf_exempt attribute.
func (cf *config) marks(c *gin.Context) (exempt, headerOnly bool) {
	names := c.HandlerNames()
	return slices.Contains(names, cf.exemptName), slices.Contains(names, cf.headerOnlyNm)
}

// funcName is the name Gin reports for handler f.
func funcName(f gin.HandlerFunc) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}

// ErrNoMiddleware reports a call of Token, Field or Rotate in a request the
// middleware did not serve.
var ErrNoMiddleware = errors.New("csrf: no csrf middleware in this request: register r.Use(csrf.New()) before the routes that call csrf.Token")

// ErrTooLate reports a new secret that can no longer be stored: the
// response's headers (with the session's or the cookie's) already went
// out. Call Token or Field before writing the response, for example when
// filling the template's data.
var ErrTooLate = errors.New("csrf: the response was already written, so a new CSRF secret cannot be stored: call csrf.Token before writing the response")

// stateOf returns the request's state, or ErrNoMiddleware.
func stateOf(c *gin.Context) (*state, error) {
	if v, ok := c.Get(stateKey{}); ok {
		if st, ok := v.(*state); ok {
			return st, nil
		}
	}
	return nil, ErrNoMiddleware
}
