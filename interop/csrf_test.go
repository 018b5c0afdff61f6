package interop

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/csrf"
)

// The csrf tests render a form on one side and post it to the other:
// Django's CsrfViewMiddleware (driven by django.test.Client) and package
// csrf, sharing the secret through a django_session row (CSRF_USE_SESSIONS)
// or through the csrftoken cookie.

// pyCSRFPage is Django's GET /form/: the token {% csrf_token %} wrote, the
// cookies it set, and what the session holds under _csrftoken.
type pyCSRFPage struct {
	Status  int               `json:"status"`
	Token   string            `json:"token"`
	Cookies map[string]string `json:"cookies"`
	Stored  *string           `json:"stored"`
}

// pyCSRFPost is Django's answer to POST /form/.
type pyCSRFPost struct {
	Status  int      `json:"status"`
	Reasons []string `json:"reasons"`
}

// csrfSide is one storage on both sides: the Go service and Django's
// settings.
type csrfSide struct {
	d           djangoDB
	useSessions bool
	r           *gin.Engine
}

func newCSRFSide(t *testing.T, useSessions bool) csrfSide {
	t.Helper()
	d := newDjangoDB(t, sqliteDB)
	r := gin.New()
	if useSessions {
		r.Use(ginsession.New(d.store, ginsession.WithCodec(ginsession.DjangoCodec(secret)), ginsession.WithSecretKey(secret)), csrf.New())
	} else {
		r.Use(csrf.New(csrf.WithCookieStorage())) // no session at all
	}
	r.GET("/form", func(c *gin.Context) {
		tok, err := csrf.Token(c)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, tok)
	})
	r.POST("/form", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	// auth.Login, then the next page's token.
	r.POST("/login", func(c *gin.Context) {
		if err := auth.Login(c, djangoUser{ID: 42, Password: "pbkdf2_sha256$260000$salt$hash"}, ""); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		tok, err := csrf.Token(c)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, tok)
	})
	return csrfSide{d: d, useSessions: useSessions, r: r}
}

// goGet is the Go side's GET /form with the cookies: the token and the
// cookies set.
func (s csrfSide) goGet(t *testing.T, cookies map[string]string) (string, map[string]string) {
	t.Helper()
	code, body, set := s.goDo(t, http.MethodGet, cookies, nil, nil)
	if code != http.StatusOK || len(body) != csrf.TokenLength {
		t.Fatalf("Go GET /form: %d %q", code, body)
	}
	return body, set
}

func (s csrfSide) goDo(t *testing.T, method string, cookies map[string]string, form url.Values, header map[string]string) (int, string, map[string]string) {
	t.Helper()
	return s.goDoPath(t, method, "/form", cookies, form, header)
}

func (s csrfSide) goDoPath(t *testing.T, method, path string, cookies map[string]string, form url.Values, header map[string]string) (int, string, map[string]string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	w := httptest.NewRecorder()
	s.r.ServeHTTP(w, req)
	set := map[string]string{}
	for _, c := range w.Result().Cookies() {
		set[c.Name] = c.Value
	}
	return w.Code, w.Body.String(), set
}

func (s csrfSide) djangoGet(t *testing.T, cookies map[string]string) pyCSRFPage {
	t.Helper()
	var page pyCSRFPage
	s.d.env.runScript(t, "csrf_side.py", "csrf_get", s.pyRequest(cookies, nil), &page)
	if page.Status != http.StatusOK || len(page.Token) != csrf.TokenLength {
		t.Fatalf("Django's GET /form/: %+v", page)
	}
	return page
}

func (s csrfSide) djangoPost(t *testing.T, cookies map[string]string, token string, header bool) pyCSRFPost {
	t.Helper()
	var res pyCSRFPost
	s.d.env.runScript(t, "csrf_side.py", "csrf_post", s.pyRequest(cookies, map[string]any{"token": token, "header": header}), &res)
	return res
}

func (s csrfSide) pyRequest(cookies map[string]string, extra map[string]any) map[string]any {
	req := map[string]any{"use_sessions": s.useSessions, "session_key": cookies["sessionid"]}
	if v, ok := cookies["csrftoken"]; ok {
		req["csrftoken"] = v
	}
	for k, v := range extra {
		req[k] = v
	}
	return req
}

// otherToken is a well-formed token for a secret neither side holds.
var otherToken = strings.Repeat("a", csrf.TokenLength)

func eachCSRFStorage(t *testing.T, test func(t *testing.T, s csrfSide)) {
	needDjango(t)
	for _, useSessions := range []bool{true, false} {
		name := "cookie"
		if useSessions {
			name = "session"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, newCSRFSide(t, useSessions))
		})
	}
}

func TestAFormDjangoRenderedIsAcceptedByGin(t *testing.T) {
	eachCSRFStorage(t, func(t *testing.T, s csrfSide) {
		page := s.djangoGet(t, nil)
		cookies := page.Cookies
		if s.useSessions {
			if cookies["sessionid"] == "" || page.Stored == nil {
				t.Fatalf("Django stored no secret in a session: %+v", page)
			}
		} else if len(cookies["csrftoken"]) != csrf.TokenLength {
			t.Fatalf("Django set no csrftoken cookie: %+v", page)
		}
		form := func(tok string) url.Values { return url.Values{"csrfmiddlewaretoken": {tok}, "name": {"value"}} }
		if code, body, _ := s.goDo(t, http.MethodPost, cookies, form(page.Token), nil); code != http.StatusOK {
			t.Errorf("Gin refused Django's form token: %d %q", code, body)
		}
		if code, body, _ := s.goDo(t, http.MethodPost, cookies, nil, map[string]string{"X-CSRFToken": page.Token}); code != http.StatusOK {
			t.Errorf("Gin refused Django's token in the header: %d %q", code, body)
		}
		if code, _, _ := s.goDo(t, http.MethodPost, cookies, form(otherToken), nil); code != http.StatusForbidden {
			t.Errorf("Gin took a token of another secret: %d", code)
		}
		// A page Gin renders for the same browser carries the same secret:
		// Django takes its token, and Gin did not replace the secret.
		tok, set := s.goGet(t, cookies)
		if v, ok := set["csrftoken"]; ok && v != cookies["csrftoken"] {
			t.Errorf("Gin replaced Django's cookie %q with %q", cookies["csrftoken"], v)
		}
		if res := s.djangoPost(t, cookies, tok, false); res.Status != http.StatusOK {
			t.Errorf("Django refused Gin's token for its own secret: %+v", res)
		}
	})
}

func TestAFormGinRenderedIsAcceptedByDjango(t *testing.T) {
	eachCSRFStorage(t, func(t *testing.T, s csrfSide) {
		tok, cookies := s.goGet(t, nil)
		if s.useSessions {
			if cookies["sessionid"] == "" {
				t.Fatalf("Gin set no session cookie: %v", cookies)
			}
			page := s.djangoGet(t, cookies)
			if page.Stored == nil || len(*page.Stored) != csrf.TokenLength {
				t.Fatalf("Django reads _csrftoken %v from Gin's session, want the masked form Django 3.2 writes", page.Stored)
			}
		} else if len(cookies["csrftoken"]) != csrf.TokenLength {
			t.Fatalf("Gin set no csrftoken cookie: %v", cookies)
		}
		if res := s.djangoPost(t, cookies, tok, false); res.Status != http.StatusOK {
			t.Errorf("Django refused Gin's form token: %+v", res)
		}
		if res := s.djangoPost(t, cookies, tok, true); res.Status != http.StatusOK {
			t.Errorf("Django refused Gin's token in X-CSRFToken: %+v", res)
		}
		res := s.djangoPost(t, cookies, otherToken, false)
		if res.Status != http.StatusForbidden || len(res.Reasons) == 0 || !strings.Contains(res.Reasons[0], "CSRF token") {
			t.Errorf("Django took a token of another secret: %+v", res)
		}
		// Django's page for the same browser: Gin takes its token.
		page := s.djangoGet(t, cookies)
		for k, v := range page.Cookies {
			cookies[k] = v
		}
		form := url.Values{"csrfmiddlewaretoken": {page.Token}}
		if code, body, _ := s.goDo(t, http.MethodPost, cookies, form, nil); code != http.StatusOK {
			t.Errorf("Gin refused Django's token for Gin's secret: %d %q", code, body)
		}
	})
}

// A login on the Gin side gives the shared session a new secret, as
// Django's login does: Django then refuses the token a page gave before
// the login and takes the one after it.
func TestAfterAGinLoginDjangoRefusesTheTokenFromBefore(t *testing.T) {
	needDjango(t)
	t.Parallel()
	s := newCSRFSide(t, true)
	before, cookies := s.goGet(t, nil)
	code, after, set := s.goDoPath(t, http.MethodPost, "/login", cookies, url.Values{"csrfmiddlewaretoken": {before}}, nil)
	if code != http.StatusOK || set["sessionid"] == "" || set["sessionid"] == cookies["sessionid"] {
		t.Fatalf("Go login: %d %q, cookies %v", code, after, set)
	}
	cookies = set
	res := s.djangoPost(t, cookies, before, false)
	if res.Status != http.StatusForbidden || len(res.Reasons) == 0 || !strings.Contains(res.Reasons[0], "CSRF token") {
		t.Errorf("Django took the token from before the login: %+v", res)
	}
	if res := s.djangoPost(t, cookies, after, false); res.Status != http.StatusOK {
		t.Errorf("Django refused the token from after the login: %+v", res)
	}
}
