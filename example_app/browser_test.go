package main

import (
	"bytes"
	"context"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package puts the browser
// (.ci/setup.d/30-chromium.sh installs it).
const chromiumPath = "/usr/bin/chromium"

// newChromium starts one headless browser with its own profile directory, so
// two of them share no cookies, and returns a tab context that lives until
// the test ends.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1000, 720),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// The first Run starts the browser; it must not run under a timeout.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// step runs actions with a deadline, failing the test with what was being
// done.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// read runs one action that returns a value, with a deadline.
func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// sessionCookie returns the browser's session cookie for url, or nil.
func sessionCookie(t *testing.T, ctx context.Context, url string) *network.Cookie {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	res, err := chromedp.Call(tctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		t.Fatalf("read cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == "sessionid" {
			return c
		}
	}
	return nil
}

// TestInABrowser drives two real, independent browsers through the site:
// the counter, login, the cookie's attributes, a password change that logs
// the other browser out, and logout.
func TestInABrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is missing at %s; .ci/setup.d/30-chromium.sh should have installed it", chromiumPath)
		}
		t.Skipf("chromium is not installed at %s (apt-get install chromium); skipping the browser test", chromiumPath)
	}
	start := time.Now()
	s, err := newServer(testConfig(t, "file"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv := httptest.NewServer(s) // on 127.0.0.1
	defer srv.Close()
	u := srv.URL

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
	anonymous := sessionCookie(t, alice, u)
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
	ck := sessionCookie(t, alice, u)
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
		if err := os.WriteFile(filepath.Join("screenshot.png"), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A second, independent browser logs in as the same user.
	login(other, "the second browser")
	if sessionCookie(t, other, u).Value == ck.Value {
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
	if c := sessionCookie(t, alice, u); c != nil && c.Value == ck.Value {
		t.Error("the logged-out session's cookie is still in the browser")
	}
	step(t, alice, "open the profile", chromedp.Navigate(u+"/profile"), chromedp.WaitVisible(chromedp.CSS("#username")))
	t.Logf("browser test took %v", time.Since(start).Round(time.Millisecond))
}
