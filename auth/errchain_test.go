package auth_test

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
)

// An error chain says "auth: " once: "auth: login: the session middleware
// has no secret key ...", not "auth: login: auth: the session ...".
func TestErrorChainsSayAuthOnce(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New())))
	var errs []error
	r.GET("/", func(c *gin.Context) {
		errs = append(errs, auth.Login(c, testUser{"1", "x"}, ""))
		_, err := auth.EndOtherSessions(c)
		errs = append(errs, err)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	want := []error{auth.ErrNoSecret, auth.ErrNoIndex}
	for i, err := range errs {
		if !errors.Is(err, want[i]) {
			t.Errorf("error %d: %v, want %v", i, err, want[i])
			continue
		}
		if n := strings.Count(err.Error(), "auth: "); n != 1 {
			t.Errorf("%q says \"auth: \" %d times", err, n)
		}
	}
}

// The device functions say "auth: " once too, for a session without a user.
func TestDeviceErrorsSayAuthOnce(t *testing.T) {
	r := gin.New()
	r.Use(ginsession.New(testenv.Must(memstore.New()), ginsession.WithSecretKey(secret), ginsession.WithUserIndex(ginsession.UserIndex{})))
	var errs []error
	r.GET("/", func(c *gin.Context) {
		_, err := auth.Sessions(c)
		errs = append(errs, err, auth.EndSession(c, "x"))
		_, err = auth.EndOtherSessions(c)
		errs = append(errs, err)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	for i, err := range errs {
		if !errors.Is(err, auth.ErrNotLoggedIn) || strings.Count(err.Error(), "auth: ") != 1 {
			t.Errorf("error %d: %v, want ErrNotLoggedIn saying \"auth: \" once", i, err)
		}
	}
}
