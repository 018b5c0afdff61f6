package auth

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// RequireLogin returns middleware that lets a request through only when its
// session holds a user id (Django's login_required). The hash is not
// checked, which makes it cheap; handlers that act on the user call
// CurrentUser, or use RequireUser instead.
//
// A request that is not logged in is redirected to loginURL with the page it
// asked for in the next parameter (302 for GET and HEAD, 303 otherwise);
// a request that asks for JSON (Accept: application/json, or an
// X-Requested-With header) gets 401 with a JSON body instead. RequireLogin
// panics if loginURL does not parse, since that is a wiring mistake.
func RequireLogin(loginURL string) gin.HandlerFunc {
	login := mustParseLoginURL(loginURL)
	return func(c *gin.Context) {
		if _, ok := UserID(c); ok {
			c.Next()
			return
		}
		reject(c, login, nil, "")
	}
}

// RequireUser is RequireLogin with the user checked as CurrentUser checks
// it: a session whose password changed since its login is ended and sent to
// the login page. Handlers get the user from CurrentUser, which answers from
// the request's cache without loading again. A failure of load answers 500.
func RequireUser(loginURL string, load LoadFunc) gin.HandlerFunc {
	login := mustParseLoginURL(loginURL)
	if load == nil {
		panic("auth: RequireUser needs a load function that returns the user for an id")
	}
	return func(c *gin.Context) {
		_, err := CurrentUser(c, load)
		if err == nil {
			c.Next()
			return
		}
		if errors.Is(err, ErrNotLoggedIn) {
			err = nil
		}
		reject(c, login, err, "")
	}
}

func mustParseLoginURL(loginURL string) *url.URL {
	u, err := url.Parse(loginURL)
	if err != nil || loginURL == "" {
		panic("auth: login URL " + `"` + loginURL + `"` + " is not a URL: pass the path of the login page, such as \"/login\"")
	}
	return u
}

// reject answers a request that may not go on: 500 for the failure err, or
// else 401 JSON (whose error is msg, "login required" when empty) or a
// redirect to the page at to. When the session store failed, the session
// middleware replaces either answer, so an outage never reads as "logged out".
func reject(c *gin.Context, to *url.URL, err error, msg string) {
	if err != nil {
		_ = c.Error(err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	u := *to
	q := u.Query()
	q.Set("next", c.Request.URL.RequestURI())
	u.RawQuery = q.Encode()
	c.Header("Vary", "Accept, X-Requested-With")
	if wantsJSON(c.Request) {
		body := gin.H{"error": msg, "reauth_url": u.String()}
		if msg == "" {
			body = gin.H{"error": "login required", "login_url": u.String()}
		}
		c.AbortWithStatusJSON(http.StatusUnauthorized, body)
		return
	}
	code := http.StatusFound
	if m := c.Request.Method; m != http.MethodGet && m != http.MethodHead {
		code = http.StatusSeeOther
	}
	c.Redirect(code, u.String())
	c.Abort()
}

// wantsJSON reports whether the request comes from a script, not a page.
func wantsJSON(r *http.Request) bool {
	return r.Header.Get("X-Requested-With") != "" || strings.Contains(strings.ToLower(r.Header.Get("Accept")), "application/json")
}
