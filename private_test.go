package ginsession_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
)

// TestTimeoutBookkeepingIsNotData: with both timeouts on, Keys, Values,
// Items, All, Len and IsEmpty show what they show without them, and a
// session holding nothing but the timeouts' keys is empty: no record and
// no cookie are made for it.
func TestTimeoutBookkeepingIsNotData(t *testing.T) {
	look := func(c *gin.Context) {
		s := ginsession.From(c)
		var all []string
		for k := range s.All() {
			all = append(all, k)
		}
		c.String(http.StatusOK, "%v %v %v %v %d %v", s.Keys(), s.Values(), s.Items(), all, s.Len(), s.IsEmpty())
	}
	timeouts := []ginsession.Option{ginsession.WithIdleTimeout(time.Hour), ginsession.WithAbsoluteTimeout(2 * time.Hour)}
	for _, st := range []struct {
		name  string
		store func() stores.Store
	}{
		{"server store", func() stores.Store { return testenv.Must(memstore.New()) }},
		{"cookie store", func() stores.Store { return testenv.Must(cookiestore.New()) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			seen := map[bool]string{}
			for _, on := range []bool{false, true} {
				opts := []ginsession.Option{ginsession.WithSecretKey(secretA)}
				if on {
					opts = append(opts, timeouts...)
				}
				a := newApp(t, st.store(), opts...).standardRoutes()
				a.r.GET("/look", look)
				a.r.GET("/restart", func(c *gin.Context) {
					s := ginsession.From(c)
					s.RestartAbsoluteTimeout()
					_ = s.SetIdleTimeout(3 * time.Hour)
					look(c)
				})
				cookie := "sessionid=" + a.get("/set?k=a&v=1", "").cookieValue("sessionid")
				r := a.get("/restart", "")
				seen[on] = a.get("/look", cookie).body + " | " + a.get("/look", "").body + " | " + r.body + " " + fmt.Sprint(r.cookie("sessionid") != "")
			}
			if seen[true] != seen[false] {
				t.Errorf("with the timeouts on: %s\nwithout them:        %s", seen[true], seen[false])
			}
			if want := "[a] [1] map[a:1] [a] 1 false | [] [] map[] [] 0 true | "; !strings.HasPrefix(seen[false], want) {
				t.Errorf("without timeouts: %s", seen[false])
			}
		})
	}
}
