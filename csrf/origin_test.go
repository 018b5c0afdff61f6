package csrf_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ginsession/ginsession/csrf"
)

// originCase is a POST with a valid token and the given headers.
type originCase struct {
	name    string
	opts    []csrf.Option
	host    string // default www.example.com
	https   bool
	headers map[string]string
	reason  string // "" when accepted
}

func runOriginCases(t *testing.T, cases []originCase) {
	t.Helper()
	for _, st := range storages {
		for _, tc := range cases {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				s := newSite(t, append(append([]csrf.Option{}, st.opts...), tc.opts...)...)
				b := s.browser(t)
				a := b.post("/form", b.token(), req{host: tc.host, https: tc.https, header: tc.headers})
				if tc.reason == "" {
					if a.code != http.StatusOK {
						t.Fatalf("refused: %d %q\n%s", a.code, a.body, s.log())
					}
					return
				}
				s.forbidden(t, a, tc.reason)
			})
		}
	}
}

func TestTheOriginHeaderMustBeThisSiteOrATrustedOrigin(t *testing.T) {
	trusted := csrf.WithTrustedOrigins("https://dashboard.example.com")
	wildcard := csrf.WithTrustedOrigins("https://*.example.com")
	runOriginCases(t, []originCase{
		{name: "another domain", headers: map[string]string{"Origin": "https://www.evil.org"},
			reason: "Origin checking failed - https://www.evil.org does not match any trusted origins."},
		{name: "a null origin", headers: map[string]string{"Origin": "null"},
			reason: "Origin checking failed - null does not match any trusted origins."},
		{name: "an empty origin", headers: map[string]string{"Origin": ""},
			reason: "Origin checking failed -  does not match any trusted origins."},
		{name: "http origin of an https site", https: true, headers: map[string]string{"Origin": "http://www.example.com"},
			reason: "Origin checking failed - http://www.example.com does not match any trusted origins."},
		{name: "https origin of an http site", headers: map[string]string{"Origin": "https://www.example.com"},
			reason: "Origin checking failed - https://www.example.com does not match any trusted origins."},
		{name: "another port", headers: map[string]string{"Origin": "http://www.example.com:8080"},
			reason: "Origin checking failed - http://www.example.com:8080 does not match any trusted origins."},
		{name: "an origin that does not parse", headers: map[string]string{"Origin": "https://["},
			reason: "Origin checking failed - https://[ does not match any trusted origins."},
		{name: "a trusted wildcard of another scheme", https: true,
			opts:    []csrf.Option{csrf.WithTrustedOrigins("http://no-match.com", "https://*.example.com", "http://*.no-match.com", "http://*.no-match-2.com")},
			headers: map[string]string{"Origin": "http://foo.example.com"},
			reason:  "Origin checking failed - http://foo.example.com does not match any trusted origins."},
		{name: "a malformed host and a foreign origin", host: "@malformed", https: true, headers: map[string]string{"Origin": "https://www.evil.org"},
			reason: "Origin checking failed - https://www.evil.org does not match any trusted origins."},
		{name: "a malformed host and its own origin", host: "@malformed", headers: map[string]string{"Origin": "http://@malformed"},
			reason: "Origin checking failed - http://@malformed does not match any trusted origins."},
		{name: "a subdomain without a trusted origin", https: true, headers: map[string]string{"Origin": "https://foo.example.com"},
			reason: "Origin checking failed - https://foo.example.com does not match any trusted origins."},
		{name: "an exact trusted origin does not trust its subdomains", https: true, opts: []csrf.Option{trusted},
			headers: map[string]string{"Origin": "https://a.dashboard.example.com"},
			reason:  "Origin checking failed - https://a.dashboard.example.com does not match any trusted origins."},
		{name: "a wildcard does not trust a look-alike domain", https: true, opts: []csrf.Option{wildcard},
			headers: map[string]string{"Origin": "https://evilexample.com"},
			reason:  "Origin checking failed - https://evilexample.com does not match any trusted origins."},

		{name: "its own origin over http", headers: map[string]string{"Origin": "http://www.example.com"}},
		{name: "its own origin over https", https: true, headers: map[string]string{"Origin": "https://www.example.com"}},
		{name: "its own origin with a port", host: "www.example.com:8443", https: true, headers: map[string]string{"Origin": "https://www.example.com:8443"}},
		{name: "a trusted origin", https: true, opts: []csrf.Option{trusted}, headers: map[string]string{"Origin": "https://dashboard.example.com"}},
		{name: "a wildcard's subdomain", https: true, opts: []csrf.Option{wildcard}, headers: map[string]string{"Origin": "https://foo.example.com"}},
		{name: "a wildcard's own domain", https: true, opts: []csrf.Option{wildcard}, headers: map[string]string{"Origin": "https://example.com"}},
		{name: "a wildcard's deeper subdomain", https: true, opts: []csrf.Option{wildcard}, headers: map[string]string{"Origin": "https://a.b.example.com"}},
		// Origin settles it: a bad Referer is not looked at.
		{name: "a good origin with a bad referer", https: true, headers: map[string]string{"Origin": "https://www.example.com", "Referer": "https://www.evil.org/"}},
		{name: "https behind a proxy that says so", opts: []csrf.Option{csrf.WithSecureProxyHeader("X-Forwarded-Proto", "https")},
			headers: map[string]string{"Origin": "https://www.example.com", "X-Forwarded-Proto": "https"}},
	})
}

func TestOverHTTPSWithoutOriginTheRefererMustBeAnHTTPSPageOfThisSite(t *testing.T) {
	const malformed = "Referer checking failed - Referer is malformed."
	runOriginCases(t, []originCase{
		{name: "no referer", https: true, reason: "Referer checking failed - no Referer."},
		{name: "another site", https: true, headers: map[string]string{"Referer": "https://www.evil.org/somepage"},
			reason: "Referer checking failed - https://www.evil.org/somepage does not match any trusted origins."},
		{name: "an insecure referer", https: true, headers: map[string]string{"Referer": "http://www.example.com/"},
			reason: "Referer checking failed - Referer is insecure while host is secure."},
		{name: "a doubled scheme", https: true, headers: map[string]string{"Referer": "http://http://www.example.com/"},
			reason: "Referer checking failed - Referer is insecure while host is secure."},
		{name: "an empty referer", https: true, headers: map[string]string{"Referer": ""}, reason: malformed},
		{name: "a non-ASCII referer", https: true, headers: map[string]string{"Referer": "ØBöIß"}, reason: malformed},
		{name: "no scheme", https: true, headers: map[string]string{"Referer": "//example.com/"}, reason: malformed},
		{name: "no host", https: true, headers: map[string]string{"Referer": "https://"}, reason: malformed},
		{name: "a referer that does not parse", https: true, headers: map[string]string{"Referer": "https://["}, reason: malformed},
		{name: "a malformed host", host: "@malformed", https: true, headers: map[string]string{"Referer": "https://www.evil.org/somepage"},
			reason: "Referer checking failed - https://www.evil.org/somepage does not match any trusted origins."},
		{name: "user info before the host", https: true, headers: map[string]string{"Referer": "https://evil@www.example.com/"},
			reason: "Referer checking failed - https://evil@www.example.com/ does not match any trusted origins."},
		{name: "a subdomain without the cookie domain", https: true, headers: map[string]string{"Referer": "https://foo.example.com/"},
			reason: "Referer checking failed - https://foo.example.com/ does not match any trusted origins."},
		{name: "the query is left out of the reason", https: true, headers: map[string]string{"Referer": "https://www.evil.org/p?csrfmiddlewaretoken=abc#frag"},
			reason: "Referer checking failed - https://www.evil.org/p does not match any trusted origins."},

		{name: "a page of this site", https: true, headers: map[string]string{"Referer": "https://www.example.com/somepage"}},
		{name: "this site without a slash", https: true, headers: map[string]string{"Referer": "https://www.example.com"}},
		{name: "a trusted origin", https: true, opts: []csrf.Option{csrf.WithTrustedOrigins("https://dashboard.example.com")},
			headers: map[string]string{"Referer": "https://dashboard.example.com"}},
		{name: "a trusted wildcard", https: true, opts: []csrf.Option{csrf.WithTrustedOrigins("https://*.example.com")},
			headers: map[string]string{"Referer": "https://dashboard.example.com"}},
		{name: "a trusted origin whatever the host", host: "@malformed", https: true, opts: []csrf.Option{csrf.WithTrustedOrigins("https://dashboard.example.com")},
			headers: map[string]string{"Referer": "https://dashboard.example.com/somepage"}},
		{name: "the cookie domain", https: true, opts: []csrf.Option{csrf.WithCookieDomain(".example.com")},
			headers: map[string]string{"Referer": "https://foo.example.com/"}},
		{name: "the cookie domain on the Host's port", host: "www.example.com:4443", https: true, opts: []csrf.Option{csrf.WithCookieDomain(".example.com")},
			headers: map[string]string{"Referer": "https://foo.example.com:4443/"}},
		// Plain HTTP has no Referer check (a network attacker could forge it).
		{name: "plain http without referer"},
		{name: "plain http with a foreign referer", headers: map[string]string{"Referer": "http://www.evil.org/"}},
	})
}

// Django's SERVER_PORT: with the cookie domain, the port the server
// accepted the connection on counts when Host names none.
func TestTheCookieDomainRefererTakesTheServersPort(t *testing.T) {
	s := newSite(t, csrf.WithCookieDomain(".example.com"))
	b := s.browser(t)
	tok := b.token()
	post := func(referer string) int {
		form := url.Values{"csrfmiddlewaretoken": {tok}}
		r := httptest.NewRequest(http.MethodPost, "https://www.example.com/form", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Referer", referer)
		for k, v := range b.cookies {
			r.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4443}))
		w := httptest.NewRecorder()
		s.r.ServeHTTP(w, r)
		return w.Code
	}
	if code := post("https://foo.example.com:4443/"); code != http.StatusOK {
		t.Errorf("a referer on the server's port: %d\n%s", code, s.log())
	}
	if code := post("https://foo.example.com/"); code != http.StatusForbidden {
		t.Errorf("a referer on another port: %d", code)
	}
}

func TestFetchMetadataRefusesCrossSiteRequestsBeforeTheToken(t *testing.T) {
	const crossSite = "Fetch Metadata checking failed - Sec-Fetch-Site is cross-site."
	runOriginCases(t, []originCase{
		// Refused though the token is valid and no Origin came.
		{name: "cross-site without origin", headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, reason: crossSite},
		{name: "cross-site with our own origin", headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://www.example.com"}, reason: crossSite},
		{name: "cross-site over https", https: true, headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Referer": "https://www.example.com/"}, reason: crossSite},
		// A trusted origin is the site's own decision: it passes on to the token.
		{name: "cross-site from a trusted origin", https: true, opts: []csrf.Option{csrf.WithTrustedOrigins("https://partner.example.net")},
			headers: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://partner.example.net"}},
		{name: "same-site from a trusted subdomain", https: true, opts: []csrf.Option{csrf.WithTrustedOrigins("https://*.example.com")},
			headers: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://app.example.com"}},
		{name: "same-site from an untrusted subdomain", https: true,
			headers: map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://app.example.com"},
			reason:  "Origin checking failed - https://app.example.com does not match any trusted origins."},
		{name: "same-origin", headers: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://www.example.com"}},
		{name: "none", headers: map[string]string{"Sec-Fetch-Site": "none"}},
	})
}

// same-origin is a claim any client can make: it never stands for a token.
func TestSameOriginNeverSkipsTheTokenCheck(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			b := s.browser(t)
			b.token()
			h := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "http://www.example.com"}
			s.forbidden(t, b.do(http.MethodPost, "/form", req{header: h}), "CSRF token missing.")
			s.forbidden(t, b.post("/form", strings.Repeat("a", 64), req{header: h}), "CSRF token from POST incorrect.")
			s.forbidden(t, b.do(http.MethodPost, "/form", req{header: h, noCookie: true}), "CSRF cookie not set.")
		})
	}
}

func TestATrustedOriginWithoutASchemePanicsInNew(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), `"example.com" has no scheme`) {
			t.Fatalf("New did not panic with the fix: %v", r)
		}
	}()
	csrf.New(csrf.WithTrustedOrigins("https://ok.example.com", "example.com"))
}
