package gincontrib_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	csrf "github.com/utrack/gin-csrf"

	"github.com/ginsession/ginsession/contrib/gincontrib"
)

// csrfApp is utrack/gin-csrf's README setup on the given session
// middleware: its default ErrorFunc panics, which gin's recovery answers 500.
func csrfApp(use gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.Use(gin.RecoveryWithWriter(io.Discard))
	r.Use(use)
	r.Use(csrf.Middleware(csrf.Options{Secret: "secret123"}))
	r.GET("/protected", func(c *gin.Context) { c.String(200, csrf.GetToken(c)) })
	r.POST("/protected", func(c *gin.Context) { c.String(200, "CSRF token is valid") })
	return r
}

// TestGinCSRFPassesAndRefusesAsOnGinContrib posts a form with the token,
// without it, with another's token and with a stale one, on gin-contrib and
// on the adapter: the answers must match, and the adapter's must be
// gin-csrf's (200 with the token, refusal without).
func TestGinCSRFPassesAndRefusesAsOnGinContrib(t *testing.T) {
	steps := func(t *testing.T, h http.Handler) []string {
		srv := serve(t, h)
		alice, mallory := newBrowser(t), newBrowser(t)
		post := func(b *browser, token string) string {
			form := url.Values{}
			if token != "" {
				form.Set("_csrf", token)
			}
			status, body, _ := b.do(http.MethodPost, srv.URL+"/protected", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
			return http.StatusText(status) + " " + body
		}
		var out []string
		_, token, _ := alice.get(srv.URL + "/protected")
		_, again, _ := alice.get(srv.URL + "/protected")
		if again != token {
			t.Errorf("the token changed between two GETs of one session: %q, %q", token, again)
		}
		_, malloryToken, _ := mallory.get(srv.URL + "/protected")
		out = append(out,
			"with the token: "+post(alice, token),
			"again: "+post(alice, token),
			"without: "+post(alice, ""),
			"with a wrong token: "+post(alice, token+"x"),
			"with another session's token: "+post(alice, malloryToken),
			"no session: "+post(newBrowser(t), token),
		)
		return out
	}
	want := steps(t, csrfApp(sessions.Sessions("mysession", cookie.NewStore([]byte("secret")))))
	got := steps(t, csrfApp(gincontrib.Sessions("mysession", newMemstore(t))))
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("adapter: %s; gin-contrib: %s", got[i], want[i])
		}
	}
	if !strings.HasSuffix(got[0], "CSRF token is valid") || !strings.HasPrefix(strings.SplitN(got[2], ": ", 2)[1], "Internal Server Error") {
		t.Errorf("gin-csrf did not pass the token and refuse its absence: %q", got)
	}
}
