package ginsession

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/stores"
)

type contextKey string

// ContextKey is the gin.Context key under which the middleware puts the
// *Session: c.MustGet(ginsession.ContextKey).(*ginsession.Session).
const ContextKey contextKey = "github.com/ginsession/ginsession"

// middleware holds what every request's session shares.
type middleware struct {
	opts    options
	store   stores.Store
	backend backend  // where records live, chosen once in New
	keyed   bool     // backend is a server store's: the cookie carries a key
	secrets [][]byte // SecretKey then fallbacks, for a cookie store
	// secretStrings is the same, for auth (internal/sessionsecret).
	secretStrings []string
	log           *slog.Logger
	keyHash       string // WithHashedKeys's secret, "" when off (hashkeys.go)
	storeKind     string // Event.Store
}

// New returns the session middleware for store, configured by opts. store
// is a server store (memstore, filestore, sqlstore, redisstore, ...) or a
// [stores.ClientSide] (cookiestore), which is a [stores.Store] too: nothing
// else compiles as the argument. It panics, with a sentence that says what
// to change, when the options cannot work (a bad cookie name or SameSite
// value, SameSite=None without Secure, a secret shorter than 32 bytes, a
// cookie store without a secret).
func New(store stores.Store, opts ...Option) gin.HandlerFunc {
	if store == nil {
		panic("ginsession: New needs a store, for example memstore.New() or filestore.New(dir)")
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	be := newBackend(store)
	if err := o.validate(); err != nil {
		panic("ginsession: " + err.Error())
	}
	if err := be.check(&o); err != nil {
		panic("ginsession: " + err.Error())
	}
	if err := checkHashedKeys(store, &o); err != nil {
		panic(err) // an error, for errors.Is(ErrSharedWithDjango)
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	_, keyed := be.(*serverBackend)
	m := &middleware{opts: o, store: store, backend: be, keyed: keyed, log: o.Logger, storeKind: storeKind(store)}
	if o.KeyHashSecret != nil {
		m.keyHash = *o.KeyHashSecret
	}
	if o.SecretKey != "" {
		m.secretStrings = append([]string{o.SecretKey}, o.SecretKeyFallbacks...)
		for _, k := range m.secretStrings {
			m.secrets = append(m.secrets, []byte(k))
		}
	}
	return m.handle
}

func (m *middleware) handle(c *gin.Context) {
	value, found := readCookie(c.Request.Header, m.opts.CookieName)
	// Django's rule: a value of 8 characters or more names a session. A
	// server store's key is checked in full at first use (adoptKey).
	if len(value) < stores.MinKeyLength || len(value) > maxClientCookie {
		value = ""
	}
	s := &Session{m: m, sealed: value, hadCookie: found, c: c, inner: c.Writer}
	w := (*responseWriter)(s)
	c.Writer = w
	c.Set(ContextKey, s)
	done := false
	defer func() {
		if !done {
			w.abandon()
		}
	}()
	c.Next()
	done = true
	w.commit()
	s.end(c.Request)
}

// From returns the request's session. It panics if the middleware is not
// registered, since that is a wiring mistake, not a runtime condition.
func From(c *gin.Context) *Session {
	s, ok := Lookup(c)
	if !ok {
		panic("ginsession: no session in this request: register the middleware with r.Use(ginsession.New(store)) before the routes that call ginsession.From")
	}
	return s
}

// Lookup returns the request's session and whether the middleware ran.
func Lookup(c *gin.Context) (*Session, bool) {
	v, _ := c.Get(ContextKey)
	s, ok := v.(*Session)
	return s, ok
}

// DefaultErrorHandler answers 400 with Django's message when a concurrent
// request deleted the session, and 500 for any other failure.
func DefaultErrorHandler(c *gin.Context, err error) {
	code, msg := http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)
	if errors.Is(err, ErrSessionInterrupted) {
		code, msg = http.StatusBadRequest, "The request's session was deleted before the request completed. The user may have logged out in a concurrent request, for example."
	}
	c.Data(code, "text/plain; charset=utf-8", []byte(msg))
	c.Abort()
}
