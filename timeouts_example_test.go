package ginsession_test

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/memstore"
)

// A session that ends 30 minutes after its last request, and 12 hours
// after login whatever happens. The example moves a clock of its own
// instead of waiting; leave WithClock out in production.
func ExampleWithIdleTimeout() {
	now := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store, err := memstore.New(memstore.WithClock(clock))
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store,
		ginsession.WithIdleTimeout(30*time.Minute),   // ends 30 minutes after the last request
		ginsession.WithAbsoluteTimeout(12*time.Hour), // and 12 hours after it started, at the latest
		ginsession.WithClock(clock),
	))
	r.GET("/login", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("user", "alice")
		s.RestartAbsoluteTimeout() // auth.Login does this for you
		c.String(http.StatusOK, "welcome")
	})
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		user, ok := ginsession.Get[string](s, "user")
		if !ok {
			c.String(http.StatusOK, "signed out")
			return
		}
		c.String(http.StatusOK, "%s, until %s unless you come back", user, s.ExpiryDate().Format("15:04"))
	})

	_, cookie := send(r, "/login", "")
	now = now.Add(20 * time.Minute)
	body, cookie := send(r, "/", cookie)
	fmt.Println(body)
	now = now.Add(31 * time.Minute)
	body, _ = send(r, "/", cookie)
	fmt.Println(body)
	// Output:
	// alice, until 09:50 unless you come back
	// signed out
}

// "Keep me signed in": one session gets a longer idle timeout than the
// rest, stored in the session itself.
func ExampleSession_SetIdleTimeout() {
	now := time.Date(2030, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store, err := memstore.New(memstore.WithClock(clock))
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithIdleTimeout(30*time.Minute), ginsession.WithClock(clock)))
	r.GET("/login", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("user", "alice")
		if c.Query("remember") != "" {
			if err := s.SetIdleTimeout(7 * 24 * time.Hour); err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
		}
		c.String(http.StatusOK, "idle timeout %v", s.IdleTimeout())
	})
	r.GET("/", func(c *gin.Context) {
		user, ok := ginsession.Get[string](ginsession.From(c), "user")
		c.String(http.StatusOK, "%s %v", user, ok)
	})

	body, plain := send(r, "/login", "")
	fmt.Println(body)
	body, remembered := send(r, "/login?remember=1", "")
	fmt.Println(body)
	now = now.Add(2 * time.Hour)
	body, _ = send(r, "/", plain)
	fmt.Println("plain:", body)
	body, _ = send(r, "/", remembered)
	fmt.Println("remembered:", body)
	// Output:
	// idle timeout 30m0s
	// idle timeout 168h0m0s
	// plain: false
	// remembered: alice true
}

// The README's timeouts block: both limits, the idle one binding first.
func ExampleWithAbsoluteTimeout() {
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store,
		ginsession.WithIdleTimeout(30*time.Minute),   // ends 30 minutes after the last request
		ginsession.WithAbsoluteTimeout(12*time.Hour), // and 12 hours after it started, at the latest
	))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("user", "alice")
		c.String(http.StatusOK, "idle timeout %v, ends in %v", s.IdleTimeout(), s.ExpiryAge())
	})
	body, _ := send(r, "/", "")
	fmt.Println(body)
	// Output: idle timeout 30m0s, ends in 30m0s
}
