package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/stores/memstore"
)

// ExampleSessions is a devices page: the user's sessions, a sign-out button
// for each, and "sign out all other devices".
func ExampleSessions() {
	store, err := memstore.New() // or sqlstore.New(db, sqlstore.WithIndexTable(sqlstore.DefaultIndexTable)), ...
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store,
		ginsession.WithSecretKey("example-secret-of-at-least-32-bytes!"),
		ginsession.WithUserIndex(ginsession.UserIndex{}), // the store records each login
	))
	r.POST("/login", func(c *gin.Context) { _ = auth.Login(c, &account{ID: 42}, "") })
	r.GET("/devices", func(c *gin.Context) {
		devices, err := auth.Sessions(c) // newest activity first; this one has Current set
		if errors.Is(err, auth.ErrNotLoggedIn) {
			c.String(http.StatusUnauthorized, "please log in\n")
			return
		}
		if err != nil {
			c.String(http.StatusInternalServerError, "try again later")
			return
		}
		for _, d := range devices {
			fmt.Fprintf(c.Writer, "%s current=%v handle=%d chars\n", d.UserAgent, d.Current, len(d.Handle))
		}
	})
	r.POST("/devices/end", func(c *gin.Context) {
		err := auth.EndSession(c, c.PostForm("handle")) // only the current user's own sessions
		if errors.Is(err, auth.ErrNoSuchSession) {
			c.String(http.StatusNotFound, "no such device")
			return
		}
		if err != nil {
			c.String(http.StatusInternalServerError, "try again later")
			return
		}
		c.Redirect(http.StatusSeeOther, "/devices")
	})
	r.POST("/devices/end-others", func(c *gin.Context) {
		n, err := auth.EndOtherSessions(c)
		if err != nil {
			c.String(http.StatusInternalServerError, "try again later")
			return
		}
		c.String(http.StatusOK, "%d other devices signed out\n", n)
	})

	// Two browsers log in; the first lists both, then signs the other out.
	login := func(agent string) string {
		w := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/login", nil)
		req.Header.Set("User-Agent", agent)
		r.ServeHTTP(w, req)
		return strings.Split(w.Header().Get("Set-Cookie"), ";")[0]
	}
	laptop, phone := login("laptop"), login("phone")
	get := func(method, path, cookie string) string {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Cookie", cookie)
		r.ServeHTTP(w, req)
		return w.Body.String()
	}
	fmt.Print(get("GET", "/devices", laptop))
	fmt.Print(get("POST", "/devices/end-others", laptop))
	fmt.Print(get("GET", "/devices", phone))

	// An admin tool or an account lockout, without a request:
	n, err := auth.EndUserSessions(context.Background(), store, "42")
	fmt.Println(n, err)
	// Output:
	// laptop current=true handle=22 chars
	// phone current=false handle=22 chars
	// 1 other devices signed out
	// please log in
	// 1 <nil>
}
