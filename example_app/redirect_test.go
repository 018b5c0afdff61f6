package main

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/ginsession/ginsession/internal/redirecttest"
)

var nextFieldRe = regexp.MustCompile(`name="next" value="([^"]*)"`)

// loginLocation logs alice in with next posted as the form's next field and
// returns where the redirect sends her.
func (b *browser) loginLocation(next string) string {
	b.t.Helper()
	p := b.post("/login", url.Values{"username": {"alice"}, "password": {"wonderland"}, "next": {next}})
	if p.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login with next=%q: %d, want 303 (%s)", next, p.StatusCode, errorText(p.body))
	}
	return p.Header.Get("Location")
}

// TestLoginNeverRedirectsOffTheSite posts every hostile next to the login,
// both directly and as the login page carries it from ?next= into its form,
// and resolves each redirect as a browser would.
func TestLoginNeverRedirectsOffTheSite(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	b := newBrowser(t, srv)
	onSite := func(next, how, loc string) {
		t.Helper()
		u, err := redirecttest.Resolve(b.c.BaseURL()+"/login", loc)
		if err != nil || u.Origin() != b.c.BaseURL() {
			t.Errorf("next=%q %s: Location %q takes the browser to %s (%v)", next, how, loc, u, err)
		}
	}
	for _, next := range redirecttest.Hostile() {
		onSite(next, "posted", b.loginLocation(next))

		form := b.get("/login?next=" + url.QueryEscape(next))
		m := nextFieldRe.FindStringSubmatch(form.body)
		if m == nil {
			t.Fatalf("next=%q: the login page has no next field", next)
		}
		carried := html.UnescapeString(m[1])
		onSite(next, "carried by the login page as "+carried, b.loginLocation(carried))
	}
	for _, l := range redirecttest.Legitimate() {
		if loc := b.loginLocation(l.Next); loc != l.Location {
			t.Errorf("next=%q: login redirected to %q, want %q", l.Next, loc, l.Location)
		}
	}
}
