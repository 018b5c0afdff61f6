package e2e_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestAFormPostedFromAnotherOriginIsRefused has a logged-in Chromium open an
// attacker's page that posts the site's logout and password forms: from
// another port of the same host (same site, so the browser sends the
// SameSite=Lax session cookie: only the CSRF check stands in the way) and
// from another site (localhost). Each post gets the 403, and the user is
// still logged in with the old password.
func TestAFormPostedFromAnotherOriginIsRefused(t *testing.T) {
	needChromium(t)
	site := startExampleApp(t, "memory") // http://127.0.0.1:port

	// The attacker's pages: one form each, posted by a click.
	evil := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action, fields := site+"/logout", ""
		if r.URL.Path == "/password" {
			action = site + "/password"
			fields = `<input type="hidden" name="current_password" value="wonderland">` +
				`<input type="hidden" name="new_password" value="hijacked-pw">` +
				`<input type="hidden" name="confirm_password" value="hijacked-pw">`
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><form method="post" action="%s">%s<input type="hidden" name="csrfmiddlewaretoken" value="%s"><button id="win">Claim your prize</button></form>`,
			action, fields, strings.Repeat("a", 64))
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	evil.Listener = l
	evil.Start()
	t.Cleanup(evil.Close)
	port := l.Addr().(*net.TCPAddr).Port

	b := newChromium(t)
	step(t, b, "log in",
		chromedp.Navigate(site+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "alice"),
		chromedp.SendKeys(chromedp.CSS("#password"), "wonderland"),
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#user-id")),
	)
	for _, attacker := range []struct{ name, origin string }{
		{"another port of this host (same site)", fmt.Sprintf("http://127.0.0.1:%d", port)},
		{"another site", fmt.Sprintf("http://localhost:%d", port)},
	} {
		for _, form := range []string{"/logout", "/password"} {
			step(t, b, "open the attacker's page on "+attacker.name,
				chromedp.Navigate(attacker.origin+form),
				chromedp.WaitVisible(chromedp.CSS("#win")),
				chromedp.Click(chromedp.CSS("#win")),
			)
			landed := waitForLocation(t, b, site+form)
			body := read(t, b, "read the answer", chromedp.Text(chromedp.CSS("body")))
			if !strings.Contains(body, "CSRF verification failed") {
				t.Errorf("%s posting %s: at %s the page says %q, want the CSRF refusal", attacker.name, form, landed, body)
			}
		}
	}
	step(t, b, "open the profile", chromedp.Navigate(site+"/profile"), chromedp.WaitVisible(chromedp.CSS("#user-id")))
	if got := read(t, b, "read the user", chromedp.Text(chromedp.CSS("#user-id"))); got != "1" {
		t.Fatalf("after the attacks the profile shows user %q, want alice (1)", got)
	}
	// The site's own forms still work: the password is still wonderland.
	step(t, b, "change the password with the site's form",
		chromedp.Navigate(site+"/password"),
		chromedp.WaitVisible(chromedp.CSS("#current_password")),
		chromedp.SendKeys(chromedp.CSS("#current_password"), "wonderland"),
		chromedp.SendKeys(chromedp.CSS("#new_password"), "looking-glass"),
		chromedp.SendKeys(chromedp.CSS("#confirm_password"), "looking-glass"),
		chromedp.Click(chromedp.CSS("#change")),
		chromedp.WaitVisible(chromedp.CSS("#user-id")),
	)
	if flash := read(t, b, "read the message", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "Password changed") {
		t.Errorf("the site's own password form says %q", flash)
	}
}

// waitForLocation waits until the browser's page is want, loaded (a
// form's navigation goes on after the click returns), and returns its
// location. Reads that meet the navigation half-way are tried again.
func waitForLocation(t *testing.T, ctx context.Context, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	loc := ""
	for time.Now().Before(deadline) {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		state, err := chromedp.Run(tctx, chromedp.Evaluate[string](`document.readyState`))
		if err == nil && state == "complete" {
			loc, err = chromedp.Run(tctx, chromedp.Location())
		}
		cancel()
		if err == nil && loc == want {
			return loc
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the browser is at %q, want %s", loc, want)
	return ""
}
