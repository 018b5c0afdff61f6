package ginsession_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/memstore"
)

// A WebSocket handler with gorilla/websocket, whose Upgrade writes the 101
// itself: the session's cookie reaches the client only through the header
// UpgradeHeader returns. (e2e/ runs this with the real library.)
func ExampleUpgradeHeader() {
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.GET("/ws", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("room", "lobby")
		h, err := ginsession.UpgradeHeader(c)
		if err != nil {
			return // the ErrorHandler has answered; do not upgrade
		}
		// conn, err := upgrader.Upgrade(c.Writer, c.Request, h)
		ck := (&http.Response{Header: h}).Cookies()[0]
		fmt.Println(ck.Name, ck.Value == s.Key(), h.Get("Vary"))
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/ws", nil))
	// Output: sessionid true Cookie
}
