package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ginsession/ginsession/internal/redirecttest"
)

// The example site (../example_app) in real Chromium browsers.

// TestInABrowser drives two real, independent browsers through the site:
// the counter, login, the cookie's attributes, a password change that logs
// the other browser out, and logout.
func TestInABrowser(t *testing.T) {
	needChromium(t)
	start := time.Now()
	u := startExampleApp(t, "file") // on 127.0.0.1

	alice := newChromium(t)
	other := newChromium(t)

	// The counter lives in the session and survives reloads.
	step(t, alice, "open the home page", chromedp.Navigate(u+"/"))
	if got := read(t, alice, "read the counter", chromedp.Text(chromedp.CSS("#visits"))); got != "1" {
		t.Fatalf("first visit shows %q", got)
	}
	step(t, alice, "reload", chromedp.Reload())
	step(t, alice, "reload", chromedp.Reload())
	if got := read(t, alice, "read the counter", chromedp.Text(chromedp.CSS("#visits"))); got != "3" {
		t.Fatalf("after two reloads the counter shows %q, want 3", got)
	}
	anonymous := browserSessionCookie(t, alice, u)
	if anonymous == nil {
		t.Fatal("no session cookie after visiting the home page")
	}

	login := func(ctx context.Context, who string) {
		t.Helper()
		step(t, ctx, who+" logs in",
			chromedp.Navigate(u+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), "alice"),
			chromedp.SendKeys(chromedp.CSS("#password"), "wonderland"),
			chromedp.Click(chromedp.CSS("#submit")),
			chromedp.WaitVisible(chromedp.CSS("#user-id")),
		)
	}
	login(alice, "the first browser")
	if got := read(t, alice, "read the user id", chromedp.Text(chromedp.CSS("#user-id"))); got != "1" {
		t.Fatalf("profile shows user %q, want 1", got)
	}
	if got := read(t, alice, "read the visits", chromedp.Text(chromedp.CSS("#visits"))); got != "3" {
		t.Errorf("the counter was not kept through login: %q", got)
	}
	ck := browserSessionCookie(t, alice, u)
	if ck == nil {
		t.Fatal("no session cookie after login")
	}
	if ck.Value == anonymous.Value {
		t.Error("the session key did not change at login")
	}
	if !ck.HTTPOnly {
		t.Error("the session cookie is readable by JavaScript (not HttpOnly)")
	}
	if ck.SameSite != network.CookieSameSiteLax {
		t.Errorf("SameSite = %q, want Lax", ck.SameSite)
	}
	if ck.Session {
		t.Error("remember me was checked, yet the cookie ends with the browser")
	}
	shown := read(t, alice, "read the key prefix", chromedp.Text(chromedp.CSS("#session-key")))
	if shown != ck.Value[:6]+"…" {
		t.Errorf("profile shows key %q, want the first 6 characters of the cookie", shown)
	}
	shot := read(t, alice, "screenshot the profile", chromedp.FullScreenshot(100))
	if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if os.Getenv("UPDATE_SCREENSHOT") != "" {
		if err := os.WriteFile(filepath.Join("..", "example_app", "screenshot.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A second, independent browser logs in as the same user.
	login(other, "the second browser")
	if browserSessionCookie(t, other, u).Value == ck.Value {
		t.Fatal("two browsers share a session")
	}

	// The first browser changes the password ...
	step(t, alice, "change the password",
		chromedp.Navigate(u+"/password"),
		chromedp.WaitVisible(chromedp.CSS("#current_password")),
		chromedp.SendKeys(chromedp.CSS("#current_password"), "wonderland"),
		chromedp.SendKeys(chromedp.CSS("#new_password"), "looking-glass"),
		chromedp.SendKeys(chromedp.CSS("#confirm_password"), "looking-glass"),
		chromedp.Click(chromedp.CSS("#change")),
		chromedp.WaitVisible(chromedp.CSS("#user-id")),
	)
	if flash := read(t, alice, "read the message", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "Password changed") {
		t.Errorf("after the change the profile says %q", flash)
	}
	// ... and stays logged in,
	step(t, alice, "reload the profile", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#user-id")))
	// ... while the second browser is logged out at its next request.
	step(t, other, "open the profile", chromedp.Navigate(u+"/profile"), chromedp.WaitVisible(chromedp.CSS("#username")))
	if loc := read(t, other, "read the location", chromedp.Location()); !strings.Contains(loc, "/login?next=%2Fprofile") {
		t.Errorf("the second browser is at %q, want the login page", loc)
	}

	// Logout clears the session.
	// The profile has a #visits too: wait for the home page's login link,
	// which only an anonymous page has.
	step(t, alice, "log out",
		chromedp.Click(chromedp.CSS("#logout")),
		chromedp.WaitVisible(chromedp.CSS(`nav a[href="/login"]`)),
	)
	if got := read(t, alice, "read the counter", chromedp.Text(chromedp.CSS("#visits"))); got != "1" {
		t.Errorf("after logout the counter shows %q, want a fresh session's 1", got)
	}
	if c := browserSessionCookie(t, alice, u); c != nil && c.Value == ck.Value {
		t.Error("the logged-out session's cookie is still in the browser")
	}
	step(t, alice, "open the profile", chromedp.Navigate(u+"/profile"), chromedp.WaitVisible(chromedp.CSS("#username")))
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}

// TestChromiumFollowsEveryLoginRedirectToThisSite has a real browser post
// the login form with every hostile next and follow the redirects: each
// must end on the site's own origin.
func TestChromiumFollowsEveryLoginRedirectToThisSite(t *testing.T) {
	needChromium(t)
	site := startExampleApp(t, "memory")

	ctx := newChromium(t)
	// The site's CSP forbids fetch (default-src 'none') and would block a
	// form's redirect off the site (form-action 'self'); bypass it so the
	// test sees where the redirect itself leads.
	cctx, cancelC := context.WithTimeout(ctx, 20*time.Second)
	_, err := chromedp.Call(cctx, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true})
	cancelC()
	if err != nil {
		t.Fatalf("bypass CSP: %v", err)
	}
	step(t, ctx, "open the login page", chromedp.Navigate(site+"/login"))
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
			// The login form's token, as the page would post it (login
			// rotates it, so each post takes a fresh page's).
			const page = await (await fetch("/login")).text();
			const token = page.match(/name="csrfmiddlewaretoken" value="([a-zA-Z0-9]{64})"/)[1];
			const body = new URLSearchParams({csrfmiddlewaretoken: token, username: "alice", password: "wonderland", next: next});
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
		if err != nil || u.Scheme+"://"+u.Host != site {
			t.Errorf("next=%q: chromium ended at %q, off %s", nexts[i], final, site)
		}
	}
}
