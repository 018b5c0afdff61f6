package main

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
)

// ageProof makes the browser's last password proof an hour old, past the
// app's -reauth-age, as if the login was long ago.
func (b *browser) ageProof() {
	b.t.Helper()
	b.c.ChangeSession(func(s *ginsession.Session) error {
		s.Set(auth.SessionKeyVerifiedAt, int(time.Now().Add(-time.Hour).Unix()))
		return nil
	})
}

// TestSensitiveChangesAskForThePasswordAgainWhenTheProofIsOld: with a
// fresh login the password form and "sign out all other devices" work at
// once; with a proof older than -reauth-age both send the browser to
// /reauth and change nothing until the password is typed again; a wrong
// one is refused.
func TestSensitiveChangesAskForThePasswordAgainWhenTheProofIsOld(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	here, there := newBrowser(t, srv), newBrowser(t, srv)
	here.login("alice", "wonderland", true)
	there.login("alice", "wonderland", true)
	if p := here.get("/password"); p.StatusCode != http.StatusOK {
		t.Fatalf("a fresh login's password form answered %d", p.StatusCode)
	}

	here.ageProof()
	if p := here.get("/password"); p.StatusCode != http.StatusFound || p.Header.Get("Location") != "/reauth?next=%2Fpassword" {
		t.Fatalf("an old proof's password form: %d %q, want the reauth page", p.StatusCode, p.Header.Get("Location"))
	}
	change := url.Values{"current_password": {"wonderland"}, "new_password": {"looking-glass"}, "confirm_password": {"looking-glass"}}
	if p := here.post("/password", change); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/reauth?next=%2Fpassword" {
		t.Fatalf("an old proof's password change: %d %q, want the reauth page", p.StatusCode, p.Header.Get("Location"))
	}
	if p := here.post("/devices/end-others", url.Values{}); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/reauth?next=%2Fdevices%2Fend-others" {
		t.Fatalf("an old proof's sign-out of the others: %d %q, want the reauth page", p.StatusCode, p.Header.Get("Location"))
	}
	if there.loggedInAs() != "1" {
		t.Fatal("the other browser was signed out without the password")
	}

	confirm := func(password string) answer {
		return here.post("/reauth", url.Values{"password": {password}, "next": {"/devices/end-others"}})
	}
	if p := confirm("looking-glass"); p.StatusCode != http.StatusOK || errorText(p.body) == "" {
		t.Fatalf("a wrong password on the reauth page: %d %q, want the form with an error", p.StatusCode, errorText(p.body))
	}
	if p := confirm("wonderland"); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/devices/end-others" {
		t.Fatalf("the right password: %d %q, want back to the sign-out", p.StatusCode, p.Header.Get("Location"))
	}
	if p := here.get("/devices/end-others"); p.Header.Get("Location") != "/devices" {
		t.Fatalf("back from the reauth page, the sign-out sends to %q, want its button's page", p.Header.Get("Location"))
	}
	if p := here.post("/devices/end-others", url.Values{}); p.Header.Get("Location") != "/devices" || there.loggedInAs() != "" {
		t.Fatalf("after the password: sign-out of the others went to %q; the other browser is %q", p.Header.Get("Location"), there.loggedInAs())
	}
	if p := here.post("/password", change); p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/profile" {
		t.Fatalf("after the password: password change %d %q", p.StatusCode, p.Header.Get("Location"))
	}
}
