package auth_test

import (
	"testing"
	"time"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

// Login restarts the absolute timeout's clock: the limit counts from the
// login, not from when the anonymous session began, and a login of the
// same user again restarts it too.
func TestLoginRestartsTheAbsoluteTimeout(t *testing.T) {
	const abs = 8 * time.Hour
	clock := storetest.NewClock(time.Now().Truncate(time.Second))
	store := testenv.Must(memstore.New(memstore.WithClock(clock.Now)))
	s := newSiteOn(t, store, newUserDB(), ginsession.WithSecretKey(secret),
		ginsession.WithAbsoluteTimeout(abs), ginsession.WithClock(clock.Now))
	c := s.client()
	c.must("GET", "/set?k=cart&v=x") // the anonymous session's clock starts
	clock.Advance(3 * time.Hour)
	c.login("42")
	clock.Advance(7 * time.Hour) // 10 h after the session began
	if got := c.me(); got != "user 42" {
		t.Fatalf("7 h after login /me = %q, want user 42", got)
	}
	c.login("42") // again: the clock restarts
	clock.Advance(abs - time.Second)
	if got := c.me(); got != "user 42" {
		t.Fatalf("just under %v after the second login /me = %q", abs, got)
	}
	clock.Advance(time.Second)
	if got := c.me(); got != "anonymous" {
		t.Fatalf("%v after the last login /me = %q, want anonymous", abs, got)
	}
}
