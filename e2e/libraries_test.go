package e2e_test

import (
	"context"
	"net/http"
	"time"

	coder "github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	gorilla "github.com/gorilla/websocket"

	"github.com/ginsession/ginsession"
)

// greeting is the one message every upgraded connection sends, so a client
// knows the upgrade really worked.
const greeting = "hello"

// ioTimeout bounds one dial and read; generous for a loaded 2-core machine,
// and only reached when something hangs.
const ioTimeout = 20 * time.Second

// library is one WebSocket library: how a gin handler upgrades with it and
// how its own client dials.
type library struct {
	name    string
	upgrade func(c *gin.Context) error
	// dial opens url with the request header h, reads one message and
	// closes. resp is the handshake's response, also when it is not a 101.
	dial func(url string, h http.Header) (resp *http.Response, msg string, err error)
}

var libraries = []library{
	{name: "gorilla", upgrade: gorillaUpgrade, dial: gorillaDial},
	{name: "coder", upgrade: coderUpgrade, dial: coderDial},
}

// gorillaUpgrade is what the README tells gorilla users to write: the
// session's header goes to Upgrade, which writes the 101 itself.
func gorillaUpgrade(c *gin.Context) error {
	h, err := ginsession.UpgradeHeader(c)
	if err != nil {
		return err
	}
	return gorillaUpgradeWith(c, h)
}

func gorillaUpgradeWith(c *gin.Context, h http.Header) error {
	conn, err := (&gorilla.Upgrader{}).Upgrade(c.Writer, c.Request, h)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.WriteMessage(gorilla.TextMessage, []byte(greeting))
}

// coderUpgrade needs no ginsession call: Accept sends c.Writer's headers.
func coderUpgrade(c *gin.Context) error {
	conn, err := coder.Accept(c.Writer, c.Request, nil)
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	return conn.Write(ctx, coder.MessageText, []byte(greeting))
}

func gorillaDial(url string, h http.Header) (*http.Response, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	conn, resp, err := gorilla.DefaultDialer.DialContext(ctx, url, h)
	if err != nil {
		return resp, "", err
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(ioTimeout))
	_, msg, err := conn.ReadMessage()
	return resp, string(msg), err
}

func coderDial(url string, h http.Header) (*http.Response, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	conn, resp, err := coder.Dial(ctx, url, &coder.DialOptions{HTTPHeader: h})
	if err != nil {
		return resp, "", err
	}
	defer conn.CloseNow()
	_, msg, err := conn.Read(ctx)
	return resp, string(msg), err
}
