package csrf_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/csrf"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
)

func init() { gin.SetMode(gin.TestMode) }

const secretKey = "test-secret-key-for-csrf-tests-0123456789"

// Django's test vectors (tests/csrf_tests): a secret and two masked forms
// of it.
const (
	testSecret    = "lcccccccX2kcccccccY2jcccccccssIC"
	maskedSecret1 = "1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD"
	maskedSecret2 = "2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nhBbYqmqZYbAV3V5Bf"
)

// storage is one of the two storages a behaviour is checked on.
type storage struct {
	name string
	opts []csrf.Option
}

var storages = []storage{
	{"session", nil},
	{"cookie", []csrf.Option{csrf.WithCookieStorage()}},
}

// testUser is what auth.Login needs.
type testUser struct{ id string }

func (u testUser) SessionAuthID() string { return u.id }
func (u testUser) PasswordHash() string  { return "pbkdf2_sha256$260000$salt$" + u.id }

// site is a Gin app behind ginsession and csrf, with a log of its own.
type site struct {
	r    *gin.Engine
	logs testenv.LogBuffer // csrf's, ginsession's and Gin's access log
	mu   sync.Mutex
	ran  []string // the handlers that ran, in order
}

func (s *site) log() string { return s.logs.String() }

func (s *site) handled(name string) gin.HandlerFunc {
	return func(c *gin.Context) {
		s.mu.Lock()
		s.ran = append(s.ran, name)
		s.mu.Unlock()
		c.String(http.StatusOK, "ok")
	}
}

// newSite serves:
//
//	GET  /form          a token, from csrf.Token
//	GET  /field         csrf.Field's input
//	GET  /plant?v=      the session's _csrftoken set to v (the session storage's "cookie")
//	POST|PUT|DELETE /form, POST /exempt (csrf.Exempt), POST /api/thing (csrf.HeaderOnly)
//	POST /login?id=     auth.Login, then a fresh token; POST /logout: auth.Logout
func newSite(t *testing.T, opts ...csrf.Option) *site {
	t.Helper()
	store, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	s := &site{r: gin.New()}
	logger := s.logs.Logger()
	s.r.Use(gin.LoggerWithWriter(&s.logs), ginsession.New(store, ginsession.WithSecretKey(secretKey), ginsession.WithLogger(logger)),
		csrf.New(append([]csrf.Option{csrf.WithLogger(logger)}, opts...)...))
	token := func(c *gin.Context) {
		tok, err := csrf.Token(c)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, tok)
	}
	s.r.GET("/form", token)
	s.r.GET("/field", func(c *gin.Context) {
		f, err := csrf.Field(c)
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, string(f))
	})
	s.r.GET("/plant", func(c *gin.Context) {
		ginsession.From(c).Set(csrf.SessionKey, c.Query("v"))
		c.String(http.StatusOK, "planted")
	})
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
		s.r.Handle(m, "/form", s.handled(m+" /form"))
	}
	s.r.POST("/exempt", csrf.Exempt, s.handled("exempt"))
	s.r.GET("/exempt", csrf.Exempt, token)
	api := s.r.Group("/api", csrf.HeaderOnly)
	api.POST("/thing", s.handled("api"))
	s.r.POST("/login", func(c *gin.Context) {
		if err := auth.Login(c, testUser{c.Query("id")}, ""); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		token(c)
	})
	s.r.POST("/logout", func(c *gin.Context) {
		if err := auth.Logout(c); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "bye")
	})
	return s
}

// browser keeps cookies between requests to one site, as a browser does.
type browser struct {
	t       *testing.T
	s       *site
	cookies map[string]string
}

func (s *site) browser(t *testing.T) *browser {
	return &browser{t: t, s: s, cookies: map[string]string{}}
}

// req describes one request beyond its method and path.
type req struct {
	form     url.Values
	header   map[string]string
	host     string // default "www.example.com"
	https    bool
	noCookie bool
}

// answer is a response as the tests look at it.
type answer struct {
	code    int
	body    string
	header  http.Header
	cookies []*http.Cookie
}

func (b *browser) do(method, path string, r req) answer {
	b.t.Helper()
	var body *strings.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	} else {
		body = strings.NewReader("")
	}
	hr := httptest.NewRequest(method, path, body)
	hr.Host = "www.example.com"
	if r.host != "" {
		hr.Host = r.host
	}
	if r.https {
		hr.TLS = &tls.ConnectionState{}
	}
	if r.form != nil {
		hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range r.header {
		hr.Header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	if !r.noCookie {
		for k, v := range b.cookies {
			hr.AddCookie(&http.Cookie{Name: k, Value: v})
		}
	}
	w := httptest.NewRecorder()
	b.s.r.ServeHTTP(w, hr)
	res := w.Result()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 {
			delete(b.cookies, ck.Name)
		} else {
			b.cookies[ck.Name] = ck.Value
		}
	}
	return answer{code: w.Code, body: w.Body.String(), header: res.Header, cookies: res.Cookies()}
}

// token visits /form and returns the page's token.
func (b *browser) token() string {
	b.t.Helper()
	a := b.do(http.MethodGet, "/form", req{})
	if a.code != http.StatusOK || len(a.body) != csrf.TokenLength {
		b.t.Fatalf("GET /form: %d %q", a.code, a.body)
	}
	return a.body
}

// plant stores v as the request's stored secret, in the session or in the
// cookie.
func (b *browser) plant(st storage, v string) {
	b.t.Helper()
	if len(st.opts) > 0 {
		b.cookies[csrf.DefaultCookieName] = v
		return
	}
	if a := b.do(http.MethodGet, "/plant?v="+url.QueryEscape(v), req{}); a.code != http.StatusOK {
		b.t.Fatalf("plant: %d %q", a.code, a.body)
	}
}

// post sends the form with the token in the form field.
func (b *browser) post(path, token string, r req) answer {
	b.t.Helper()
	r.form = url.Values{"csrfmiddlewaretoken": {token}, "name": {"value"}}
	return b.do(http.MethodPost, path, r)
}

// forbidden fails the test unless a is a 403 and the site's last refusal
// logged reason.
func (s *site) forbidden(t *testing.T, a answer, reason string) {
	t.Helper()
	if a.code != http.StatusForbidden {
		t.Fatalf("status %d (%q), want 403 for %q", a.code, a.body, reason)
	}
	last := ""
	for line := range strings.Lines(s.log()) {
		if strings.Contains(line, "csrf: Forbidden (") {
			last = line
		}
	}
	if !strings.Contains(last, "csrf: Forbidden ("+reason+"): ") {
		t.Fatalf("the last refusal logged is %q, want the reason %q", last, reason)
	}
}

// allowed fails the test unless a is the handler's 200.
func allowed(t *testing.T, a answer) {
	t.Helper()
	if a.code != http.StatusOK {
		t.Fatalf("status %d (%q), want 200", a.code, a.body)
	}
}
