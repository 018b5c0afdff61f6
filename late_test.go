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
