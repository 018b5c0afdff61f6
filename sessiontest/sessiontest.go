// Package sessiontest tests Gin handlers that use ginsession the way
// Django's test client tests views: a client with a cookie jar, the
// session seen from the test's side, a forced login, and a gin.Context with
// a session attached for calling a handler directly.
//
// # Use
//
//	func TestProfileGreetsTheUser(t *testing.T) {
//		c := sessiontest.NewClient(t, newRouter()) // your *gin.Engine, with r.Use(ginsession.New(store, ...))
//		c.ForceLogin(alice, "")                     // alice: your auth.User; as auth.Login, no password, no route
//		c.Get("/profile").ExpectStatus(http.StatusOK).ExpectBody("hello")
//
//		if v, _ := c.Session().Get("visits"); v != 1 { // what the store holds now
//			t.Errorf("visits = %v, want 1", v)
//		}
//		if ms := c.Messages(); len(ms) != 1 || ms[0].Text != "Welcome back!" { // pending, not consumed
//			t.Errorf("flash messages: %v", ms)
//		}
//	}
//
// The client keeps the cookies a browser would keep, so the test handles no
// cookie: each request carries the session cookie the previous answer set.
// Like a browser it sends a POST with the site's Origin header, and it
// follows redirects when asked to. [WithCookiesOf] makes two clients one
// browser, for two instances of an application on one store.
//
// # The session from the test's side
//
// [Client.Session], [Client.SetSession], [Client.ChangeSession],
// [Client.ForceLogin], [Client.Logout] and [Client.Messages] run the
// application's own session middleware (same store, codec, secret, cookie
// settings) on a request that carries the client's cookies and reaches no
// route of the application, and put the cookie it answers in the jar. So
// they work alike on every store, the cookie stores included, and what they
// write is exactly what the application would write: ForceLogin calls
// auth.Login itself.
//
// The client finds that middleware among the engine's global middleware
// (r.Use), by running each one registered before it once on a request
// that reaches no route. A middleware registered on a group only, or an
// application that wraps its engine in another http.Handler, passes it with
// [WithMiddleware]; without either, the client's first request fails the
// test and says so.
//
// # Calling a handler directly
//
// [NewContext] and [Client.NewContext] give a *gin.Context inside the
// session middleware, as the handler would get it in a real request; the
// handler is called with it, and [Context.Finish] then ends the request as
// the middleware would (the commit: cookie, save) and reports what was
// saved, failing the test when the handler's changes to the session were
// not.
//
// # Time
//
// A [Clock] moves time for the middleware, the store and the client's
// cookie jar together: pass clock.Now to ginsession.WithClock and to the
// store's WithClock option, and the clock to [WithClock].
//
// # Failures
//
// Every method fails the test (t.Fatal) with a sentence naming what went
// wrong, instead of returning an error: a store that fails, a value the
// codec cannot store (named by key), a middleware that cannot be found.
package sessiontest

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/stores/storetest"
)

// Option configures a Client.
type Option func(*Client)

// WithMiddleware gives the client the application's session middleware,
// the gin.HandlerFunc ginsession.New returned, when the client cannot find
// it among the engine's global middleware: it is registered on a group,
// or the handler under test is not a *gin.Engine. Optional. Default value
// is the middleware found in the engine.
func WithMiddleware(middleware gin.HandlerFunc) Option {
	return func(c *Client) { c.mw = middleware }
}

// WithClock makes the client's cookie jar read the time from clock, so a
// cookie whose Max-Age has passed on that clock is no longer sent, as a
// browser would drop it. Optional. Default value is the real time.
func WithClock(clock *Clock) Option {
	return func(c *Client) { c.now = clock.Now }
}

// WithCookiesOf makes the client share other's cookie jar, and so its
// session: the same browser talking to another instance of the
// application (two engines on one store). Cookies either client receives
// are the other's too; the jar keeps other's clock. Optional. Default
// value is a jar of the client's own.
func WithCookiesOf(other *Client) Option {
	return func(c *Client) { c.jar = other.jar }
}

// WithBaseURL sets the scheme and host the client's requests go to, and
// its cookies belong to. Optional. Default value is "https://example.com";
// HTTPS, so that cookies marked Secure are kept and sent as a browser does.
func WithBaseURL(base string) Option {
	return func(c *Client) { c.baseInput = base }
}

// Clock is a clock a test moves by hand: Now reads it, Advance moves it
// on. Give clock.Now to ginsession.WithClock, to the store's WithClock
// option (memstore, filestore, sqlstore, redisstore, cookiestore, ...) and
// the clock to the client's [WithClock], so that the middleware, the store
// and the browser agree on the time, and timeouts pass without sleeping.
// Redis expires its records on its own clock, in real time, whatever the
// store's clock says. It is safe for concurrent use.
type Clock = storetest.Clock

// NewClock returns a clock that reads start until it is moved.
func NewClock(start time.Time) *Clock { return storetest.NewClock(start) }
