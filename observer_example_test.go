package ginsession_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/memstore"
)

// An observer sees every load and save, with the request's context for
// tracing, and never a raw session key.
func ExampleWithObserver() {
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithObserver(func(e ginsession.Event) {
		fmt.Println(e.Op, e.Outcome, e.Store, len(e.Session) < 32)
	})))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "visits")
		s.Set("visits", n+1)
	})

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Cookie", w.Header().Get("Set-Cookie"))
	r.ServeHTTP(httptest.NewRecorder(), req)
	// Output:
	// save created memstore true
	// load hit memstore true
	// save updated memstore true
}
