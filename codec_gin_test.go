package ginsession_test

import (
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// refusedSave checks, through a real gin.Engine, that a request setting
// what set stores fails loudly: 500 from the ErrorHandler instead of the
// handler's body, a log naming the key, the stored record untouched and still
// loading as it was (the user is not logged out). logged is how the log
// (slog text, quoted) spells the key.
func refusedSave(t *testing.T, logged string, set func(s *ginsession.Session)) {
	t.Helper()
	a := newApp(t, nil).standardRoutes()
	a.r.GET("/bad", func(c *gin.Context) {
		set(ginsession.From(c))
		c.String(http.StatusOK, "looks fine")
	})
	k := a.newSessionKey()
	before, _ := a.store.get(k)
	r := a.get("/bad", "sessionid="+k)
	if r.StatusCode != http.StatusInternalServerError || strings.Contains(r.body, "looks fine") {
		t.Fatalf("status %d body %q, want 500 from the ErrorHandler", r.StatusCode, r.body)
	}
	if !strings.Contains(a.logs.String(), logged) {
		t.Fatalf("the log does not name the key %s:\n%s", logged, a.logs.String())
	}
	if after, _ := a.store.get(k); string(after.data) != string(before.data) {
		t.Fatalf("the record changed from %q to %q", before.data, after.data)
	}
	if r := a.get("/read?k=foo", "sessionid="+k); r.body != "bar" {
		t.Fatalf("the session now reads %q, want its old value bar", r.body)
	}
}

// TestATooDeepValueFailsTheSaveInsteadOfTheNextLoad is the regression
// test for values that saved and made the record unreadable, logging the
// user out on the next request: 201 nested []any, and a 300-node linked
// list (through encoding/json, not checked at all).
func TestATooDeepValueFailsTheSaveInsteadOfTheNextLoad(t *testing.T) {
	t.Run("a 300-node linked list", func(t *testing.T) {
		refusedSave(t, "history", func(s *ginsession.Session) {
			var l *relNode
			for i := range 300 {
				l = &relNode{V: i, Next: l}
			}
			s.Set("history", l)
		})
	})
	t.Run("201 nested []any", func(t *testing.T) {
		refusedSave(t, "tree", func(s *ginsession.Session) {
			var v any = 1
			for range 201 {
				v = []any{v}
			}
			s.Set("tree", v)
		})
	})
}

// TestKeysOrStringsThatAreNotUTF8FailTheSave is the regression test for
// two different keys ("a\xff", "a\xfe") saved as one JSON key, so one
// value silently replaced the other, and for strings silently changed to
// U+FFFD.
func TestKeysOrStringsThatAreNotUTF8FailTheSave(t *testing.T) {
	t.Run("two keys that would merge", func(t *testing.T) {
		refusedSave(t, `a\\xff`, func(s *ginsession.Session) {
			s.Set("a\xff", "one")
			s.Set("a\xfe", "two")
		})
	})
	t.Run("a value", func(t *testing.T) {
		refusedSave(t, "name", func(s *ginsession.Session) { s.Set("name", "caf\xe9") })
	})
}

// TestIntegersPastInt64SurviveARequest is the regression test for big
// integers rounded on the way through a request: a record Django wrote with
// 2**70 and 2**64-1 was saved back as 1.1805916207174113e+21 and
// 18446744073709551616.0 by a request that changed another key; and
// math.MaxUint64 set from Go read back as a float.
func TestIntegersPastInt64SurviveARequest(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	a.r.GET("/max", func(c *gin.Context) {
		s := ginsession.From(c)
		if c.Query("set") != "" {
			s.Set("max", uint64(math.MaxUint64))
		}
		n, ok := ginsession.Get[uint64](s, "max")
		c.String(http.StatusOK, "%d %v", n, ok)
	})
	k := a.newSessionKey()
	a.store.put(k, []byte(`{"big":1180591620717411303424,"max":18446744073709551615,"min":-9223372036854775808}`))
	if r := a.get("/set?k=foo&v=changed", "sessionid="+k); r.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.StatusCode)
	}
	rec, _ := a.store.get(k)
	if want := `{"big":1180591620717411303424,"max":18446744073709551615,"min":-9223372036854775808,"foo":"changed"}`; string(rec.data) != want {
		t.Fatalf("saved as %s\nwant     %s", rec.data, want)
	}
	k2 := a.get("/max?set=1", "").cookieValue("sessionid")
	if r := a.get("/max", "sessionid="+k2); r.body != "18446744073709551615 true" {
		t.Fatalf("math.MaxUint64 read back as %q", r.body)
	}
}

func TestIntegersSurviveARoundTripAsIntegers(t *testing.T) {
	a := newApp(t, nil)
	type profile struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	a.r.GET("/put", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("n", 42)
		s.Set("f", 2.5)
		s.Set("p", profile{"Zoë", []string{"a", "b"}})
		s.Set("list", []string{"x", "y"})
		c.Status(http.StatusNoContent)
	})
	a.r.GET("/check", func(c *gin.Context) {
		s := ginsession.From(c)
		raw, _ := s.Get("n")
		n, ok := ginsession.Get[int](s, "n")
		n8, ok8 := ginsession.Get[int8](s, "n")
		f, okf := ginsession.Get[float64](s, "f")
		_, badInt := ginsession.Get[int](s, "f")
		p, okp := ginsession.Get[profile](s, "p")
		l, okl := ginsession.Get[[]string](s, "list")
		_, missing := ginsession.Get[string](s, "nope")
		c.String(200, "%T %d %v %d %v %v %v %v %+v %v %v %v %v", raw, n, ok, n8, ok8, f, okf, badInt, p, okp, l, okl, missing)
	})
	k := a.get("/put", "").cookieValue("sessionid")
	r := a.get("/check", "sessionid="+k)
	want := "int 42 true 42 true 2.5 true false {Name:Zoë Tags:[a b]} true [x y] true false"
	if r.body != want {
		t.Fatalf("got  %q\nwant %q", r.body, want)
	}
}

func TestAValueWithNoJSONFormFailsTheRequestNamingTheKey(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/bad", func(c *gin.Context) {
		ginsession.From(c).Set("callback", func() {})
		c.String(200, "looks fine")
	})
	r := a.get("/bad", "")
	if r.StatusCode != 500 || strings.Contains(r.body, "looks fine") {
		t.Fatalf("status %d body %q, want 500 without the handler's body", r.StatusCode, r.body)
	}
	if !strings.Contains(a.logs.String(), `callback`) {
		t.Fatalf("log does not name the key: %s", a.logs.String())
	}
	if len(a.store.records) != 0 {
		t.Fatal("something was stored")
	}
}
