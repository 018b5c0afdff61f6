// Package ginsession is Django's session framework for the Gin web framework.
//
// Register the middleware once and every handler gets a lazily loaded
// session, saved automatically just before the response headers go out:
//
//	r := gin.Default()
//	r.Use(ginsession.New(store))                  // once
//	r.GET("/", func(c *gin.Context) {
//		s := ginsession.From(c)                   // or c.MustGet(ginsession.ContextKey).(*ginsession.Session)
//		n, _ := ginsession.Get[int](s, "visits")  // typed read: 42 comes back as 42, not 42.0
//		s.Set("visits", n+1)                      // no Save(): committed before the first byte of the response
//		c.String(http.StatusOK, "visit %d", n+1)
//	})
//
// where store is any [stores.Store], for example one from filestore.New(dir).
//
// # Django, spelled in Go
//
// Session has every operation of Django's request.session (Get, Set,
// SetDefault, Pop, Delete, Has, Keys, Values, Items, Clear, Flush, CycleKey,
// Exists, DeleteKey, SetExpiry, ExpiryAge, test cookies ...) with the same
// accessed/modified rules, and the middleware follows Django's
// SessionMiddleware: Vary: Cookie when the session was used, a save when it
// was modified, no save for 5xx answers, a deleted cookie for an emptied
// session, and 400 when a concurrent logout deleted the session being saved.
// Options are Django's SESSION_* settings with Django's defaults.
//
// # Stores
//
// Records live in a [stores.Store]: memory, files, MySQL (Django's
// django_session table), Redis (Cluster too), cache+database, or the cookie
// itself. With [DjangoCodec] and the same secret, a Django site and a Go
// service read each other's sessions.
//
// # Failures
//
// A store that fails or times out never yields an empty session silently:
// the request is answered by [Options.ErrorHandler] (500 by default), the
// error is logged, and nothing is saved over the record.
package ginsession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/stores"
)

type contextKey string

// ContextKey is the gin.Context key under which the middleware puts the
// *Session: c.MustGet(ginsession.ContextKey).(*ginsession.Session).
const ContextKey contextKey = "github.com/ginsession/ginsession"

// maxClientCookie bounds the cookie value a client-side store is asked to
// open, so an oversized cookie costs nothing.
const maxClientCookie = 16 << 10

// middleware holds what every request's session shares.
type middleware struct {
	opts          Options
	store         stores.Store
	client        stores.ClientSide // set when the store keeps records in the cookie
	inProcess     bool              // the store never blocks: no per-call deadline
	jsonCodec     bool              // the codec is JSONCodec: decode without copying
	deletion      string            // the Set-Cookie value that deletes the cookie; fixed by the options
	secrets       [][]byte          // SecretKey then fallbacks
	secretStrings []string
	log           *slog.Logger
}

// New returns the session middleware for store, configured by opts. It
// panics, with a sentence that says what to change, when the options cannot
// work (a bad cookie name or SameSite value, SameSite=None without Secure, a
// secret shorter than 32 bytes, a cookie store without a secret).
func New(store stores.Store, opts ...Option) gin.HandlerFunc {
	if store == nil {
		panic("ginsession: New needs a store, for example memstore.New() or filestore.New(dir)")
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	client, _ := store.(stores.ClientSide)
	if err := o.validate(client != nil); err != nil {
		panic("ginsession: " + err.Error())
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	_, inProcess := store.(stores.InProcess)
	m := &middleware{opts: o, store: store, client: client, inProcess: inProcess, jsonCodec: isJSONCodec(o.Codec), log: o.Logger}
	m.deletion = m.deletionCookie()
	if o.SecretKey != "" {
		m.secretStrings = append([]string{o.SecretKey}, o.SecretKeyFallbacks...)
		for _, k := range m.secretStrings {
			m.secrets = append(m.secrets, []byte(k))
		}
	}
	return m.handle
}

func (m *middleware) handle(c *gin.Context) {
	s := &Session{m: m}
	value, found := readCookie(c.Request.Header, m.opts.CookieName)
	s.hadCookie = found
	if m.client != nil {
		if len(value) >= stores.MinKeyLength && len(value) <= maxClientCookie {
			s.key = value
		}
	} else if stores.ValidKey(value) {
		s.key = value
	}
	w := &s.respWriter
	w.ResponseWriter, w.s, w.c = c.Writer, s, c
	c.Writer = w
	c.Set(ContextKey, s)
	c.Next()
	w.commit()
	s.end(c.Request.Context())
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
	v, ok := c.Get(ContextKey)
	if !ok {
		return nil, false
	}
	s, ok := v.(*Session)
	return s, ok
}

// DefaultErrorHandler answers 400 with Django's message when a concurrent
// request deleted the session, and 500 for any other failure.
func DefaultErrorHandler(c *gin.Context, err error) {
	code, msg := http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)
	if errors.Is(err, ErrSessionInterrupted) {
		code, msg = http.StatusBadRequest, interruptedMessage
	}
	c.Data(code, "text/plain; charset=utf-8", []byte(msg))
	c.Abort()
}

// commit applies Django's SessionMiddleware.process_response to the headers
// of a response with the given status, saving the session if it must.
//
// Every response that carries the session's Set-Cookie, whether it sets or
// deletes the cookie, also carries Vary: Cookie, as in Django 5.2.14 and
// 6.0.5 (CVE-2026-35192). Django 3.2 left it out when SaveEveryRequest
// re-sent the cookie of a session the view never touched, so a shared cache
// could store that response and hand one user's session to everyone.
func (s *Session) commit(status int, h http.Header) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { s.committed = true }()
	if s.err != nil {
		return s.err
	}
	o := &s.m.opts
	accessed, modified, empty := s.accessed, s.modified, s.isEmptyLocked()
	if s.hadCookie && empty {
		s.sendCookie(h, s.m.deletion, false)
		return nil
	}
	if accessed {
		addVaryCookie(h)
	}
	save := (modified || o.SaveEveryRequest) && !empty
	if !save && !(s.cookieDue && !empty) {
		return nil
	}
	if status >= http.StatusInternalServerError {
		return nil
	}
	now := time.Now()
	if save {
		if !s.loaded {
			// SaveEveryRequest on an untouched session loads it, as Django
			// does: the expiry and cookie attributes depend on its data. A
			// stale key then leaves nothing to save: the cookie is dropped
			// (Django would answer 400 from its forced update).
			s.load()
			if s.err != nil {
				return s.err
			}
			if s.isEmptyLocked() {
				s.sendCookie(h, s.m.deletion, accessed)
				return nil
			}
		}
		switch gone, err := s.refreshLocked(now); {
		case err != nil:
			return err
		case gone:
			s.sendCookie(h, s.m.deletion, accessed)
			return nil
		}
	}
	if s.expireAtBrowserCloseLocked() {
		s.sendCookie(h, s.cookie(now, 0), accessed)
		return nil
	}
	age := s.expiryAgeLocked(now)
	if age <= 0 {
		// An expiry already past (SetExpiry(-d), SetExpiryAt in the past):
		// the cookie is deleted, not sent with the key.
		s.sendCookie(h, s.m.deletion, accessed)
		return nil
	}
	s.sendCookie(h, s.cookie(now, age), accessed)
	return nil
}

// refreshLocked stores the session at the end of a request that must save
// it. A session changed in this request is saved in full. An unchanged one
// (SaveEveryRequest) only has its expiry moved when the store is a
// [stores.Toucher]: its data is not rewritten, which is cheaper and cannot
// overwrite what a concurrent request saved meanwhile. A record that
// vanished (a concurrent logout) is reported as gone: the session is then
// empty and keyless, and nothing is brought back.
func (s *Session) refreshLocked(now time.Time) (gone bool, err error) {
	if s.modified || s.m.client != nil {
		return false, s.saveLocked()
	}
	if s.cookieDue {
		return false, nil // Save or CycleKey stored it in this request already
	}
	t, ok := s.m.store.(stores.Toucher)
	if !ok {
		return false, s.saveLocked()
	}
	ctx, cancel := s.storeContext()
	err = t.Touch(ctx, s.key, s.expiryDateLocked(now))
	cancel()
	switch {
	case errors.Is(err, stores.ErrNotFound):
		s.key, s.values = "", nil
		s.resetKeys(nil)
		return true, nil
	case err != nil:
		return false, fmt.Errorf("ginsession: touch session %s: %w", shortKey(s.key), err)
	}
	s.cookieDue = true
	return false, nil
}

// cookie is the Set-Cookie value carrying the session key; age 0 makes a
// browser-session cookie.
func (s *Session) cookie(now time.Time, age time.Duration) string {
	o := &s.m.opts
	ck := &http.Cookie{
		Name:        o.CookieName,
		Value:       s.key,
		Path:        o.CookiePath,
		Domain:      o.CookieDomain,
		Secure:      o.CookieSecure,
		HttpOnly:    o.CookieHTTPOnly,
		SameSite:    o.CookieSameSite,
		Partitioned: o.CookiePartitioned,
	}
	if age > 0 {
		ck.Expires = now.Add(age)
		ck.MaxAge = int(age / time.Second)
	}
	return ck.String()
}

// sendCookie adds a Set-Cookie line and, unless varied says the response
// varies on Cookie already, Vary: Cookie: a response that carries the
// session cookie must never be served from a shared cache to someone else.
func (s *Session) sendCookie(h http.Header, v string, varied bool) {
	s.addSetCookie(h, v)
	if !varied {
		addVaryCookie(h)
	}
}

// addSetCookie adds a Set-Cookie line to h. When it is the first, the
// session's own array backs the header's slice, which saves the allocation
// of Header.Add; its capacity is 1, so a later append, by anyone, copies it
// rather than writing into it.
func (s *Session) addSetCookie(h http.Header, v string) {
	if len(h["Set-Cookie"]) == 0 {
		s.setCookie[0] = v
		h["Set-Cookie"] = s.setCookie[:1:1]
		return
	}
	h.Add("Set-Cookie", v)
}

// deletionCookie is the Set-Cookie value that removes the session cookie,
// with Django's attributes (no HttpOnly; Secure only where required).
func (m *middleware) deletionCookie() string {
	o := &m.opts
	ck := &http.Cookie{
		Name:        o.CookieName,
		Value:       "",
		Path:        o.CookiePath,
		Domain:      o.CookieDomain,
		MaxAge:      -1,
		Expires:     time.Unix(0, 0),
		SameSite:    o.CookieSameSite,
		Partitioned: o.CookiePartitioned,
		Secure: o.CookieSameSite == http.SameSiteNoneMode || o.CookiePartitioned ||
			strings.HasPrefix(o.CookieName, "__Secure-") || strings.HasPrefix(o.CookieName, "__Host-"),
	}
	return ck.String()
}

// varyCookie is shared by every response, as gin shares its Content-Type
// values: header values are replaced, never written in place.
var varyCookie = []string{"Cookie"}

// addVaryCookie adds Cookie to the Vary header unless it is there already
// (any case) or Vary is "*", keeping one comma-separated line as Django does.
func addVaryCookie(h http.Header) {
	vals := h.Values("Vary")
	if len(vals) == 0 {
		h["Vary"] = varyCookie
		return
	}
	var parts []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			switch {
			case p == "":
				continue
			case p == "*":
				h.Set("Vary", "*")
				return
			case strings.EqualFold(p, "Cookie"):
				return
			}
			parts = append(parts, p)
		}
	}
	h.Set("Vary", strings.Join(append(parts, "Cookie"), ", "))
}

// readCookie finds the first cookie called name in the request headers
// without allocating. Browsers send the most specific path first, so the
// first is the one meant for this path. Surrounding quotes are removed.
func readCookie(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for len(line) > 0 {
			var part string
			if i := strings.IndexByte(line, ';'); i >= 0 {
				part, line = line[:i], line[i+1:]
			} else {
				part, line = line, ""
			}
			part = strings.TrimSpace(part)
			if len(part) <= len(name) || part[len(name)] != '=' || part[:len(name)] != name {
				if part == name {
					return "", true
				}
				continue
			}
			v := part[len(name)+1:]
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}

// RunJanitor is [stores.StartJanitor] that blocks until ctx ends; it panics
// with StartJanitor's error for an interval that is not positive.
//
// Deprecated: use stores.StartJanitor, which returns an error and a stop
// function instead.
func RunJanitor(ctx context.Context, store stores.Store, interval time.Duration, log *slog.Logger) {
	stop, err := stores.StartJanitor(ctx, store, interval, log)
	if err != nil {
		panic("ginsession: RunJanitor: " + err.Error())
	}
	defer stop()
	<-ctx.Done()
}
