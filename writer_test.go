package ginsession_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

func TestACustomErrorHandlerAnswers(t *testing.T) {
	var got error
	a := newApp(t, nil, ginsession.WithErrorHandler(func(c *gin.Context, err error) {
		got = err
		c.JSON(http.StatusServiceUnavailable, gin.H{"error": "sessions are down"})
	})).standardRoutes()
	k := a.newSessionKey()
	a.store.fail("Load", errors.New("redis: connection pool timeout"))
	r := a.get("/read", "sessionid="+k)
	if r.StatusCode != 503 || r.body != `{"error":"sessions are down"}` {
		t.Fatalf("status %d body %q", r.StatusCode, r.body)
	}
	if got == nil || !strings.Contains(got.Error(), "pool timeout") {
		t.Fatalf("the handler got %v", got)
	}
}

func TestTheSessionCommitsBeforeEveryKindOfResponse(t *testing.T) {
	tests := []struct {
		name    string
		handler gin.HandlerFunc
		status  int
	}{
		{"c.JSON", func(c *gin.Context) { c.JSON(200, gin.H{"a": 1}) }, 200},
		{"c.String", func(c *gin.Context) { c.String(201, "made") }, 201},
		{"c.Data", func(c *gin.Context) { c.Data(200, "text/plain", []byte("x")) }, 200},
		{"c.Redirect", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/elsewhere") }, 303},
		{"c.Status(204)", func(c *gin.Context) { c.Status(http.StatusNoContent) }, 204},
		{"c.AbortWithStatus(403)", func(c *gin.Context) { c.AbortWithStatus(http.StatusForbidden) }, 403},
		{"nothing written", func(c *gin.Context) {}, 200},
		{"c.Writer.WriteHeaderNow", func(c *gin.Context) { c.Status(202); c.Writer.WriteHeaderNow() }, 202},
		{"http.ResponseController.Flush", func(c *gin.Context) {
			if err := http.NewResponseController(c.Writer).Flush(); err != nil {
				panic(err)
			}
		}, 200},
		{"c.Stream", func(c *gin.Context) {
			n := 0
			c.Stream(func(w io.Writer) bool { n++; fmt.Fprintf(w, "chunk %d\n", n); return n < 3 })
		}, 200},
		{"c.SSEvent", func(c *gin.Context) { c.SSEvent("message", "hi"); c.Writer.Flush() }, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, nil)
			a.r.GET("/x", func(c *gin.Context) { ginsession.From(c).Set("seen", true); tc.handler(c) })
			r := a.get("/x", "")
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tc.status)
			}
			k := r.cookieValue("sessionid")
			if !keyPattern.MatchString(k) {
				t.Fatalf("no session cookie: %v", r.Header)
			}
			if _, ok := a.store.get(k); !ok {
				t.Fatal("the session was not stored")
			}
			if r.Header.Get("Vary") != "Cookie" {
				t.Fatalf("Vary %q", r.Header.Get("Vary"))
			}
		})
	}
}

func TestStreamingIsNotBuffered(t *testing.T) {
	a := newApp(t, nil)
	release := make(chan struct{})
	a.r.GET("/events", func(c *gin.Context) {
		ginsession.From(c).Set("streaming", true)
		c.SSEvent("first", "1")
		c.Writer.Flush()
		<-release // the client must already hold the first event
		c.SSEvent("second", "2")
	})
	resp, err := http.Get(a.srv.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !keyPattern.MatchString(strings.TrimPrefix(strings.Split(resp.Header.Get("Set-Cookie"), ";")[0], "sessionid=")) {
		t.Fatalf("no session cookie on the stream: %q", resp.Header.Get("Set-Cookie"))
	}
	buf := make([]byte, 64)
	n, err := resp.Body.Read(buf)
	if err != nil || !strings.Contains(string(buf[:n]), "event:first") {
		t.Fatalf("first read %q, %v", buf[:n], err)
	}
	close(release)
	rest, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(rest), "event:second") {
		t.Fatalf("rest %q", rest)
	}
}

// TestAChangeAfterTheResponseIsNotSavedAndIsLoggedAsAnError: the session
// is saved just before the response headers go out, so a Set after the
// handler has written its response cannot reach the store. What this proves
// is that such a late change is dropped loudly: the record holds only what
// was set before the response, and an ERROR names the key that was lost.
func TestAChangeAfterTheResponseIsNotSavedAndIsLoggedAsAnError(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/late", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("early", 1)
		c.String(200, "sent")
		s.Set("too_late", 2)
	})
	r := a.get("/late", "")
	rec, _ := a.store.get(r.cookieValue("sessionid"))
	if string(rec.data) != `{"early":1}` {
		t.Fatalf("stored %q", rec.data)
	}
	if logs := a.logs.String(); !strings.Contains(logs, "level=ERROR") || !strings.Contains(logs, "key=too_late") {
		t.Fatalf("no error naming the key: %s", logs)
	}
}

func TestAClientThatHangsUpMidSaveIsNotLoggedAsAStoreFailure(t *testing.T) {
	a := newApp(t, nil, ginsession.WithStoreTimeout(10*time.Second)).standardRoutes()
	a.store.stall("Create", 5*time.Second)
	client := &http.Client{Timeout: 200 * time.Millisecond}
	if _, err := client.Get(a.srv.URL + "/set?k=a&v=b"); err == nil {
		t.Fatal("the request finished although the store stalled")
	}
	deadline := time.Now().Add(3 * time.Second)
	for !strings.Contains(a.logs.String(), "client went away") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	logs := a.logs.String()
	if !strings.Contains(logs, "level=INFO") || !strings.Contains(logs, "client went away") || strings.Contains(logs, "level=ERROR") {
		t.Fatalf("logs: %s", logs)
	}
}
