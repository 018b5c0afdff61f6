package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReauthenticationInChromium starts the site with a short -reauth-age
// and lets the login grow older than it: "sign out all other devices" and
// the password change each ask for the password first and do nothing
// before it is given; once it is, both go through.
func TestReauthenticationInChromium(t *testing.T) {
	needChromium(t)
	// Long enough for a few clicks after the password on a loaded machine.
	const age = 5 * time.Second
	stale := func() { time.Sleep(age + 1500*time.Millisecond) }
	u := startExampleApp(t, "sqlite", "-reauth-age", age.String())
	here, there := newChromium(t), newChromium(t)
	for _, b := range []context.Context{here, there} {
		step(t, b, "log in",
			chromedp.Navigate(u+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), "alice"),
			chromedp.SendKeys(chromedp.CSS("#password"), "wonderland"),
			chromedp.Click(chromedp.CSS("#submit")),
			chromedp.WaitVisible(chromedp.CSS("#user-id")),
		)
	}
	where := func(ctx context.Context, who string) string {
		t.Helper()
		step(t, ctx, who+" opens the profile", chromedp.Navigate(u+"/profile"), chromedp.WaitVisible(chromedp.CSS("#user-id, #username")))
		return read(t, ctx, who+" reads the location", chromedp.Location())
	}
	confirm := func(password string) {
		t.Helper()
		step(t, here, "type the password again",
			chromedp.SendKeys(chromedp.CSS("#reauth-password"), password),
			chromedp.Click(chromedp.CSS("#confirm")),
		)
	}

	stale()
	step(t, here, "sign out all other devices with an old login",
		chromedp.Navigate(u+"/devices"),
		chromedp.WaitVisible(chromedp.CSS("#end-others")),
		chromedp.Click(chromedp.CSS("#end-others")),
		chromedp.WaitVisible(chromedp.CSS("#reauth-password")),
	)
	if loc := read(t, here, "read the location", chromedp.Location()); !strings.Contains(loc, "/reauth?next=%2Fdevices%2Fend-others") {
		t.Fatalf("sign out all other devices with an old login went to %q, want the reauth page", loc)
	}
	if loc := where(there, "the other browser"); !strings.HasSuffix(loc, "/profile") {
		t.Fatalf("the other browser was signed out before the password was given (%q)", loc)
	}
	confirm("not-the-password")
	step(t, here, "see the refusal", chromedp.WaitVisible(chromedp.CSS(".error")))
	confirm("wonderland")
	step(t, here, "sign out all other devices",
		chromedp.WaitVisible(chromedp.CSS("#end-others")),
		chromedp.Click(chromedp.CSS("#end-others")),
		chromedp.WaitNotPresent(chromedp.CSS("#end-others")), // no other device left to sign out
	)
	if loc := where(there, "the other browser"); !strings.Contains(loc, "/login?next=%2Fprofile") {
		t.Fatalf("the other browser is at %q after the sign-out, want the login page", loc)
	}

	stale()
	step(t, here, "open the password form with an old proof",
		chromedp.Navigate(u+"/password"),
		chromedp.WaitVisible(chromedp.CSS("#reauth-password")),
	)
	confirm("wonderland")
	step(t, here, "change the password",
		chromedp.WaitVisible(chromedp.CSS("#current_password")),
		chromedp.SendKeys(chromedp.CSS("#current_password"), "wonderland"),
		chromedp.SendKeys(chromedp.CSS("#new_password"), "looking-glass"),
		chromedp.SendKeys(chromedp.CSS("#confirm_password"), "looking-glass"),
		chromedp.Click(chromedp.CSS("#change")),
		chromedp.WaitVisible(chromedp.CSS("#user-id")),
	)
	if flash := read(t, here, "read the message", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "Password changed") {
		t.Fatalf("after the password change the page says %q", flash)
	}
}
