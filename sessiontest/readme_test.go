package sessiontest_test

import (
	"net/http"
	"testing"

	"github.com/ginsession/ginsession/sessiontest"
)

// The README's "Testing your handlers" example, as it stands there (the
// root's TestEveryDocCodeBlockCompiles holds the two together), on the
// application of the package example.
func TestProfileGreetsTheUser(t *testing.T) {
	c := sessiontest.NewClient(t, newRouter()) // your *gin.Engine, with r.Use(ginsession.New(store, ...))
	c.ForceLogin(alice, "")                    // alice: your auth.User; as auth.Login, no password, no route
	c.Get("/profile").ExpectStatus(http.StatusOK).ExpectBody("hello")

	if v, _ := c.Session().Get("visits"); v != 1 { // what the store holds now
		t.Errorf("visits = %v, want 1", v)
	}
	if ms := c.Messages(); len(ms) != 1 || ms[0].Text != "Welcome back!" { // pending, not consumed
		t.Errorf("flash messages: %v", ms)
	}
}
