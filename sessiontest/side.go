package sessiontest

import (
	"context"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// errNoMiddleware is the sentence a client without a session middleware
// fails the test with.
const errNoMiddleware = "sessiontest: no ginsession middleware found: the engine has none registered with r.Use(ginsession.New(store, ...)). " +
	"If the application registers it on a group, or wraps the engine in another http.Handler, " +
	"pass it to NewClient with sessiontest.WithMiddleware(mw), where mw is what ginsession.New returned"

// middleware returns the session middleware, finding it on first use, and
// fails the test when there is none.
func (c *Client) middleware() gin.HandlerFunc {
	c.t.Helper()
	c.mwOnce.Do(func() {
		if c.mw == nil {
			if e, ok := c.h.(*gin.Engine); ok {
				c.mw = find(e.Handlers)
			}
		}
		if c.mw != nil {
			c.side = newSideEngine(c.mw)
		}
	})
	if c.mw == nil {
		c.t.Fatal(errNoMiddleware)
	}
	return c.mw
}

// find returns the first of chain that attaches a session: each is run,
// in order, on a request that reaches only a probe, until one does. The
// middleware is known by what it does (ginsession.Lookup finds a session
// after it), not by how it is built.
func find(chain gin.HandlersChain) gin.HandlerFunc {
	for _, h := range chain {
		if attaches(h) {
			return h
		}
	}
	return nil
}

func attaches(h gin.HandlerFunc) (found bool) {
	defer func() {
		if recover() != nil {
			found = false // a middleware that needs what the probe lacks is not ours
		}
	}()
	e := gin.New()
	e.Use(h)
	e.NoRoute(func(c *gin.Context) {
		_, found = ginsession.Lookup(c)
		c.AbortWithStatus(http.StatusNoContent)
	})
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	return found
}

// newSideEngine runs the session middleware alone, with an operation of the
// test's as its handler: every request reaches NoRoute, so no route is
// registered (and none printed in Gin's debug mode).
func newSideEngine(mw gin.HandlerFunc) *gin.Engine {
	e := gin.New()
	e.Use(func(c *gin.Context) {
		op := c.Request.Context().Value(opKey{}).(*operation)
		c.Next()
		if op.after != nil {
			op.after(c) // the middleware has committed; c still holds the session
		}
	}, mw)
	e.NoRoute(func(c *gin.Context) {
		c.Status(http.StatusOK) // not NoRoute's 404
		c.Request.Context().Value(opKey{}).(*operation).run(c)
	})
	return e
}

type opKey struct{}

// operation is what a request on the side engine does inside the
// middleware (run), and after it has committed (after).
type operation struct {
	run   func(c *gin.Context)
	after func(c *gin.Context)
}

// onSide sends req, with the client's cookies, through the session
// middleware alone to op, and returns the answer. When keep is set the
// cookie it answers goes in the jar; otherwise the answer is dropped (a
// look that must not change what the browser holds).
func (c *Client) onSide(req *http.Request, op *operation, keep bool) *httptest.ResponseRecorder {
	c.t.Helper()
	c.middleware()
	rec := c.serveSide(req, nil, op)
	if keep {
		c.jar.update(rec.Result().Cookies(), req.URL.Scheme == "https")
	}
	return rec
}

// serveSide is onSide's request, without the test's t: a Context serves
// it on a goroutine of its own.
func (c *Client) serveSide(req *http.Request, body []byte, op *operation) *httptest.ResponseRecorder {
	c.prepare(req, body)
	req = req.WithContext(context.WithValue(req.Context(), opKey{}, op))
	rec := newRecorder()
	c.side.ServeHTTP(rec, req)
	return rec.ResponseRecorder
}
