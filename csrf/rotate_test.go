package csrf_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/csrf"
	"github.com/ginsession/ginsession/stores/memstore"
)

func TestLoginRotatesTheSecretSoEarlierTokensFail(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			b := s.browser(t)
			before := b.token()
			a := b.post("/login?id=42", before, req{})
			allowed(t, a)
			after := a.body // a token Login's page made, after the rotation
			s.forbidden(t, b.post("/form", before, req{}), "CSRF token from POST incorrect.")
			allowed(t, b.post("/form", after, req{}))
			allowed(t, b.post("/form", b.token(), req{}))

			// Logging the same user in again rotates again, as Django's
			// login calls rotate_token every time.
			a = b.post("/login?id=42", after, req{})
			allowed(t, a)
			s.forbidden(t, b.post("/form", after, req{}), "CSRF token from POST incorrect.")
		})
	}
}

// A token planted in the victim's browser before login (login CSRF, or a
// token fixation) is worth nothing once the victim logs in.
func TestATokenKnownBeforeLoginIsWorthlessAfterIt(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			victim := s.browser(t)
			planted := victim.token()
			// The victim logs in through the form (with a page's token).
			allowed(t, victim.post("/login?id=7", victim.token(), req{}))
			s.forbidden(t, victim.post("/form", planted, req{}), "CSRF token from POST incorrect.")
		})
	}
}

func TestLogoutEndsTheSessionsSecret(t *testing.T) {
	s := newSite(t)
	b := s.browser(t)
	allowed(t, b.post("/login?id=42", b.token(), req{}))
	tok := b.token()
	allowed(t, b.post("/logout", tok, req{}))
	s.forbidden(t, b.post("/form", tok, req{}), "CSRF cookie not set.")
	// A new page gives a new secret.
	next := b.token()
	allowed(t, b.post("/form", next, req{}))
	s.forbidden(t, b.post("/form", tok, req{}), "CSRF token from POST incorrect.")
}

// With the cookie storage Django's logout leaves the csrftoken cookie: it is
// not the session's.
func TestLogoutLeavesTheCookieStoragesSecretAsDjangoDoes(t *testing.T) {
	s := newSite(t, storages[1].opts...)
	b := s.browser(t)
	tok := b.token()
	allowed(t, b.post("/logout", tok, req{}))
	allowed(t, b.post("/form", tok, req{}))
}

// Without the csrf middleware on the route, auth.Login still ends the
// session's secret (a Django site sharing the session may have set one).
func TestLoginWithoutTheMiddlewareDropsTheSessionsSecret(t *testing.T) {
	store, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithSecretKey(secretKey)))
	var before, after bool
	r.POST("/login", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set(csrf.SessionKey, maskedSecret1)
		before = s.Has(csrf.SessionKey)
		if err := auth.Login(c, testUser{"42"}, ""); err != nil {
			t.Error(err)
		}
		after = s.Has(csrf.SessionKey)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/login", nil))
	if !before || after {
		t.Errorf("the session held the secret before login: %v, after: %v", before, after)
	}
}
