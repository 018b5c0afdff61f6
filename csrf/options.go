package csrf

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
)

// Django's defaults (django/conf/global_settings.py).
const (
	// DefaultFieldName is the form field a token comes in.
	DefaultFieldName = "csrfmiddlewaretoken"
	// DefaultHeaderName is the header a token comes in (Django's
	// CSRF_HEADER_NAME, HTTP_X_CSRFTOKEN).
	DefaultHeaderName = "X-CSRFToken"
	// DefaultCookieName is the cookie of the cookie storage.
	DefaultCookieName = "csrftoken"
	// DefaultCookieAge is the cookie's lifetime: 52 weeks.
	DefaultCookieAge = 31449600 * time.Second
	// SessionKey is the session key of the session storage (Django's
	// CSRF_SESSION_KEY).
	SessionKey = "_csrftoken"
)

// config is what New was given, shared by the requests it serves.
type config struct {
	cookieStorage bool
	cookie        http.Cookie // name, path, domain, age and flags of the cookie storage
	fieldName     string
	headerName    string // canonical form
	trusted       trustedOrigins
	failure       func(c *gin.Context, reason string)
	log           *slog.Logger
	proxyHeader   string // with proxyValue: Django's SECURE_PROXY_SSL_HEADER
	proxyValue    string
	exemptName    string // the function names of Exempt and HeaderOnly
	headerOnlyNm  string
}

// Option configures New.
type Option func(*config)

func defaultConfig() *config {
	return &config{
		cookie: http.Cookie{
			Name:     DefaultCookieName,
			Path:     "/",
			MaxAge:   int(DefaultCookieAge / time.Second),
			SameSite: http.SameSiteLaxMode,
		},
		fieldName:  DefaultFieldName,
		headerName: http.CanonicalHeaderKey(DefaultHeaderName),
		failure:    DefaultFailureHandler,
		log:        slog.Default(),
	}
}

// WithCookieStorage keeps the secret in a cookie of its own instead of the
// session (Django's CSRF_USE_SESSIONS = False, its default). The cookie is
// what a Django site's JavaScript reads; the session storage needs
// ginsession.New on the route and keeps the secret off the client.
// Optional. Default value is the session storage.
func WithCookieStorage() Option { return func(cf *config) { cf.cookieStorage = true } }

// WithCookieName sets the cookie storage's cookie name, Django's
// CSRF_COOKIE_NAME. Optional. Default value is "csrftoken".
func WithCookieName(name string) Option { return func(cf *config) { cf.cookie.Name = name } }

// WithCookieAge sets how long the cookie lasts, Django's CSRF_COOKIE_AGE; 0
// makes it end with the browser (Django's None). Optional. Default value is
// DefaultCookieAge (one year).
func WithCookieAge(d time.Duration) Option {
	return func(cf *config) { cf.cookie.MaxAge = int(d / time.Second) }
}

// WithCookieDomain sets the cookie's Domain, Django's CSRF_COOKIE_DOMAIN,
// such as ".example.com". Over HTTPS, a request without an Origin header is
// also accepted from a Referer on that domain or its subdomains. With the
// session storage, give the session cookie's domain here (Django then uses
// SESSION_COOKIE_DOMAIN): it serves the Referer check only. Optional.
// Default value is "" (the host only).
func WithCookieDomain(domain string) Option { return func(cf *config) { cf.cookie.Domain = domain } }

// WithCookiePath sets the cookie's Path, Django's CSRF_COOKIE_PATH.
// Optional. Default value is "/".
func WithCookiePath(path string) Option { return func(cf *config) { cf.cookie.Path = path } }

// WithCookieSecure sends the cookie over HTTPS only, Django's
// CSRF_COOKIE_SECURE. Optional. Default value is false.
func WithCookieSecure(secure bool) Option { return func(cf *config) { cf.cookie.Secure = secure } }

// WithCookieHTTPOnly hides the cookie from JavaScript, Django's
// CSRF_COOKIE_HTTPONLY; scripts then take the token from the page.
// Optional. Default value is false.
func WithCookieHTTPOnly(httpOnly bool) Option {
	return func(cf *config) { cf.cookie.HttpOnly = httpOnly }
}

// WithCookieSameSite sets the cookie's SameSite, Django's
// CSRF_COOKIE_SAMESITE (http.SameSiteDefaultMode leaves the attribute out).
// Optional. Default value is http.SameSiteLaxMode.
func WithCookieSameSite(mode http.SameSite) Option {
	return func(cf *config) { cf.cookie.SameSite = mode }
}

// WithFieldName sets the form field that carries the token. Optional.
// Default value is "csrfmiddlewaretoken".
func WithFieldName(name string) Option { return func(cf *config) { cf.fieldName = name } }

// WithHeaderName sets the header that carries the token, Django's
// CSRF_HEADER_NAME. Optional. Default value is "X-CSRFToken".
func WithHeaderName(name string) Option {
	return func(cf *config) { cf.headerName = http.CanonicalHeaderKey(name) }
}

// WithTrustedOrigins adds origins allowed to post besides the request's own,
// Django's CSRF_TRUSTED_ORIGINS (4.0 and later): each with its scheme,
// "https://admin.example.com" exactly, or "https://*.example.com" for
// example.com and all its subdomains. New panics on an entry without a
// scheme. Over HTTPS, a Referer on any of their hosts passes too, whatever
// the scheme given. Optional. Default value is none.
func WithTrustedOrigins(origins ...string) Option {
	return func(cf *config) { cf.trusted.add(origins...) }
}

// WithFailureHandler sets what answers a refused request, Django's
// CSRF_FAILURE_VIEW. It gets Django's reason ("CSRF token missing.") to
// show or not; the request was already logged, and the middleware aborts
// the chain after it. It should write a 403. Optional. Default value is
// DefaultFailureHandler.
func WithFailureHandler(h func(c *gin.Context, reason string)) Option {
	return func(cf *config) { cf.failure = h }
}

// WithLogger sets where refusals are logged, at Warn, as Django logs them
// on django.security.csrf: the reason, the method and the path, never a
// token or a query string. Optional. Default value is slog.Default().
func WithLogger(l *slog.Logger) Option { return func(cf *config) { cf.log = l } }

// WithSecureProxyHeader tells which header, with which value, a trusted
// proxy in front sets on HTTPS requests (Django's SECURE_PROXY_SSL_HEADER,
// such as "X-Forwarded-Proto", "https"): those requests are then checked as
// HTTPS ones (Origin with https, strict Referer). Only set it when the proxy
// always sets or strips the header. Optional. Default value is none: a
// request is HTTPS when it came over TLS to this server.
func WithSecureProxyHeader(header, value string) Option {
	return func(cf *config) { cf.proxyHeader, cf.proxyValue = header, value }
}

// DefaultFailureHandler answers 403 with a short text that names no reason,
// as Django does outside DEBUG.
func DefaultFailureHandler(c *gin.Context, _ string) {
	c.Data(http.StatusForbidden, "text/plain; charset=utf-8", []byte("Forbidden (403): CSRF verification failed. Request aborted.\n"))
}

// validate panics on options New cannot work with: a wiring mistake to fix
// before the first request.
func (cf *config) validate() {
	if err := cf.trusted.err; err != nil {
		panic(err.Error())
	}
	switch {
	case cf.fieldName == "":
		panic("csrf: WithFieldName(\"\"): give the form field's name, or leave the option out for csrfmiddlewaretoken")
	case cf.headerName == "":
		panic("csrf: WithHeaderName(\"\"): give the header's name, or leave the option out for X-CSRFToken")
	case cf.failure == nil:
		panic("csrf: WithFailureHandler(nil): give a handler, or leave the option out for DefaultFailureHandler")
	case cf.log == nil:
		panic("csrf: WithLogger(nil): give a logger, or leave the option out for slog.Default()")
	case cf.cookieStorage && (cf.cookie.Name == "" || !validCookieName(cf.cookie.Name)):
		panic(fmt.Sprintf("csrf: WithCookieName(%q) is not a cookie name", cf.cookie.Name))
	}
}

// validCookieName reports whether name is an HTTP token, as a cookie name
// must be.
func validCookieName(name string) bool {
	return strings.IndexFunc(name, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, r)
	}) < 0
}
