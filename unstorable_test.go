package ginsession_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
)

// TestAnUnstorableValueIsReportedAtOnceAndTheHandlerKeepsItsAnswer: Err
// names a value the codec cannot store as soon as it is set; a handler that
// puts it right, or answers a 4xx of its own once told (by Err or Save),
// keeps its answer; one that was not told, or answers 2xx anyway, gets the
// error handler's 500.
func TestAnUnstorableValueIsReportedAtOnceAndTheHandlerKeepsItsAnswer(t *testing.T) {
	told := func(s *ginsession.Session) bool {
		err := s.Err()
		return errors.Is(err, ginsession.ErrUnstorable) && strings.Contains(err.Error(), `"bad"`)
	}
	handlers := []struct {
		name   string
		h      func(c *gin.Context, s *ginsession.Session)
		status int
		body   string
	}{
		{"told by Err, puts it right", func(c *gin.Context, s *ginsession.Session) {
			if told(s) {
				s.Delete("bad")
			}
			c.String(http.StatusOK, "fine")
		}, http.StatusOK, "fine"},
		{"told by Err, answers 422", func(c *gin.Context, s *ginsession.Session) {
			if told(s) {
				c.String(http.StatusUnprocessableEntity, "bad input")
			}
		}, http.StatusUnprocessableEntity, "bad input"},
		{"told by Save, answers 400", func(c *gin.Context, s *ginsession.Session) {
			if err := s.Save(); errors.Is(err, ginsession.ErrUnstorable) {
				c.String(http.StatusBadRequest, "bad input")
			}
		}, http.StatusBadRequest, "bad input"},
		{"told by Save of a string, puts it right", func(c *gin.Context, s *ginsession.Session) {
			s.Set("bad", "\xff") // not UTF-8: found at the save
			before := s.Err()
			saveErr := s.Save()
			if before == nil && errors.Is(saveErr, ginsession.ErrUnstorable) && told(s) {
				s.Set("bad", "ok")
			}
			if s.Err() == nil {
				c.String(http.StatusOK, "fine")
			}
		}, http.StatusOK, "fine"},
		{"not told, answers 404", func(c *gin.Context, s *ginsession.Session) { c.String(http.StatusNotFound, "nothing") },
			http.StatusInternalServerError, "Internal Server Error"},
		{"told, answers 200 all the same", func(c *gin.Context, s *ginsession.Session) {
			_ = told(s)
			c.String(http.StatusOK, "fine")
		}, http.StatusInternalServerError, "Internal Server Error"},
	}
	for _, st := range []struct {
		name  string
		store func() stores.Store
	}{
		{"server store", func() stores.Store { return testenv.Must(memstore.New()) }},
		{"cookie store", func() stores.Store { return testenv.Must(cookiestore.New()) }},
	} {
		for _, tc := range handlers {
			a := newApp(t, st.store(), ginsession.WithSecretKey(secretA)).standardRoutes()
			a.r.GET("/h", func(c *gin.Context) {
				s := ginsession.From(c)
				s.Set("foo", "kept")
				s.Set("bad", make(chan int))
				tc.h(c, s)
			})
			r := a.get("/h", "")
			if r.StatusCode != tc.status || r.body != tc.body {
				t.Errorf("%s, %s: answered %d %q, want %d %q", st.name, tc.name, r.StatusCode, r.body, tc.status, tc.body)
			}
			if tc.status == http.StatusOK {
				if got := a.get("/read", "sessionid="+r.cookieValue("sessionid")).body; got != "kept" {
					t.Errorf("%s, %s: the rest of the session was not saved: foo=%q", st.name, tc.name, got)
				}
			} else if r.cookie("sessionid") != "" {
				t.Errorf("%s, %s: Set-Cookie %q", st.name, tc.name, r.cookie("sessionid"))
			}
		}
	}
}
