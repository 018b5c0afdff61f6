package auth_test

import (
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
)

// authEvents collects the auth events an observer receives, as
// "op/outcome/user" strings.
type authEvents struct {
	mu  sync.Mutex
	got []string
}

func (a *authEvents) observe(e ginsession.Event) {
	switch e.Op {
	case ginsession.OpLoad, ginsession.OpSave, ginsession.OpCycle, ginsession.OpFlush:
		return
	}
	if e.Context == nil || e.Store != "memstore" {
		panic("an auth event without the request's context or the store kind")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, string(e.Op)+"/"+string(e.Outcome)+"/"+e.User)
}

func (a *authEvents) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	got := a.got
	a.got = nil
	return got
}

func TestObserverHearsLoginLogoutAndDevices(t *testing.T) {
	ev := &authEvents{}
	s := newDevSite(t, testenv.Must(memstore.New()), ginsession.WithObserver(ev.observe))
	a, b := s.browser("A"), s.browser("B")
	a.login("alice")
	b.login("alice")
	a.must("POST", "/end-others", url.Values{})
	a.must("POST", "/logout", url.Values{})
	want := []string{"login/ok/alice", "login/ok/alice", "session_ended/ok/alice", "logout/ok/"}
	if got := ev.take(); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

func TestObserverHearsAHashMismatch(t *testing.T) {
	ev := &authEvents{}
	s := newSite(t, ginsession.WithSecretKey(secret), ginsession.WithObserver(ev.observe))
	c := s.client()
	c.must("POST", "/login?id=42")
	s.db.setPassword("42", "changed elsewhere")
	if got := c.must("GET", "/me"); got != "anonymous" {
		t.Fatalf("after a password change elsewhere: %q", got)
	}
	want := []string{"login/ok/42", "hash_mismatch/ok/42"}
	if got := ev.take(); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}
