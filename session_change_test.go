package ginsession_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// TestChangeLosesNoConcurrentUpdate has goroutines of one request each add
// one to a counter with Change, pausing between the read and the write: with
// a Get then a Set, a pause there makes them overwrite each other.
func TestChangeLosesNoConcurrentUpdate(t *testing.T) {
	const goroutines, rounds = 8, 25
	a := newApp(t, nil)
	var got int
	a.r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		var wg sync.WaitGroup
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rounds {
					err := s.Change("n", func(old any, _ bool) (any, bool, error) {
						n, _ := old.(int)
						time.Sleep(10 * time.Microsecond) // the window a Get/Set pair leaves open
						return n + 1, true, nil
					})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		got, _ = ginsession.Get[int](s, "n")
		c.Status(http.StatusNoContent)
	})
	a.get("/", "")
	if got != goroutines*rounds {
		t.Fatalf("counter %d after %d increments: updates were lost", got, goroutines*rounds)
	}
}
