package main

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

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
		u, err := redirecttest.Resolve(srv.URL+"/login", loc)
		if err != nil || u.Origin() != srv.URL {
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

// TestChromiumFollowsEveryLoginRedirectToThisSite has a real browser post
// the login form with every hostile next and follow the redirects: each
// must end on the site's own origin.
func TestChromiumFollowsEveryLoginRedirectToThisSite(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is missing at %s; .ci/setup.d/30-chromium.sh should have installed it", chromiumPath)
		}
		t.Skipf("chromium is not installed at %s (apt-get install chromium); skipping the browser test", chromiumPath)
	}
	s, err := newServer(testConfig(t, "memory"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv := httptest.NewServer(s)
	defer srv.Close()

	ctx := newChromium(t)
	// The site's CSP forbids fetch (default-src 'none') and would block a
	// form's redirect off the site (form-action 'self'); bypass it so the
	// test sees where the redirect itself leads.
	cctx, cancelC := context.WithTimeout(ctx, 20*time.Second)
	_, err = chromedp.Call(cctx, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true})
	cancelC()
	if err != nil {
		t.Fatalf("bypass CSP: %v", err)
	}
	step(t, ctx, "open the login page", chromedp.Navigate(srv.URL+"/login"))
	nexts := redirecttest.Hostile()
	arg, err := json.Marshal(nexts)
	if err != nil {
		t.Fatal(err)
	}
	// One login per next, in turn; the answer is where fetch ended after
	// following every redirect, or why it could not.
	script := `(async function(nexts) {
		const out = [];
		for (const next of nexts) {
			const body = new URLSearchParams({username: "alice", password: "wonderland", next: next});
			try {
				const r = await fetch("/login", {method: "POST", body: body, redirect: "follow"});
				out.push(r.url);
			} catch (e) {
				out.push("failed: " + e);
			}
		}
		return out;
	})(` + string(arg) + `)`
	tctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	finals, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("post the logins in chromium: %v", err)
	}
	if len(finals) != len(nexts) {
		t.Fatalf("chromium answered %d logins of %d", len(finals), len(nexts))
	}
	for i, final := range finals {
		u, err := url.Parse(final)
		if err != nil || u.Scheme+"://"+u.Host != srv.URL {
			t.Errorf("next=%q: chromium ended at %q, off %s", nexts[i], final, srv.URL)
		}
	}
}
