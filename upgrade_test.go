package ginsession_test

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// hijackAndSwitch takes the connection over and writes a 101 of its own with
// h, as a WebSocket library does.
func hijackAndSwitch(c *gin.Context, h http.Header) {
	conn, brw, err := http.NewResponseController(c.Writer).Hijack()
	if err != nil {
		c.Error(err)
		return
	}
	defer conn.Close()
	brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n")
	h.Write(brw)
	brw.WriteString("\r\n")
	brw.Flush()
}

// switchProtocols sends an upgrade request to a over a raw connection and
// returns the 101 it gets.
func switchProtocols(t *testing.T, a *app, path, cookie string) *http.Response {
	t.Helper()
	conn, err := net.DialTimeout("tcp", strings.TrimPrefix(a.srv.URL, "http://"), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
	req.Header.Set("Connection", "Upgrade")
	req.Header.Set("Upgrade", "test")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestUpgradeHeaderCarriesTheSessionCookieIntoAHijackersStatusLine(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/ws", func(c *gin.Context) {
		ginsession.From(c).Set("room", "lobby")
		c.SetCookie("csrftoken", "t0k", 0, "/", "", false, false)
		h, err := ginsession.UpgradeHeader(c)
		if err != nil {
			t.Errorf("UpgradeHeader: %v", err)
			return
		}
		h.Set("Sec-Test", "mine") // the caller's to change: c.Writer keeps its own
		if c.Writer.Header().Get("Sec-Test") != "" {
			t.Errorf("the returned header aliases c.Writer's")
		}
		hijackAndSwitch(c, h)
	})
	resp := switchProtocols(t, a, "/ws", "")
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", resp.StatusCode)
	}
	r := response{Response: resp}
	k := r.cookieValue("sessionid")
	if !keyPattern.MatchString(k) {
		t.Fatalf("the 101 carries no session cookie: %v", resp.Header)
	}
	if _, ok := a.store.get(k); !ok {
		t.Errorf("the cookie's session %s is not in the store", k)
	}
	if r.cookieValue("csrftoken") != "t0k" {
		t.Errorf("the handler's own cookie is missing from the header: %v", resp.Header)
	}
	if resp.Header.Get("Vary") != "Cookie" {
		t.Errorf("Vary %q, want Cookie", resp.Header.Get("Vary"))
	}
	if strings.Contains(a.logs.String(), "level=ERROR") {
		t.Errorf("an upgrade that took the header logged an error:\n%s", a.logs)
	}
}

func TestAHijackThatLeavesTheSessionCookieBehindIsLoggedAsAnError(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	a.r.GET("/ws/:change", func(c *gin.Context) {
		if c.Param("change") == "write" {
			ginsession.From(c).Set("room", "lobby")
		} else {
			ginsession.From(c).Get("room")
		}
		hijackAndSwitch(c, nil)
	})
	cookie := "sessionid=" + a.newSessionKey()
	switchProtocols(t, a, "/ws/read", cookie)
	if strings.Contains(a.logs.String(), "level=ERROR") {
		t.Fatalf("a hijack with no cookie to send logged an error:\n%s", a.logs)
	}
	switchProtocols(t, a, "/ws/write", "")
	logs := a.logs.String()
	if !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "ginsession.UpgradeHeader(c)") || !strings.Contains(logs, "path=/ws/write") {
		t.Fatalf("the dropped cookie was not logged as an ERROR naming UpgradeHeader:\n%s", logs)
	}
}

func TestUpgradeHeaderReportsASessionThatCannotBeSaved(t *testing.T) {
	boom := errors.New("disk on fire")
	a := newApp(t, nil)
	a.store.fail("Create", boom)
	var got error
	a.r.GET("/ws", func(c *gin.Context) {
		ginsession.From(c).Set("room", "lobby")
		h, err := ginsession.UpgradeHeader(c)
		got = err
		if err != nil {
			return // the README's instruction: the ErrorHandler has answered
		}
		hijackAndSwitch(c, h)
	})
	r := a.get("/ws", "")
	if !errors.Is(got, boom) {
		t.Errorf("UpgradeHeader returned %v, want the store's error", got)
	}
	if r.StatusCode != http.StatusInternalServerError || r.cookie("sessionid") != "" {
		t.Errorf("answered %d with Set-Cookie %q, want a 500 without a cookie", r.StatusCode, r.cookie("sessionid"))
	}
}
