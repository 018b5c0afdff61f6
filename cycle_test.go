package ginsession_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// TestCycleKeyWritesAtTheSave runs what a handler may do around CycleKey,
// which on a server store picks the new key at once (Key shows it) and
// writes at the save, on a store that can compare-and-delete and on one
// that cannot. Whatever the handler did, the old record is deleted only by
// a save that stored the new one, the cookie names the key Key last showed
// (or is deleted), and no other record is left.
func TestCycleKeyWritesAtTheSave(t *testing.T) {
	cases := []struct {
		name    string
		cookie  bool // the request carries the session made by newSessionKey
		handler func(t *testing.T, s *ginsession.Session) int
		// want is the new record's data, "" for none (the cookie deleted);
		// old says the old record is left as it was.
		want string
		old  bool
	}{
		{"cycled once", true, func(t *testing.T, s *ginsession.Session) int {
			return cycle(t, s)
		}, `{"foo":"bar"}`, false},
		{"cycled twice", true, func(t *testing.T, s *ginsession.Session) int {
			first := s.Key()
			cycle(t, s)
			k := s.Key()
			cycle(t, s)
			if s.Key() == k || s.Key() == first {
				t.Errorf("the second CycleKey kept the key")
			}
			return http.StatusOK
		}, `{"foo":"bar"}`, false},
		{"cycled then flushed", true, func(t *testing.T, s *ginsession.Session) int {
			cycle(t, s)
			if err := s.Flush(); err != nil {
				t.Errorf("Flush: %v", err)
			}
			return http.StatusOK
		}, "", false},
		{"cycled, saved, then changed", true, func(t *testing.T, s *ginsession.Session) int {
			cycle(t, s)
			if err := s.Save(); err != nil {
				t.Errorf("Save: %v", err)
			}
			s.Set("after", 1)
			return http.StatusOK
		}, `{"foo":"bar","after":1}`, false},
		{"cycled with no record yet", false, func(t *testing.T, s *ginsession.Session) int {
			s.Set("new", "yes")
			cycle(t, s)
			return http.StatusOK
		}, `{"new":"yes"}`, false},
		{"cycled, then answered 500", true, func(t *testing.T, s *ginsession.Session) int {
			cycle(t, s)
			s.Set("lost", "yes")
			return http.StatusInternalServerError
		}, "", true},
	}
	opens := map[string]func() (stores.Store, func() int){
		"memstore (compare-and-delete)": func() (stores.Store, func() int) {
			st := testenv.Must(memstore.New())
			return st, st.Len
		},
		"a store without it": func() (stores.Store, func() int) {
			st := newFaultStore()
			return st, func() int { st.mu.Lock(); defer st.mu.Unlock(); return len(st.records) }
		},
	}
	for storeName, open := range opens {
		for _, c := range cases {
			t.Run(storeName+"/"+c.name, func(t *testing.T) {
				st, count := open()
				a := newApp(t, st).standardRoutes()
				var shown string
				a.r.GET("/do", func(g *gin.Context) {
					s := ginsession.From(g)
					code := c.handler(t, s)
					shown = s.Key()
					g.String(code, "done")
				})
				cookie, old := "", ""
				if c.cookie {
					old = a.newSessionKey()
					cookie = "sessionid=" + old
				}
				r := a.get("/do", cookie)
				ctx := context.Background()
				data, err := st.Load(ctx, old)
				switch {
				case old == "":
				case c.old && (err != nil || string(data) != `{"foo":"bar"}`):
					t.Errorf("the old record holds %s (%v), want it as it was", data, err)
				case !c.old && !errors.Is(err, stores.ErrNotFound):
					t.Errorf("the old record is left: %s (%v)", data, err)
				}
				set := r.cookieValue("sessionid")
				switch {
				case c.want == "" && c.old:
					if r.cookie("sessionid") != "" || count() != 1 {
						t.Errorf("Set-Cookie %q, %d records: want none and the old one alone", r.cookie("sessionid"), count())
					}
				case c.want == "":
					if set != "" && set != `""` || count() != 0 {
						t.Errorf("Set-Cookie %q, %d records: want the cookie deleted and no record", r.cookie("sessionid"), count())
					}
				default:
					data, err := st.Load(ctx, set)
					if set != shown || err != nil || string(data) != c.want || count() != 1 {
						t.Errorf("cookie %q (Key showed %q): %s (%v), %d records; want %s alone", set, shown, data, err, count(), c.want)
					}
				}
			})
		}
	}
}

// cycle calls s.CycleKey, which must not fail, and checks that Key shows a
// new valid key at once.
func cycle(t *testing.T, s *ginsession.Session) int {
	t.Helper()
	before := s.Key()
	if err := s.CycleKey(); err != nil {
		t.Fatalf("CycleKey: %v", err)
	}
	if k := s.Key(); !stores.ValidKey(k) || k == before {
		t.Errorf("after CycleKey, Key is %q (before %q)", k, before)
	}
	return http.StatusOK
}
