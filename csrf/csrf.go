// Package csrf protects forms against cross-site request forgery the way
// Django's CsrfViewMiddleware does, with Django's tokens, storages, checks
// and reasons, so a Gin service and a Django site sharing sessions (or the
// csrftoken cookie) accept each other's forms.
//
// # Use
//
//	r.Use(ginsession.New(store), csrf.New())
//	r.GET("/profile", func(c *gin.Context) {
//		field, err := csrf.Field(c) // before the response is written
//		if err != nil {
//			c.AbortWithStatus(http.StatusInternalServerError)
//			return
//		}
//		c.HTML(http.StatusOK, "profile.html", gin.H{"csrf": field})
//	})
//	r.POST("/profile", save) // reached only with a valid token
//
// and in the template, inside each form that posts: {{.csrf}}. A script
// sends the token from Token in the X-CSRFToken header instead. Mark a
// webhook with [Exempt], an API group that takes only the header with
// [HeaderOnly]. [FuncMap] gives templates {{csrfField .token}} for a
// token passed as a string.
//
// # Semantics (Django 4.0 and later)
//
// GET, HEAD, OPTIONS and TRACE are never checked. Any other method is
// refused with 403, the first failing check giving the reason:
//
//  1. Sec-Fetch-Site: cross-site, unless the Origin is a trusted origin
//     (a browser says this of a page on another site; this line is
//     ours, not Django's, and "same-origin" never skips the token
//     check, since a client other than a browser can send any header);
//  2. an Origin header that is neither the request's own origin
//     (scheme, Host) nor a trusted origin ([WithTrustedOrigins]);
//  3. over HTTPS without Origin, a Referer that is missing, malformed,
//     not HTTPS, or on neither a trusted origin's host, the cookie
//     domain ([WithCookieDomain]) nor this host;
//  4. no stored secret ("CSRF cookie not set."), or no token in the form
//     field csrfmiddlewaretoken (POST only) nor in the X-CSRFToken
//     header ("CSRF token missing."), or a token of the wrong form or
//     for another secret ("CSRF token from POST incorrect.").
//
// The reason is logged at Warn with the method and path, then passed to the
// failure handler ([WithFailureHandler]). No token, secret or query string
// is ever logged, and tokens are never read from the URL.
//
// # Tokens
//
// A secret is 32 characters of [a-zA-Z0-9]. A token is a fresh 32-character
// mask followed by the secret shifted by it, character by character, in
// that alphabet: 64 characters, a different string on every page for the
// same secret, so compression cannot reveal it (BREACH). The check unmasks
// the token and compares the secrets in constant time. A bare 32-character
// token is accepted as the secret itself, and a stored value may be either
// form, as Django accepts them.
//
// # Storage
//
// By default the secret lives in the session under "_csrftoken" (Django's
// CSRF_USE_SESSIONS), stored only when a page first asks for a token;
// [WithCookieStorage] keeps it in the "csrftoken" cookie instead, with
// Django's CSRF_COOKIE_* defaults (one year, Path /, not HttpOnly, SameSite
// Lax, Vary: Cookie). Either way the value is the masked form Django 3.2
// writes and every later version reads. auth.Login calls [Rotate], so the
// token changes at login; auth.Logout flushes the session and the secret
// with it (the cookie storage keeps its cookie, as Django does).
//
// # Django, spelled in Go
//
//	CsrfViewMiddleware                   New(opts...)
//	get_token(request), {% csrf_token %} Token(c), Field(c), FuncMap(opts...)
//	rotate_token(request)                Rotate(c)
//	@csrf_exempt                         Exempt
//	CSRF_USE_SESSIONS = False            WithCookieStorage()
//	CSRF_COOKIE_NAME, _AGE, _DOMAIN, ... WithCookieName, WithCookieAge, WithCookieDomain, ...
//	CSRF_HEADER_NAME                     WithHeaderName
//	CSRF_TRUSTED_ORIGINS                 WithTrustedOrigins
//	CSRF_FAILURE_VIEW                    WithFailureHandler
//	SECURE_PROXY_SSL_HEADER              WithSecureProxyHeader
//
// Where Django 3.2 and later versions differ, this package follows the
// later ones: the Origin check and schemes in trusted origins (4.0), and
// the split reasons of the token check (4.0). It keeps no global state.
package csrf
