package e2e_test

import (
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/memstore"
)

// The README's WebSockets section, run: gorilla/websocket writes the 101
// itself, so the session's header goes to Upgrade.
func Example_gorilla() {
	var upgrader websocket.Upgrader

	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.GET("/ws", func(c *gin.Context) {
		ginsession.From(c).Set("room", "lobby") // session changes go before the upgrade
		h, err := ginsession.UpgradeHeader(c)   // commits now: Set-Cookie and Vary for the 101
		if err != nil {
			return // the store failed or a concurrent logout won: the ErrorHandler has answered
		}
		conn, err := upgrader.Upgrade(c.Writer, c.Request, h)
		if err != nil {
			return // Upgrade has answered
		}
		defer conn.Close()
		conn.WriteMessage(websocket.TextMessage, []byte("welcome"))
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	conn, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/ws", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	_, msg, _ := conn.ReadMessage()
	fmt.Println(resp.StatusCode, resp.Cookies()[0].Name, string(msg))
	// Output: 101 sessionid welcome
}
