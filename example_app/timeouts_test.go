package main

import (
	"regexp"
	"testing"
	"time"
)

var (
	expiresRe = regexp.MustCompile(`<span id="expires">([^<]*)</span>`)
	idleRe    = regexp.MustCompile(`<span id="idle-timeout">([^<]*)</span>`)
)

// The profile says when the session ends: 30 minutes after the last
// request, or two weeks for "remember me".
func TestTheProfileShowsWhenTheSessionEnds(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	for _, tc := range []struct {
		remember bool
		idle     string
		ends     time.Duration
	}{
		{false, "30 minutes", 30 * time.Minute},
		{true, "14 days", 14 * 24 * time.Hour},
	} {
		b := newBrowser(t, srv)
		b.login("alice", "wonderland", tc.remember)
		body := b.get("/profile").body
		if got := find(idleRe, body); got != tc.idle {
			t.Errorf("remember=%v: the profile says the session ends %q after the last request, want %q", tc.remember, got, tc.idle)
		}
		ends, err := time.Parse("Mon 2 Jan 2006 15:04 MST", find(expiresRe, body))
		if err != nil {
			t.Fatalf("remember=%v: the end shown: %v", tc.remember, err)
		}
		if want := time.Now().Add(tc.ends); ends.Before(want.Add(-2*time.Minute)) || ends.After(want.Add(time.Minute)) {
			t.Errorf("remember=%v: the profile shows the end at %v, want about %v", tc.remember, ends, want)
		}
	}
}
