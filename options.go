package ginsession

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// options holds the middleware's settings, most of them Django's SESSION_*
// settings with Django's defaults; each With... function documents its
// own. It is unexported because an Option is the one way in, so New
// validates every setting.
type options struct {
	CookieName           string
	CookieAge            time.Duration
	CookieDomain         string
	CookiePath           string
	CookieSecure         bool
	CookieHTTPOnly       bool
	CookieSameSite       http.SameSite
	CookiePartitioned    bool
	SaveEveryRequest     bool
	ExpireAtBrowserClose bool
	SecretKey            string
	SecretKeyFallbacks   []string
	Codec                Codec
	Logger               *slog.Logger // nil until New puts slog.Default() in
	ErrorHandler         func(c *gin.Context, err error)
	StoreTimeout         time.Duration
	UserIndex            *UserIndex // nil: no index
	IdleTimeout          time.Duration
	AbsoluteTimeout      time.Duration
	Clock                func() time.Time
	KeyHashSecret        *string // nil: records kept under the key itself
	Observer             Observer

	sameSiteInput string // a SameSite spelling WithCookieSameSite did not know
}

// Option changes one setting of the middleware.
type Option func(*options)

// DefaultCookieAge is Django's SESSION_COOKIE_AGE, 1209600 seconds.
const DefaultCookieAge = 1209600 * time.Second

// MinSecretKeyLength is the shortest secret New accepts.
const MinSecretKeyLength = 32

func defaultOptions() options {
	return options{
		CookieName:     "sessionid",
		CookieAge:      DefaultCookieAge,
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
		Codec:          JSONCodec{},
		ErrorHandler:   DefaultErrorHandler,
		StoreTimeout:   5 * time.Second,
		Clock:          time.Now,
	}
}

// WithCookieName sets the cookie's name (SESSION_COOKIE_NAME). Optional.
// Default value is "sessionid".
func WithCookieName(name string) Option { return func(o *options) { o.CookieName = name } }

// WithCookieAge sets how long a session lives by default, in the cookie
// and in the store (SESSION_COOKIE_AGE). Optional. Default value is
// DefaultCookieAge, two weeks.
func WithCookieAge(d time.Duration) Option { return func(o *options) { o.CookieAge = d } }

// WithCookieDomain sets the cookie's Domain (SESSION_COOKIE_DOMAIN).
// Optional. Default value is "" (a host-only cookie).
func WithCookieDomain(domain string) Option { return func(o *options) { o.CookieDomain = domain } }

// WithCookiePath sets the cookie's Path (SESSION_COOKIE_PATH). Optional.
// Default value is "/".
func WithCookiePath(path string) Option { return func(o *options) { o.CookiePath = path } }

// WithCookieSecure sends the cookie over HTTPS only
// (SESSION_COOKIE_SECURE). Optional. Default value is false; set it in
// production.
func WithCookieSecure(secure bool) Option { return func(o *options) { o.CookieSecure = secure } }

// WithCookieHTTPOnly hides the cookie from JavaScript
// (SESSION_COOKIE_HTTPONLY). Optional. Default value is true.
func WithCookieHTTPOnly(httpOnly bool) Option {
	return func(o *options) { o.CookieHTTPOnly = httpOnly }
}

// WithCookieSameSite sets SameSite (SESSION_COOKIE_SAMESITE) from Django's
// spelling: "Lax", "Strict", "None" (any case), or "" to omit the attribute.
// New panics on any other value. Optional. Default value is "Lax".
func WithCookieSameSite(mode string) Option {
	return func(o *options) {
		switch strings.ToLower(mode) {
		case "lax":
			o.CookieSameSite = http.SameSiteLaxMode
		case "strict":
			o.CookieSameSite = http.SameSiteStrictMode
		case "none":
			o.CookieSameSite = http.SameSiteNoneMode
		case "", "false":
			o.CookieSameSite = http.SameSiteDefaultMode
		default:
			o.CookieSameSite = -1 // validate reports it, naming the value
			o.sameSiteInput = mode
		}
	}
}

// WithCookiePartitioned sets the Partitioned attribute (CHIPS; it needs
// WithCookieSecure). Optional. Default value is false.
func WithCookiePartitioned(partitioned bool) Option {
	return func(o *options) { o.CookiePartitioned = partitioned }
}

// WithSaveEveryRequest saves the session, and so slides its expiry, on
// every request that has one (SESSION_SAVE_EVERY_REQUEST). Optional.
// Default value is false.
func WithSaveEveryRequest(save bool) Option { return func(o *options) { o.SaveEveryRequest = save } }

// WithExpireAtBrowserClose makes session cookies that end with the browser
// (SESSION_EXPIRE_AT_BROWSER_CLOSE). Optional. Default value is false.
func WithExpireAtBrowserClose(b bool) Option {
	return func(o *options) { o.ExpireAtBrowserClose = b }
}

// WithSecretKey sets the secret that signs cookie-store sessions and auth
// hashes (SECRET_KEY), at least MinSecretKeyLength bytes, and older secrets
// still accepted for reading (SECRET_KEY_FALLBACKS), newest first, so a
// secret can be rotated without logging everyone out. Optional unless a
// store or package needs it. Default value is none.
func WithSecretKey(key string, fallbacks ...string) Option {
	return func(o *options) {
		o.SecretKey = key
		o.SecretKeyFallbacks = fallbacks
	}
}

// WithCodec sets how session values become bytes (SESSION_SERIALIZER).
// Optional. Default value is JSONCodec; use DjangoCodec to share records
// with a Django site.
func WithCodec(c Codec) Option { return func(o *options) { o.Codec = c } }

// WithLogger sets the logger for warnings (corrupt data) and errors (store
// failures). Optional. Default value is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.Logger = l } }

// WithErrorHandler sets what answers a request whose session could not be
// loaded or saved: err wraps ErrSessionInterrupted when a concurrent request
// deleted the session, and the store's error otherwise. Optional. Default
// value is DefaultErrorHandler.
func WithErrorHandler(h func(c *gin.Context, err error)) Option {
	return func(o *options) { o.ErrorHandler = h }
}

// WithStoreTimeout bounds each store call by d: the call's context has a
// deadline d after the call begins (or the request's, if sooner), and a
// store that fails to answer by then fails the request (500). 0 or less
// leaves only the request's context.
//
// How a call ends depends on its store's client. database/sql (sqlstore)
// watches the context, so a call also ends as soon as the request's
// context does (the client went away). The Redis stores hand go-redis the
// deadline alone, which bounds each socket read and write, and not the
// request's cancellation: go-redis v8 would otherwise start a goroutine for
// every command. A Redis call whose client went away therefore runs on
// until it is answered or d runs out (plus go-redis's retry backoff: at
// most about 0.15 s with the clients' defaults), never longer; with no
// store timeout, until the client's ReadTimeout. Size d to the longest
// wait you accept from a store that hangs. Optional. Default value is 5
// seconds.
func WithStoreTimeout(d time.Duration) Option { return func(o *options) { o.StoreTimeout = d } }

// validate reports the first setting that cannot work, in a sentence that
// says what to change.
func (o *options) validate() error {
	switch {
	case (&http.Cookie{Name: o.CookieName}).Valid() != nil:
		return fmt.Errorf("cookie name %q is not a valid cookie name: use letters, digits and !#$%%&'*+-.^_`|~ only (Django's default is \"sessionid\")", o.CookieName)
	case o.CookieSameSite < 0 || o.CookieSameSite > http.SameSiteNoneMode:
		return fmt.Errorf("SameSite %q is unknown: use \"Lax\", \"Strict\", \"None\" or \"\" to omit it", o.sameSiteInput)
	case o.CookieSameSite == http.SameSiteNoneMode && !o.CookieSecure:
		return errors.New("SameSite=None needs a Secure cookie (browsers reject it otherwise): add WithCookieSecure(true) or use SameSite \"Lax\"")
	case o.CookiePartitioned && !o.CookieSecure:
		return errors.New("a Partitioned cookie needs Secure: add WithCookieSecure(true)")
	case strings.HasPrefix(o.CookieName, "__Secure-") && !o.CookieSecure:
		return fmt.Errorf("a cookie named %q must be Secure: add WithCookieSecure(true)", o.CookieName)
	case strings.HasPrefix(o.CookieName, "__Host-") && (!o.CookieSecure || o.CookiePath != "/" || o.CookieDomain != ""):
		return fmt.Errorf("a cookie named %q must be Secure, with path \"/\" and no domain", o.CookieName)
	case o.CookiePath == "" || o.CookiePath[0] != '/' || strings.ContainsAny(o.CookiePath, ";\r\n"):
		return fmt.Errorf("cookie path %q must start with \"/\" and contain no ';'", o.CookiePath)
	case strings.ContainsAny(o.CookieDomain, "; \r\n"):
		return fmt.Errorf("cookie domain %q is not a domain name", o.CookieDomain)
	case o.CookieAge < time.Second:
		return fmt.Errorf("cookie age %v is shorter than a second: use at least time.Second (Django's default is 1209600s)", o.CookieAge)
	}
	if err := checkSecrets(o.SecretKey, o.SecretKeyFallbacks, true); err != nil {
		return err
	}
	switch {
	case o.SecretKey == "" && len(o.SecretKeyFallbacks) > 0:
		return errors.New("fallback secrets are set without a current secret: pass the new secret first to WithSecretKey")
	case o.Codec == nil:
		return errors.New("the codec is nil: leave WithCodec out for JSONCodec")
	case o.ErrorHandler == nil:
		return errors.New("the error handler is nil: leave WithErrorHandler out for DefaultErrorHandler")
	}
	if dc, ok := o.Codec.(*djangoCodec); ok {
		// The codec signs what the middleware stores: the same rule as
		// WithSecretKey's, though DjangoCodec alone reads shorter keys.
		if err := checkSecrets(dc.secrets[0], dc.secrets[1:], false); err != nil {
			return fmt.Errorf("DjangoCodec: %w", err)
		}
	}
	for _, t := range []struct {
		name string
		d    time.Duration
	}{{"WithIdleTimeout", o.IdleTimeout}, {"WithAbsoluteTimeout", o.AbsoluteTimeout}} {
		if t.d != 0 && t.d < time.Second {
			return fmt.Errorf("%s(%v): use at least a second, such as 30*time.Minute, or leave the option out for none", t.name, t.d)
		}
	}
	if o.Clock == nil {
		return errors.New("WithClock(nil): pass a function, or leave the option out for time.Now")
	}
	return nil
}

// checkSecrets reports the first secret shorter than MinSecretKeyLength.
// An empty current secret passes when optional (a store or package that
// needs one says so).
func checkSecrets(secret string, fallbacks []string, optional bool) error {
	for i, s := range append([]string{secret}, fallbacks...) {
		if (i > 0 || s != "" || !optional) && len(s) < MinSecretKeyLength {
			what := "secret key"
			if i > 0 {
				what = fmt.Sprintf("fallback secret key #%d", i)
			}
			return fmt.Errorf("the %s is %d bytes long: use at least %d random bytes (for example `openssl rand -base64 48`)", what, len(s), MinSecretKeyLength)
		}
	}
	return nil
}
