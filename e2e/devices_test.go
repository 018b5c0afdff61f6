package e2e_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestDevicesInThreeBrowsers signs one user in from three real browsers,
// then, from the first, signs the newest other one out, and then all the
// others: each signed-out browser lands on the login page at its next
// click, the first stays signed in.
func TestDevicesInThreeBrowsers(t *testing.T) {
	needChromium(t)
	u := startExampleApp(t, "sqlite")
	first, second, third := newChromium(t), newChromium(t), newChromium(t)
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
	login(first, "the first browser")
	login(second, "the second browser")
	login(third, "the third browser")

	step(t, first, "open the devices page", chromedp.Navigate(u+"/devices"), chromedp.WaitVisible(chromedp.CSS("#this-device")))
	n := read(t, first, "count the devices", chromedp.Evaluate[int](`document.querySelectorAll("li.device").length`))
	if n != 3 {
		t.Fatalf("the devices page lists %d devices, want 3", n)
	}
	if !read(t, first, "find this browser", chromedp.Evaluate[bool](`document.querySelector("li.device").classList.contains("current")`)) {
		t.Fatal("this browser is not listed first")
	}
	shot := read(t, first, "screenshot the devices page", chromedp.FullScreenshot(100))
	if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if p := os.Getenv("DEVICES_SCREENSHOT"); p != "" {
		if err := os.WriteFile(p, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// The newest other device is the third browser's.
	step(t, first, "sign the newest other device out",
		chromedp.Click(chromedp.CSS("li.device:not(.current) button.end")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if flash := read(t, first, "read the message", chromedp.Text(chromedp.CSS(".flash"))); !strings.Contains(flash, "signed out") {
		t.Errorf("after signing a device out the page says %q", flash)
	}
	clickProfile := func(ctx context.Context, who string) string {
		t.Helper()
		step(t, ctx, who+" clicks Profile", chromedp.Click(chromedp.CSS(`nav a[href="/profile"]`)),
			chromedp.WaitVisible(chromedp.CSS("#user-id, #username")))
		return read(t, ctx, who+" reads the location", chromedp.Location())
	}
	if loc := clickProfile(third, "the third browser"); !strings.Contains(loc, "/login?next=%2Fprofile") {
		t.Fatalf("the signed-out third browser is at %q, want the login page", loc)
	}
	if loc := clickProfile(second, "the second browser"); !strings.HasSuffix(loc, "/profile") {
		t.Fatalf("the second browser, not signed out, is at %q", loc)
	}

	step(t, first, "sign all other devices out",
		chromedp.Navigate(u+"/devices"),
		chromedp.WaitVisible(chromedp.CSS("#end-others")),
		chromedp.Click(chromedp.CSS("#end-others")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if n := read(t, first, "count the devices", chromedp.Evaluate[int](`document.querySelectorAll("li.device").length`)); n != 1 {
		t.Fatalf("after signing the others out the page lists %d devices, want 1", n)
	}
	if loc := clickProfile(second, "the second browser"); !strings.Contains(loc, "/login?next=%2Fprofile") {
		t.Fatalf("the second browser is at %q after sign out all other devices, want the login page", loc)
	}
	if loc := clickProfile(first, "the first browser"); !strings.HasSuffix(loc, "/profile") {
		t.Fatalf("the first browser was signed out too (%q)", loc)
	}
}
