package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestTheProfileShowsWhenTheSessionEnds logs in in a real browser with and
// without "remember me" and reads, on the profile, when the session ends:
// 30 minutes after the last request (the example app's idle timeout), or
// two weeks for a remembered login.
func TestTheProfileShowsWhenTheSessionEnds(t *testing.T) {
	needChromium(t)
	u := startExampleApp(t, "memory")
	for _, tc := range []struct {
		name     string
		remember bool
		idle     string
		ends     time.Duration
	}{
		{"without remember me", false, "30 minutes", 30 * time.Minute},
		{"with remember me", true, "14 days", 14 * 24 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newChromium(t)
			login := []chromedp.Action[chromedp.Void]{
				chromedp.Navigate(u + "/login"),
				chromedp.WaitVisible(chromedp.CSS("#username")),
				chromedp.SendKeys(chromedp.CSS("#username"), "alice"),
				chromedp.SendKeys(chromedp.CSS("#password"), "wonderland"),
			}
			if !tc.remember {
				login = append(login, chromedp.Click(chromedp.CSS("#remember"))) // ticked by default
			}
			login = append(login, chromedp.Click(chromedp.CSS("#submit")), chromedp.WaitVisible(chromedp.CSS("#expires")))
			step(t, b, "log in", login...)
			checkEnd(t, b, tc.idle, tc.ends)

			// The end moves with each request.
			step(t, b, "reload the profile", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#expires")))
			checkEnd(t, b, tc.idle, tc.ends)
			ck := browserSessionCookie(t, b, u)
			if ck == nil || ck.Session == tc.remember {
				t.Errorf("remember me %v, session cookie %+v", tc.remember, ck)
			}
		})
	}
}

// checkEnd reads the profile's end of session and idle timeout.
func checkEnd(t *testing.T, b context.Context, idle string, ends time.Duration) {
	t.Helper()
	if got := read(t, b, "read the idle timeout", chromedp.Text(chromedp.CSS("#idle-timeout"))); got != idle {
		t.Errorf("the profile says the session ends %q after the last request, want %q", got, idle)
	}
	shown := read(t, b, "read the end of the session", chromedp.Text(chromedp.CSS("#expires")))
	at, err := time.Parse("Mon 2 Jan 2006 15:04 MST", shown)
	if err != nil {
		t.Fatalf("the profile shows the end as %q: %v", shown, err)
	}
	if want := time.Now().Add(ends); at.Before(want.Add(-2*time.Minute)) || at.After(want.Add(time.Minute)) {
		t.Errorf("the profile shows the end at %v, want about %v", at, want)
	}
}
