// Package gincontrib serves gin-contrib/sessions' API from ginsession, so that
// an application moves from gin-contrib/sessions by changing one line, keeps
// the middlewares built on it (utrack/gin-csrf ...), and, with the migration
// reader, keeps its users logged in.
//
// # The one-line change
//
// Handlers, and middlewares that import github.com/gin-contrib/sessions, stay
// as they are: sessions.Default(c) and sessions.DefaultMany(c, name) find the
// session this middleware puts under gin-contrib's context key. Only the
// middleware line changes, to a ginsession store:
//
//	r.Use(gincontrib.Sessions("mysession", store)) // was sessions.Sessions("mysession", store)
//	r.GET("/incr", func(c *gin.Context) {
//		session := sessions.Default(c) // github.com/gin-contrib/sessions, unchanged
//		count, _ := session.Get("count").(int)
//		session.Set("count", count+1) // saved without session.Save()
//		c.String(http.StatusOK, "%d", count+1)
//	})
//
// The session cookie keeps the name given (ginsession.WithCookieName in
// WithSessionOptions renames it), and every other setting is ginsession's:
// pass them with WithSessionOptions, or turn a gin-contrib store.Options
// call into them with StoreOptions.
//
// # What a handler sees
//
// Get, Set, Delete, Clear, AddFlash, Flashes, Options, Save and ID behave as
// on gin-contrib, with these differences:
//
//   - Save writes the session at once, as there; but a forgotten Save loses
//     nothing, since ginsession saves a changed session before the response
//     goes out.
//   - Keys are strings (or types whose underlying type is string). Any other
//     key panics with an error wrapping ErrKeyNotString that names its type:
//     ginsession keeps a session as a JSON object.
//   - Values are kept as JSON, not gob. A value asserted back to its Go type
//     (v.(int), v.(int64), v.(string), v.([]string), v.(time.Time), ...)
//     still asserts after a reload: the middleware records the type of each
//     value that would not come back as itself, and converts it back on Get.
//     A struct comes back as itself only if its type was given to WithTypes
//     (as gob.Register is called for gob); otherwise it comes back as a
//     map[string]any, and ginsession.Get[T](Underlying(s), key) reads it as a
//     T. A value the codec refuses (a channel, a struct whose unexported
//     field holds something) fails the save, naming its key.
//   - Options maps MaxAge to the session's expiry (SetExpiry; a negative
//     MaxAge ends the session with Flush) and Secure, HttpOnly and SameSite
//     to the session cookie of that response. A Path or Domain other than
//     the middleware's is not honoured (the cookie could no longer be
//     deleted by a logout): it is logged and added to c.Errors, wrapping
//     ErrOptionNotHonoured.
//
// # Carrying live sessions over
//
// WithMigration turns on a reader of gin-contrib's own cookies: at the first
// request that carries one, it verifies the cookie with the application's
// existing keys, decodes the gob data (from the cookie, or from Redis for
// gin-contrib's Redis store) and adopts it as a new ginsession session under
// a new key, deleting the old cookie. See Migration.
//
// # Where things are
//
// gincontrib.go is this page and the constructors; middleware.go runs the
// ginsession middlewares of a request and hands their sessions to the
// application's chain; session.go is gin-contrib's Session on a ginsession
// session; types.go keeps values' Go types across reloads; cookieopts.go is
// Options and the writer that applies it to the cookie; migrate.go is the
// reader of gin-contrib sessions. The guide for users is docs/gincontrib.md
// at the repository's root.
package gincontrib

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores"
)

// Session is gin-contrib's session interface, which this package's sessions
// implement.
type Session = sessions.Session

// Options is gin-contrib's cookie options, as a handler passes them to
// Session.Options.
type Options = sessions.Options

// DefaultKey is the gin.Context key the sessions are put under, gin-contrib's.
const DefaultKey = sessions.DefaultKey

// Default returns the request's session, as gin-contrib's sessions.Default
// does (and that works too).
func Default(c *gin.Context) Session { return sessions.Default(c) }

// DefaultMany returns the request's session of the given name, as
// gin-contrib's sessions.DefaultMany does (and that works too).
func DefaultMany(c *gin.Context, name string) Session { return sessions.DefaultMany(c, name) }

var (
	// ErrKeyNotString is what a non-string session key panics with.
	ErrKeyNotString = errors.New("gincontrib: session keys are strings in ginsession")
	// ErrOptionNotHonoured is added to c.Errors when Session.Options asks for
	// a cookie Path or Domain other than the middleware's.
	ErrOptionNotHonoured = errors.New("gincontrib: cookie option not honoured")
)

// SessionStore names a store, for SessionsManyStores.
type SessionStore struct {
	Name  string
	Store stores.Store
}

// Sessions returns the middleware serving one session, in a cookie named
// name, kept in store; sessions.Default(c) returns it. It panics, as
// ginsession.New does, when the options cannot work.
func Sessions(name string, store stores.Store, opts ...Option) gin.HandlerFunc {
	return newMiddleware([]SessionStore{{Name: name, Store: store}}, false, opts)
}

// SessionsMany returns the middleware serving one session per name, each in
// its own cookie of that name, all kept in store;
// sessions.DefaultMany(c, name) returns each.
func SessionsMany(names []string, store stores.Store, opts ...Option) gin.HandlerFunc {
	list := make([]SessionStore, len(names))
	for i, n := range names {
		list[i] = SessionStore{Name: n, Store: store}
	}
	return newMiddleware(list, true, opts)
}

// SessionsManyStores is SessionsMany with a store of its own for each name.
func SessionsManyStores(list []SessionStore, opts ...Option) gin.HandlerFunc {
	return newMiddleware(list, true, opts)
}

// Underlying returns the ginsession session behind s, for ginsession's typed
// reads (ginsession.Get[T]) and everything else it offers; nil when s is
// not one of this package's.
func Underlying(s Session) *ginsession.Session {
	if a, ok := s.(*session); ok {
		return a.gs
	}
	return nil
}

// Option configures the middleware.
type Option func(*config)

type config struct {
	sessionOpts []ginsession.Option
	types       *registry
	log         *slog.Logger
	migration   *Migration
}

// WithSessionOptions passes ginsession's settings (cookie age, Secure, a
// secret key for a cookie store, a codec ...) to each session's middleware.
// Optional. Default value is ginsession's defaults, with the cookie named
// after the session.
func WithSessionOptions(opts ...ginsession.Option) Option {
	return func(c *config) { c.sessionOpts = append(c.sessionOpts, opts...) }
}

// WithTypes makes values of the types of the given values come back as those
// types after a reload, as gob.Register does for gob: pass the same values
// the application registers with gob. Optional. Default value is none:
// numbers, strings, slices and maps of them, time.Time and time.Duration
// come back as themselves without it; a struct comes back as map[string]any.
func WithTypes(values ...any) Option {
	return func(c *config) {
		for _, v := range values {
			c.types.add(v)
		}
	}
}

// WithLogger sets where refused options, values that would not read back
// and migration outcomes are logged, and ginsession's own logs unless
// WithSessionOptions gives ginsession.WithLogger. Optional. Default value is
// slog.Default().
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.log = l } }

// StoreOptions turns what an application passed to gin-contrib's
// store.Options into ginsession's settings, for WithSessionOptions: Path,
// Domain, Secure, HttpOnly and SameSite as they are, MaxAge as the cookie
// age (0: the cookie ends with the browser). It panics on a negative MaxAge,
// which would delete every cookie as it is set.
func StoreOptions(o Options) []ginsession.Option {
	if o.MaxAge < 0 {
		panic("gincontrib: StoreOptions with a negative MaxAge would delete every session cookie; give the cookie age in seconds, or 0 to end sessions with the browser")
	}
	opts := []ginsession.Option{
		ginsession.WithCookieSecure(o.Secure),
		ginsession.WithCookieHTTPOnly(o.HttpOnly),
		ginsession.WithCookieSameSite(sameSiteName(o.SameSite)),
	}
	if o.Path != "" {
		opts = append(opts, ginsession.WithCookiePath(o.Path))
	}
	if o.Domain != "" {
		opts = append(opts, ginsession.WithCookieDomain(o.Domain))
	}
	if o.MaxAge == 0 {
		opts = append(opts, ginsession.WithExpireAtBrowserClose(true))
	} else {
		opts = append(opts, ginsession.WithCookieAge(seconds(o.MaxAge)))
	}
	return opts
}

func sameSiteName(s http.SameSite) string {
	switch s {
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteNoneMode:
		return "None"
	}
	return ""
}
