package ginsession_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// TestChangesAfterTheCommitAreErrorsAndWriteNothing: once the response is
// out, Save, Flush, CycleKey and every change report ErrCommitted (through
// their result or Err), nothing reaches the store, and the log says so;
// in the handler after its first write and from a goroutine after the
// request alike.
func TestChangesAfterTheCommitAreErrorsAndWriteNothing(t *testing.T) {
	calls := map[string]func(s *ginsession.Session) error{
		"Save":     func(s *ginsession.Session) error { return s.Save() },
		"Flush":    func(s *ginsession.Session) error { return s.Flush() },
		"CycleKey": func(s *ginsession.Session) error { return s.CycleKey() },
		"Set":      func(s *ginsession.Session) error { s.Set("late", 1); return s.Err() },
		"Delete":   func(s *ginsession.Session) error { s.Delete("k"); return s.Err() },
		"Clear":    func(s *ginsession.Session) error { s.Clear(); return s.Err() },
	}
	for _, server := range []bool{true, false} {
		for name, call := range calls {
			for _, fromGoroutine := range []bool{false, true} {
				store := newFaultStore()
				a := newApp(t, store).standardRoutes()
				if !server {
					a = cookieApp(t, nil)
				}
				var late *ginsession.Session
				var errInHandler error
				a.r.GET("/late", func(c *gin.Context) {
					s := ginsession.From(c)
					_, _ = s.Get("k")
					c.String(http.StatusOK, "answered")
					if late = s; !fromGoroutine {
						errInHandler = call(s)
					}
				})
				for _, cookie := range []string{"", "sessionid=" + a.get("/set?k=k&v=v", "").cookieValue("sessionid")} {
					if name == "Delete" && cookie == "" {
						continue // nothing to delete is no change
					}
					store.resetCounts()
					r := a.get("/late", cookie)
					err := errInHandler
					if fromGoroutine {
						err = call(late)
					}
					desc := name + map[bool]string{true: " after the request", false: " after the response"}[fromGoroutine]
					if !errors.Is(err, ginsession.ErrCommitted) || !errors.Is(late.Err(), ginsession.ErrCommitted) {
						t.Errorf("%s (server %v, cookie %v): err %v, Err() %v; want ErrCommitted", desc, server, cookie != "", err, late.Err())
					}
					if server {
						if w := store.count("Create") + store.count("Update") + store.count("Delete"); w != 0 {
							t.Errorf("%s (cookie %v): %d writes reached the store", desc, cookie != "", w)
						}
					}
					if r.cookie("sessionid") != "" {
						t.Errorf("%s: Set-Cookie %q", desc, r.cookie("sessionid"))
					}
					if !strings.Contains(a.logs.String(), "after the response was sent; the change is not saved") {
						t.Errorf("%s: the log does not say the change was not saved: %s", desc, a.logs.String())
					}
				}
			}
		}
	}
}

// TestASaveRacingTheCommitIsSavedAndSentOrRefusedAndUnwritten: a goroutine
// of the handler changes and saves a new session while the handler
// answers. Whichever wins, a cookie goes out exactly when a record holds the
// change; Save returns nil only if it stored it, and ErrCommitted only if it
// wrote nothing (the commit may have saved the change made before it).
func TestASaveRacingTheCommitIsSavedAndSentOrRefusedAndUnwritten(t *testing.T) {
	store := newFaultStore()
	a := newApp(t, store)
	var saveErr error
	var done chan struct{}
	a.r.GET("/race", func(c *gin.Context) {
		s, d := ginsession.From(c), done
		go func() {
			defer close(d)
			s.Set("k", "v")
			saveErr = s.Save()
		}()
		c.String(http.StatusOK, "answered")
	})
	outcomes := map[string]int{}
	for range 200 {
		done = make(chan struct{})
		store.resetCounts()
		r := a.get("/race", "")
		<-done
		key := r.cookieValue("sessionid")
		rec, stored := store.get(key)
		creates := store.count("Create") + store.count("Update")
		var outcome string
		switch {
		case saveErr == nil && key != "" && string(rec.data) == `{"k":"v"}`:
			outcome = "saved by Save"
		case errors.Is(saveErr, ginsession.ErrCommitted) && key != "" && string(rec.data) == `{"k":"v"}` && creates == 1:
			outcome = "saved by the commit, Save refused"
		case errors.Is(saveErr, ginsession.ErrCommitted) && key == "" && creates == 0:
			outcome = "refused, nothing written"
		default:
			t.Fatalf("Save: %v; cookie %q; stored %v %q; %d writes", saveErr, key, stored, rec.data, creates)
		}
		outcomes[outcome]++
	}
	t.Logf("%v", outcomes)
}
