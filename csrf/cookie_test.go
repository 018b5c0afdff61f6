package csrf_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/csrf"
)

func TestTheCookieStorageSetsDjangosDefaultCookie(t *testing.T) {
	s := newSite(t, csrf.WithCookieStorage())
	a := s.browser(t).do(http.MethodGet, "/form", req{})
	if len(a.cookies) != 1 {
		t.Fatalf("Set-Cookie %q, want one csrftoken cookie (and no session)", a.header.Values("Set-Cookie"))
	}
	ck := a.cookies[0]
	if ck.Name != "csrftoken" || len(ck.Value) != csrf.TokenLength || ck.MaxAge != 31449600 || ck.Path != "/" ||
		ck.Domain != "" || ck.Secure || ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %q", a.header.Get("Set-Cookie"))
	}
	if ck.Value == a.body {
		t.Error("the page's token is the cookie's value")
	}
	if a.header.Get("Vary") != "Cookie" {
		t.Errorf("Vary %q", a.header.Values("Vary"))
	}
}

func TestTheCookieOptionsAreDjangosSettings(t *testing.T) {
	s := newSite(t, csrf.WithCookieStorage(), csrf.WithCookieName("csrfcookie"), csrf.WithCookieDomain(".example.com"),
		csrf.WithCookieAge(123*time.Second), csrf.WithCookiePath("/test/"), csrf.WithCookieSecure(true),
		csrf.WithCookieHTTPOnly(true), csrf.WithCookieSameSite(http.SameSiteStrictMode))
	a := s.browser(t).do(http.MethodGet, "/form", req{})
	got := a.header.Get("Set-Cookie")
	for _, want := range []string{"csrfcookie=", "Max-Age=123", "Path=/test/", "Domain=example.com", "Secure", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(got, want) {
			t.Errorf("Set-Cookie %q lacks %s", got, want)
		}
	}
	s = newSite(t, csrf.WithCookieStorage(), csrf.WithCookieAge(0))
	if got := s.browser(t).do(http.MethodGet, "/form", req{}).header.Get("Set-Cookie"); strings.Contains(got, "Max-Age") || strings.Contains(got, "Expires") {
		t.Errorf("a cookie of age 0 should end with the browser: %q", got)
	}
}

// Django re-sends the cookie whenever a page uses the token, so its year
// starts again; the value stays.
func TestAPageThatUsesTheTokenRenewsTheCookie(t *testing.T) {
	s := newSite(t, csrf.WithCookieStorage())
	b := s.browser(t)
	b.token()
	first := b.cookies["csrftoken"]
	a := b.do(http.MethodGet, "/form", req{})
	if len(a.cookies) != 1 || a.cookies[0].Value != first || a.cookies[0].MaxAge != 31449600 {
		t.Errorf("second page set %q, want the same cookie again", a.header.Values("Set-Cookie"))
	}
	// A page that does not use the token sets nothing.
	s.r.GET("/plain", s.handled("plain"))
	if a := b.do(http.MethodGet, "/plain", req{}); len(a.cookies) != 0 {
		t.Errorf("a page without a token set %q", a.header.Values("Set-Cookie"))
	}
}

func TestTokensBeforeAndAfterARotationSetOneCookie(t *testing.T) {
	s := newSite(t, csrf.WithCookieStorage())
	s.r.GET("/twice", func(c *gin.Context) {
		first, _ := csrf.Token(c)
		if err := csrf.Rotate(c); err != nil {
			t.Error(err)
		}
		second, _ := csrf.Token(c)
		c.String(http.StatusOK, first+" "+second)
	})
	b := s.browser(t)
	a := b.do(http.MethodGet, "/twice", req{})
	if n := len(a.header.Values("Set-Cookie")); n != 1 {
		t.Fatalf("%d Set-Cookie lines: %q", n, a.header.Values("Set-Cookie"))
	}
	first, second, _ := strings.Cut(a.body, " ")
	s.forbidden(t, b.post("/form", first, req{}), "CSRF token from POST incorrect.")
	allowed(t, b.post("/form", second, req{}))
}

func TestANewSecretAfterTheResponseWentOutIsAnError(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			var errs []error
			s.r.GET("/late", func(c *gin.Context) {
				c.String(http.StatusOK, "body first")
				_, err := csrf.Token(c)
				errs = append(errs, err)
				errs = append(errs, csrf.Rotate(c))
			})
			b := s.browser(t)
			b.do(http.MethodGet, "/late", req{})
			for _, err := range errs {
				if err != csrf.ErrTooLate {
					t.Errorf("got %v, want ErrTooLate", err)
				}
			}
			// With a secret stored already, a late Token still works.
			b.token()
			errs = nil
			s.r.GET("/late2", func(c *gin.Context) {
				c.String(http.StatusOK, "body first")
				tok, err := csrf.Token(c)
				errs = append(errs, err)
				c.String(http.StatusOK, tok)
			})
			a := b.do(http.MethodGet, "/late2", req{})
			if errs[0] != nil {
				t.Fatal(errs[0])
			}
			allowed(t, b.post("/form", strings.TrimPrefix(a.body, "body first"), req{}))
		})
	}
}

func TestTokenWithoutTheMiddlewareSaysSo(t *testing.T) {
	r := gin.New()
	var errs []error
	r.GET("/", func(c *gin.Context) {
		_, err := csrf.Token(c)
		_, ferr := csrf.Field(c)
		errs = append(errs, err, ferr)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	for _, err := range errs {
		if err != csrf.ErrNoMiddleware {
			t.Errorf("got %v, want ErrNoMiddleware", err)
		}
	}
}

func TestTheSessionStorageWithoutASessionPanicsWithTheFix(t *testing.T) {
	r := gin.New()
	r.Use(csrf.New())
	r.POST("/", func(*gin.Context) {})
	defer func() {
		if p := recover(); p == nil || !strings.Contains(p.(string), "register ginsession.New before csrf.New") {
			t.Fatalf("panic %v", p)
		}
	}()
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", nil))
}
