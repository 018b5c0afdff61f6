package csrf_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/csrf"
)

// The cases of Django's tests/csrf_tests, each on both storages unless it
// is about one of them.

func TestNoStoredSecretIsRefusedWhateverTheToken(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			b := s.browser(t)
			// A token from another browser: valid in form, useless here.
			tok := s.browser(t).token()
			s.forbidden(t, b.post("/form", tok, req{}), "CSRF cookie not set.")
			s.forbidden(t, b.do(http.MethodPut, "/form", req{}), "CSRF cookie not set.")
			s.forbidden(t, b.do(http.MethodDelete, "/form", req{header: map[string]string{"X-CSRFToken": tok}}), "CSRF cookie not set.")
			if len(s.ran) != 0 {
				t.Errorf("handlers ran: %q", s.ran)
			}
		})
	}
}

func TestMissingOrBadTokensAreRefusedWithDjangosReasons(t *testing.T) {
	const header = "the 'X-Csrftoken' HTTP header"
	cases := []struct {
		name          string
		post, xheader *string
		reason        string
	}{
		{"no token at all", nil, nil, "CSRF token missing."},
		{"an empty form field and no header", ptr(""), nil, "CSRF token missing."},
		{"a short form token", ptr(strings.Repeat("a", 16)), nil, "CSRF token from POST has incorrect length."},
		{"a form token of bad characters", ptr(strings.Repeat("*", 64)), nil, "CSRF token from POST has invalid characters."},
		{"a form token for another secret", ptr(strings.Repeat("a", 64)), nil, "CSRF token from POST incorrect."},
		{"a bare secret that is not ours", ptr(strings.Repeat("a", 32)), nil, "CSRF token from POST incorrect."},
		{"a short header token", nil, ptr(strings.Repeat("a", 16)), "CSRF token from " + header + " has incorrect length."},
		{"an empty header", nil, ptr(""), "CSRF token from " + header + " has incorrect length."},
		{"a header token of bad characters", nil, ptr(strings.Repeat("*", 64)), "CSRF token from " + header + " has invalid characters."},
		{"a header token for another secret", nil, ptr(strings.Repeat("a", 64)), "CSRF token from " + header + " incorrect."},
	}
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			b := s.browser(t)
			b.token()
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					r := req{header: map[string]string{}}
					if tc.post != nil {
						r.form = map[string][]string{"csrfmiddlewaretoken": {*tc.post}}
					}
					if tc.xheader != nil {
						r.header["X-CSRFToken"] = *tc.xheader
					}
					s.forbidden(t, b.do(http.MethodPost, "/form", r), tc.reason)
				})
			}
			if len(s.ran) != 0 {
				t.Errorf("handlers ran: %q", s.ran)
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestACustomHeaderNameCarriesTheTokenAndNamesTheReason(t *testing.T) {
	s := newSite(t, csrf.WithHeaderName("X-CSRFToken-Customized"))
	b := s.browser(t)
	tok := b.token()
	s.forbidden(t, b.do(http.MethodPost, "/form", req{header: map[string]string{"X-CSRFToken-Customized": "aaaa"}}),
		"CSRF token from the 'X-Csrftoken-Customized' HTTP header has incorrect length.")
	s.forbidden(t, b.do(http.MethodPost, "/form", req{header: map[string]string{"X-CSRFToken": tok}}), "CSRF token missing.")
	allowed(t, b.do(http.MethodPost, "/form", req{header: map[string]string{"X-CSRFToken-Customized": tok}}))
}

func TestACustomFieldNameCarriesTheToken(t *testing.T) {
	s := newSite(t, csrf.WithFieldName("token"))
	b := s.browser(t)
	tok := b.token()
	s.forbidden(t, b.post("/form", tok, req{}), "CSRF token missing.")
	allowed(t, b.do(http.MethodPost, "/form", req{form: map[string][]string{"token": {tok}}}))
	if f := b.do(http.MethodGet, "/field", req{}).body; !strings.HasPrefix(f, `<input type="hidden" name="token" value="`) {
		t.Errorf("Field wrote %q", f)
	}
}

func TestAPageTokenPassesInTheFormOrTheHeaderForEveryUnsafeMethod(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			b := s.browser(t)
			allowed(t, b.post("/form", b.token(), req{}))
			for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch} {
				allowed(t, b.do(m, "/form", req{header: map[string]string{"X-CSRFToken": b.token()}}))
			}
			// A form field wins over the header, as in Django.
			s.forbidden(t, b.post("/form", strings.Repeat("a", 64), req{header: map[string]string{"X-CSRFToken": b.token()}}), "CSRF token from POST incorrect.")
			// PUT's body is not read for a token: only POST has form fields.
			s.forbidden(t, b.do(http.MethodPut, "/form", req{form: map[string][]string{"csrfmiddlewaretoken": {b.token()}}}), "CSRF token missing.")
		})
	}
}

func TestEveryPageGetsAFreshTokenForTheSameSecret(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			b := s.browser(t)
			seen := map[string]bool{}
			var tokens []string
			for range 20 {
				tok := b.token()
				if seen[tok] || seen[tok[csrf.SecretLength:]] {
					t.Fatalf("token or cipher %q repeats", tok)
				}
				seen[tok], seen[tok[csrf.SecretLength:]] = true, true
				tokens = append(tokens, tok)
			}
			stored := b.cookies[csrf.DefaultCookieName]
			for _, tok := range tokens {
				allowed(t, b.post("/form", tok, req{}))
			}
			if st.name == "cookie" && b.cookies[csrf.DefaultCookieName] != stored {
				t.Error("the cookie changed on an accepted request")
			}
		})
	}
}

// Django accepts every combination of a masked or bare stored secret and a
// masked or bare token, in the form or the header.
func TestMaskedAndBareSecretsAndTokensCombine(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			for _, stored := range []string{testSecret, maskedSecret1} {
				for _, tok := range []string{testSecret, maskedSecret2} {
					for _, inHeader := range []bool{false, true} {
						s := newSite(t, st.opts...)
						b := s.browser(t)
						b.plant(st, stored)
						var a answer
						if inHeader {
							a = b.do(http.MethodPost, "/form", req{header: map[string]string{"X-CSRFToken": tok}})
						} else {
							a = b.post("/form", tok, req{})
						}
						if a.code != http.StatusOK {
							t.Errorf("stored %s, token %s (header %v): %d %q\n%s", stored, tok, inHeader, a.code, a.body, s.log())
						}
					}
				}
			}
		})
	}
}

func TestAMalformedStoredSecretIsRefusedAndReplacedByTheNextPage(t *testing.T) {
	cases := []struct{ stored, reason string }{
		{strings.Repeat("*", 64), "CSRF cookie has invalid characters."},
		{strings.Repeat("a", 16), "CSRF cookie has incorrect length."},
		{"", "CSRF cookie has incorrect length."},
		{strings.Repeat("x", 100000), "CSRF cookie has incorrect length."},
	}
	for _, st := range storages {
		for _, tc := range cases {
			t.Run(st.name+"/"+tc.reason, func(t *testing.T) {
				s := newSite(t, st.opts...)
				b := s.browser(t)
				b.plant(st, tc.stored)
				// The token of a fresh page: the stored value is replaced.
				s.forbidden(t, b.post("/form", maskedSecret2, req{}), tc.reason)
				tok := b.token()
				if st.name == "cookie" {
					if v := b.cookies[csrf.DefaultCookieName]; len(v) != csrf.TokenLength || v == tc.stored {
						t.Fatalf("the cookie is %q after a page", v)
					}
				}
				allowed(t, b.post("/form", tok, req{}))
			})
		}
	}
}

func TestSafeMethodsAreNeverCheckedAndStoreNothing(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			s.r.HEAD("/form", s.handled("HEAD"))
			s.r.OPTIONS("/form", s.handled("OPTIONS"))
			s.r.Handle("TRACE", "/form", s.handled("TRACE"))
			s.r.GET("/page", s.handled("GET"))
			b := s.browser(t)
			hostile := req{header: map[string]string{"Origin": "https://evil.example.org", "Sec-Fetch-Site": "cross-site", "X-CSRFToken": "junk"}, https: true}
			for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions, "TRACE"} {
				path := "/form"
				if m == http.MethodGet {
					path = "/page"
				}
				a := b.do(m, path, hostile)
				allowed(t, a)
				if len(a.cookies) != 0 {
					t.Errorf("%s set cookies %v", m, a.cookies)
				}
			}
			if len(s.ran) != 4 {
				t.Errorf("handlers ran: %q", s.ran)
			}
		})
	}
}

func TestExemptRoutesAreNotCheckedButGetTokens(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			b := s.browser(t)
			allowed(t, b.do(http.MethodPost, "/exempt", req{header: map[string]string{"Origin": "https://evil.example.org", "Sec-Fetch-Site": "cross-site"}}))
			a := b.do(http.MethodGet, "/exempt", req{})
			allowed(t, a)
			allowed(t, b.post("/form", a.body, req{}))
			// The mark is the route's: its neighbour is checked.
			s.forbidden(t, b.do(http.MethodPost, "/form", req{}), "CSRF token missing.")
		})
	}
}

func TestAHeaderOnlyGroupTakesTheTokenFromTheHeaderOnly(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			b := s.browser(t)
			tok := b.token()
			s.forbidden(t, b.post("/api/thing", tok, req{}), "CSRF token missing.")
			allowed(t, b.do(http.MethodPost, "/api/thing", req{header: map[string]string{"X-CSRFToken": tok}}))
			// The other routes still take the form field.
			allowed(t, b.post("/form", tok, req{}))
		})
	}
}

func TestARefusalRunsTheFailureHandlerAndNoOtherHandler(t *testing.T) {
	var got []string
	s := newSite(t, csrf.WithFailureHandler(func(c *gin.Context, reason string) {
		got = append(got, reason)
		c.String(http.StatusTeapot, "no: "+reason)
	}))
	b := s.browser(t)
	a := b.do(http.MethodPost, "/form", req{})
	if a.code != http.StatusTeapot || a.body != "no: CSRF cookie not set." {
		t.Errorf("answer %d %q", a.code, a.body)
	}
	if len(got) != 1 || len(s.ran) != 0 {
		t.Errorf("failure handler saw %q; handlers ran %q", got, s.ran)
	}
}

func TestTheDefaultFailureAnswerIs403WithoutTheReason(t *testing.T) {
	s := newSite(t)
	a := s.browser(t).do(http.MethodPost, "/form", req{})
	if a.code != http.StatusForbidden || strings.Contains(a.body, "cookie") || !strings.Contains(a.body, "CSRF verification failed") {
		t.Errorf("answer %d %q", a.code, a.body)
	}
}
