package e2e_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// TestWebSocketUpgradeSendsTheSessionCookie: with each library, the 101 the
// client receives carries the session cookie of a session made, cycled or
// flushed at the upgrade, and the store holds exactly what that cookie says.
func TestWebSocketUpgradeSendsTheSessionCookie(t *testing.T) {
	for _, lib := range libraries {
		for _, sc := range storeCases {
			t.Run(lib.name+"/"+sc.name, func(t *testing.T) {
				st := newSite(t, sc.open(t), lib, nil)
				upgraded := func(change, key string) *http.Response {
					t.Helper()
					resp, dialErr, err := st.upgrade(lib, change, key)
					if dialErr != nil || err != nil {
						t.Fatalf("upgrade /ws/%s: client: %v; handler: %v", change, dialErr, err)
					}
					if resp.StatusCode != http.StatusSwitchingProtocols {
						t.Fatalf("status %d, want 101", resp.StatusCode)
					}
					return resp
				}

				t.Run("a session made at the upgrade gets its cookie in the 101", func(t *testing.T) {
					resp := upgraded("write", "")
					ck := sessionCookie(resp.Header)
					if ck == nil || ck.Value == "" || ck.MaxAge <= 0 {
						t.Fatalf("101 sets no live session cookie: %v", resp.Header)
					}
					if !strings.Contains(resp.Header.Get("Vary"), "Cookie") {
						t.Errorf("101 with Set-Cookie has no Vary: Cookie: %v", resp.Header)
					}
					if got := st.whoami(ck.Value); got != "|lobby" {
						t.Errorf("the cookie's session holds %q, want %q", got, "|lobby")
					}
				})

				t.Run("a key cycled at the upgrade reaches the client, the old one is gone", func(t *testing.T) {
					old := st.login()
					resp := upgraded("cycle", old)
					ck := sessionCookie(resp.Header)
					if ck == nil || ck.Value == "" || ck.Value == old {
						t.Fatalf("101 does not carry the cycled key (old %s): %v", old, resp.Header)
					}
					if got := st.whoami(ck.Value); got != "alice|lobby" {
						t.Errorf("the new cookie's session holds %q, want still logged in: %q", got, "alice|lobby")
					}
					if st.exists(old) {
						t.Errorf("the old key's record survived the cycle")
					}
				})

				t.Run("a session flushed at the upgrade deletes the cookie in the 101", func(t *testing.T) {
					old := st.login()
					resp := upgraded("flush", old)
					ck := sessionCookie(resp.Header)
					if ck == nil || ck.Value != "" || ck.MaxAge >= 0 {
						t.Fatalf("101 does not delete the session cookie: %v", resp.Header)
					}
					if st.exists(old) {
						t.Errorf("the flushed record is still in the store")
					}
				})

				t.Run("an untouched session sends no cookie", func(t *testing.T) {
					old := st.login()
					resp := upgraded("read", old)
					if ck := sessionCookie(resp.Header); ck != nil {
						t.Errorf("101 of an unmodified session sets %v", ck)
					}
					if got := st.whoami(old); got != "alice|" {
						t.Errorf("session after the upgrade holds %q, want %q", got, "alice|")
					}
				})

				t.Run("an upgrade refused before the hijack sends the cookie with its error", func(t *testing.T) {
					body, ck := st.get("/ws/write", "") // plain GET: not a WebSocket handshake
					if err := <-st.results; err == nil {
						t.Fatalf("the library upgraded a plain GET (%q)", body)
					}
					if ck == nil || ck.Value == "" {
						t.Fatalf("the refusal carries no session cookie, though the session was saved")
					}
					if got := st.whoami(ck.Value); got != "|lobby" {
						t.Errorf("the cookie's session holds %q, want %q", got, "|lobby")
					}
				})

				t.Run("many clients at once each get their own cycled key", func(t *testing.T) {
					const clients = 16
					olds := make([]string, clients)
					for i := range olds {
						olds[i] = st.login()
					}
					news := make([]string, clients)
					var wg sync.WaitGroup
					for i := range clients {
						wg.Go(func() {
							h := http.Header{"Cookie": {"sessionid=" + olds[i]}}
							resp, _, err := lib.dial("ws"+strings.TrimPrefix(st.url, "http")+"/ws/cycle", h)
							if err != nil {
								t.Errorf("client %d: %v", i, err)
								return
							}
							if ck := sessionCookie(resp.Header); ck != nil {
								news[i] = ck.Value
							}
						})
					}
					wg.Wait()
					for range clients {
						if err := <-st.results; err != nil {
							t.Errorf("handler: %v", err)
						}
					}
					seen := map[string]bool{}
					for i, k := range news {
						switch {
						case k == "" || k == olds[i]:
							t.Errorf("client %d got no new key (%q)", i, k)
						case seen[k]:
							t.Errorf("key %s handed to two clients", k)
						case st.whoami(k) != "alice|lobby":
							t.Errorf("client %d: its cookie's session holds %q", i, st.whoami(k))
						case st.exists(olds[i]):
							t.Errorf("client %d: old record survived", i)
						}
						seen[k] = true
					}
				})

				if errs := st.logs.Lines(slog.LevelError); len(errs) > 0 {
					t.Errorf("errors logged:\n%s", strings.Join(errs, "\n"))
				}
			})
		}
	}
}

// TestAHijackThatDropsTheSessionCookieIsLoggedAsAnError: gorilla's Upgrade
// writes the 101 itself, so a session cookie left on c.Writer never reaches
// the client; that must be an ERROR naming UpgradeHeader, never silence.
func TestAHijackThatDropsTheSessionCookieIsLoggedAsAnError(t *testing.T) {
	forgetful := library{
		name:    "gorilla without UpgradeHeader",
		upgrade: func(c *gin.Context) error { return gorillaUpgradeWith(c, nil) },
		dial:    gorillaDial,
	}
	st := newSite(t, storeCases[0].open(t), forgetful, nil)
	old := st.login()

	if _, dialErr, err := st.upgrade(forgetful, "read", old); dialErr != nil || err != nil {
		t.Fatalf("upgrade: %v / %v", dialErr, err)
	}
	if errs := st.logs.Lines(slog.LevelError); len(errs) > 0 {
		t.Fatalf("an upgrade with no cookie to send logged errors:\n%s", strings.Join(errs, "\n"))
	}

	resp, dialErr, err := st.upgrade(forgetful, "cycle", old)
	if dialErr != nil || err != nil {
		t.Fatalf("upgrade: %v / %v", dialErr, err)
	}
	if ck := sessionCookie(resp.Header); ck != nil {
		t.Fatalf("gorilla sent the cookie without being given it (%v): this test no longer shows the drop", ck)
	}
	errs := st.logs.Lines(slog.LevelError)
	if len(errs) != 1 || !strings.Contains(errs[0], "ginsession.UpgradeHeader(c)") || !strings.Contains(errs[0], "path=/ws/cycle") {
		t.Fatalf("the dropped cookie was not logged as one ERROR naming UpgradeHeader and the path; ERROR lines:\n%s", strings.Join(errs, "\n"))
	}
}

// TestALogoutDuringAnUpgradeIsNeverUndone forces the bad interleaving: the
// upgrade request has loaded and changed the session when a concurrent
// request logs out; the upgrade must then fail (400) and not bring the
// session back.
func TestALogoutDuringAnUpgradeIsNeverUndone(t *testing.T) {
	for _, lib := range libraries {
		for _, sc := range storeCases {
			t.Run(lib.name+"/"+sc.name, func(t *testing.T) {
				changed, release := make(chan struct{}), make(chan struct{})
				st := newSite(t, sc.open(t), lib, func() {
					changed <- struct{}{}
					<-release
				})
				old := st.login()
				type outcome struct {
					resp            *http.Response
					dialErr, hdlErr error
				}
				done := make(chan outcome)
				go func() {
					h := http.Header{"Cookie": {"sessionid=" + old}}
					resp, _, dialErr := lib.dial("ws"+strings.TrimPrefix(st.url, "http")+"/ws/write", h)
					done <- outcome{resp, dialErr, <-st.results}
				}()
				<-changed
				if body, _ := st.get("/logout", old); body != "bye" {
					t.Fatalf("logout answered %q", body)
				}
				close(release)
				o := <-done

				if o.dialErr == nil || o.resp == nil || o.resp.StatusCode != http.StatusBadRequest {
					t.Errorf("upgrade after a concurrent logout: client error %v, response %+v; want a 400", o.dialErr, o.resp)
				}
				if o.hdlErr == nil {
					t.Errorf("the handler was not told the session could not be saved")
				}
				if lib.name == "gorilla" && !errors.Is(o.hdlErr, ginsession.ErrSessionInterrupted) {
					t.Errorf("UpgradeHeader returned %v, want ErrSessionInterrupted", o.hdlErr)
				}
				if st.exists(old) {
					t.Errorf("the logged-out record is back in the store")
				}
				if got := st.whoami(old); got != "|" {
					t.Errorf("the old cookie is logged in again: %q", got)
				}
			})
		}
	}
}

// TestUpgradesRacingALogoutManyRounds runs an upgrade that changes the
// session and a logout of it at the same time, many rounds, in no forced
// order: whoever wins, the session ends logged out.
func TestUpgradesRacingALogoutManyRounds(t *testing.T) {
	const rounds = 40
	for _, lib := range libraries {
		for _, sc := range storeCases {
			t.Run(lib.name+"/"+sc.name, func(t *testing.T) {
				st := newSite(t, sc.open(t), lib, nil)
				outcomes := map[string]int{}
				for round := range rounds {
					old := st.login()
					var wg sync.WaitGroup
					var resp *http.Response
					wg.Go(func() {
						h := http.Header{"Cookie": {"sessionid=" + old}}
						resp, _, _ = lib.dial("ws"+strings.TrimPrefix(st.url, "http")+"/ws/write", h)
					})
					wg.Go(func() { st.get("/logout", old) })
					wg.Wait()
					<-st.results
					switch {
					case resp == nil:
						t.Fatalf("round %d: no handshake response", round)
					case resp.StatusCode == http.StatusSwitchingProtocols, resp.StatusCode == http.StatusBadRequest:
						outcomes[fmt.Sprint(resp.StatusCode)]++
					default:
						t.Fatalf("round %d: upgrade answered %d", round, resp.StatusCode)
					}
					if st.exists(old) {
						t.Fatalf("round %d: the logged-out record is back (upgrade answered %d)", round, resp.StatusCode)
					}
				}
				t.Logf("%d rounds: %v", rounds, outcomes)
			})
		}
	}
}
