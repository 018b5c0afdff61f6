package ginsession

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// options holds the middleware's settings. Each field mirrors one of Django's
// SESSION_* settings and has its default; users set them with the With...
// functions passed to [New]. It is unexported because nothing takes it whole:
// an Option is the one way in, so every setting is validated by New.
type options struct {
	// CookieName is the session cookie's name (SESSION_COOKIE_NAME).
	// Optional. Default value is "sessionid".
	CookieName string
	// CookieAge is how long a session lives by default, in the cookie and in
	// the store (SESSION_COOKIE_AGE). Optional. Default value is two weeks.
	CookieAge time.Duration
	// CookieDomain is the cookie's Domain attribute (SESSION_COOKIE_DOMAIN).
	// Optional. Default value is "" (host-only cookie).
	CookieDomain string
	// CookiePath is the cookie's Path attribute (SESSION_COOKIE_PATH).
	// Optional. Default value is "/".
	CookiePath string
	// CookieSecure sends the cookie over HTTPS only (SESSION_COOKIE_SECURE).
	// Optional. Default value is false; set it in production.
	CookieSecure bool
	// CookieHTTPOnly hides the cookie from JavaScript (SESSION_COOKIE_HTTPONLY).
	// Optional. Default value is true.
	CookieHTTPOnly bool
	// CookieSameSite is the SameSite attribute (SESSION_COOKIE_SAMESITE).
	// Optional. Default value is http.SameSiteLaxMode; http.SameSiteDefaultMode
	// omits the attribute.
	CookieSameSite http.SameSite
	// CookiePartitioned adds the Partitioned attribute (CHIPS); it needs
	// CookieSecure. Optional. Default value is false.
	CookiePartitioned bool
	// SaveEveryRequest saves the session, and so slides its expiry, on every
	// request that has one (SESSION_SAVE_EVERY_REQUEST). Optional. Default
	// value is false.
	SaveEveryRequest bool
	// ExpireAtBrowserClose makes session cookies that end with the browser
	// (SESSION_EXPIRE_AT_BROWSER_CLOSE). Optional. Default value is false.
	ExpireAtBrowserClose bool
	// SecretKey signs cookie-store sessions and auth hashes (SECRET_KEY).
	// Optional unless a store or package needs it; at least 32 bytes.
	SecretKey string
	// SecretKeyFallbacks are older secrets still accepted when reading
	// (SECRET_KEY_FALLBACKS), so a secret can be rotated without logging
	// everyone out. Optional. Default value is none.
	SecretKeyFallbacks []string
	// Codec turns session values into bytes. Optional. Default value is
	// JSONCodec; use DjangoCodec to share records with a Django site.
	Codec Codec
	// Logger receives warnings (corrupt data) and errors (store failures).
	// Optional. Default value is slog.Default().
	Logger *slog.Logger
	// ErrorHandler writes the response when the session cannot be loaded or
	// saved. err wraps ErrSessionInterrupted when a concurrent request
	// deleted the session, and the store's error otherwise. Optional. Default
	// value is DefaultErrorHandler.
	ErrorHandler func(c *gin.Context, err error)
	// StoreTimeout bounds every store call on top of the request's context,
	// so a store that hangs fails the request instead of holding it
	// (WithStoreTimeout says how each store ends a call). Optional. Default
	// value is 5 seconds; 0 or less means no extra bound.
	StoreTimeout time.Duration
	// UserIndex keeps a per-user index of sessions in the store (index.go).
	// Optional. Default value is nil: no index.
	UserIndex *UserIndex
	// IdleTimeout ends a session unused for this long (WithIdleTimeout).
	// Optional. Default value is 0, none.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after it started
	// (WithAbsoluteTimeout). Optional. Default value is 0, none.
	AbsoluteTimeout time.Duration
	// Clock is where the middleware reads the current time (WithClock).
	// Optional. Default value is time.Now.
	Clock func() time.Time
	// KeyHashSecret, when set, keeps records under a keyed hash of their
	// key (WithHashedKeys). Optional. Default value is nil: the key itself.
	KeyHashSecret *string
	// Observer receives every Event (WithObserver). Optional. Default
	// value is nil: none.
	Observer Observer

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

// WithCookieName sets the cookie's name (SESSION_COOKIE_NAME).
func WithCookieName(name string) Option { return func(o *options) { o.CookieName = name } }

// WithCookieAge sets the default session lifetime (SESSION_COOKIE_AGE).
func WithCookieAge(d time.Duration) Option { return func(o *options) { o.CookieAge = d } }

// WithCookieDomain sets the cookie's Domain (SESSION_COOKIE_DOMAIN).
func WithCookieDomain(domain string) Option { return func(o *options) { o.CookieDomain = domain } }

// WithCookiePath sets the cookie's Path (SESSION_COOKIE_PATH).
func WithCookiePath(path string) Option { return func(o *options) { o.CookiePath = path } }

// WithCookieSecure sets the cookie's Secure flag (SESSION_COOKIE_SECURE).
func WithCookieSecure(secure bool) Option { return func(o *options) { o.CookieSecure = secure } }

// WithCookieHTTPOnly sets the cookie's HttpOnly flag (SESSION_COOKIE_HTTPONLY).
func WithCookieHTTPOnly(httpOnly bool) Option {
	return func(o *options) { o.CookieHTTPOnly = httpOnly }
}

// WithCookieSameSite sets SameSite (SESSION_COOKIE_SAMESITE) from Django's
// spelling: "Lax", "Strict", "None" (any case), or "" to omit the attribute.
// New panics on any other value.
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

// WithCookiePartitioned sets the Partitioned attribute (needs Secure).
func WithCookiePartitioned(partitioned bool) Option {
	return func(o *options) { o.CookiePartitioned = partitioned }
}

// WithSaveEveryRequest saves on every request (SESSION_SAVE_EVERY_REQUEST).
func WithSaveEveryRequest(save bool) Option { return func(o *options) { o.SaveEveryRequest = save } }

// WithExpireAtBrowserClose makes browser-session cookies
// (SESSION_EXPIRE_AT_BROWSER_CLOSE).
func WithExpireAtBrowserClose(b bool) Option {
	return func(o *options) { o.ExpireAtBrowserClose = b }
}

// WithSecretKey sets the secret (SECRET_KEY) and optional older secrets still
// accepted for reading (SECRET_KEY_FALLBACKS), newest first.
func WithSecretKey(key string, fallbacks ...string) Option {
	return func(o *options) {
		o.SecretKey = key
		o.SecretKeyFallbacks = fallbacks
	}
}

// WithCodec sets how session values become bytes (SESSION_SERIALIZER).
func WithCodec(c Codec) Option { return func(o *options) { o.Codec = c } }

// WithLogger sets the logger for warnings and store errors.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.Logger = l } }

// WithErrorHandler sets what answers a request whose session failed.
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
	if o.CookieName == "" || !isCookieToken(o.CookieName) {
		return fmt.Errorf("cookie name %q is not a valid cookie name: use letters, digits and !#$%%&'*+-.^_`|~ only (Django's default is \"sessionid\")", o.CookieName)
	}
	if o.CookieSameSite < 0 || o.CookieSameSite > http.SameSiteNoneMode {
		return fmt.Errorf("SameSite %q is unknown: use \"Lax\", \"Strict\", \"None\" or \"\" to omit it", o.sameSiteInput)
	}
	if o.CookieSameSite == http.SameSiteNoneMode && !o.CookieSecure {
		return fmt.Errorf("SameSite=None needs a Secure cookie (browsers reject it otherwise): add WithCookieSecure(true) or use SameSite \"Lax\"")
	}
	if o.CookiePartitioned && !o.CookieSecure {
		return fmt.Errorf("a Partitioned cookie needs Secure: add WithCookieSecure(true)")
	}
	if strings.HasPrefix(o.CookieName, "__Secure-") && !o.CookieSecure {
		return fmt.Errorf("a cookie named %q must be Secure: add WithCookieSecure(true)", o.CookieName)
	}
	if strings.HasPrefix(o.CookieName, "__Host-") && (!o.CookieSecure || o.CookiePath != "/" || o.CookieDomain != "") {
		return fmt.Errorf("a cookie named %q must be Secure, with path \"/\" and no domain", o.CookieName)
	}
	if o.CookiePath == "" || o.CookiePath[0] != '/' || strings.ContainsAny(o.CookiePath, ";\r\n") {
		return fmt.Errorf("cookie path %q must start with \"/\" and contain no ';'", o.CookiePath)
	}
	if strings.ContainsAny(o.CookieDomain, "; \r\n") {
		return fmt.Errorf("cookie domain %q is not a domain name", o.CookieDomain)
	}
	if o.CookieAge < time.Second {
		return fmt.Errorf("cookie age %v is shorter than a second: use at least time.Second (Django's default is 1209600s)", o.CookieAge)
	}
	if err := checkSecrets(o.SecretKey, o.SecretKeyFallbacks, true); err != nil {
		return err
	}
	if o.SecretKey == "" && len(o.SecretKeyFallbacks) > 0 {
		return fmt.Errorf("fallback secrets are set without a current secret: pass the new secret first to WithSecretKey")
	}
	if o.Codec == nil {
		return fmt.Errorf("the codec is nil: leave WithCodec out for JSONCodec")
	}
	if dc, ok := o.Codec.(*djangoCodec); ok {
		// The codec signs what the middleware stores: the same rule as
		// WithSecretKey's, though DjangoCodec alone reads shorter keys.
		if err := checkSecrets(dc.secrets[0], dc.secrets[1:], false); err != nil {
			return fmt.Errorf("DjangoCodec: %w", err)
		}
	}
	if o.ErrorHandler == nil {
		return fmt.Errorf("the error handler is nil: leave WithErrorHandler out for DefaultErrorHandler")
	}
	return o.validateTimeouts()
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

// isCookieToken reports whether name is an RFC 6265 token.
func isCookieToken(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}
