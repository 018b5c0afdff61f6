package main

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/messages"
)

// devices lists the user's sessions: this browser first, then the others,
// newest activity first, each with a sign-out button.
func (s *server) devices(c *gin.Context) {
	p, err := s.newPage(c, "Devices")
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Devices, err = auth.Sessions(c)
	switch {
	case errors.Is(err, auth.ErrNoIndex):
		p.NoIndex = true
	case err != nil:
		s.fail(c, err)
		return
	}
	for _, d := range p.Devices {
		if !d.Current {
			p.Others++
		}
	}
	s.render(c, http.StatusOK, "devices", p)
}

// noIndex answers a sign-out form posted to a store that keeps no list of
// sessions (the cookie store), which the Devices page never offers: a 409,
// not a failure of the site.
func (s *server) noIndex(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.String(http.StatusConflict, "This site keeps your session in your browser's cookie, so it cannot sign out other devices.")
}

// endDevice signs out the device whose handle the form carries.
func (s *server) endDevice(c *gin.Context) {
	err := auth.EndSession(c, c.PostForm("handle"))
	switch {
	case errors.Is(err, auth.ErrNoIndex):
		s.noIndex(c)
		return
	case errors.Is(err, auth.ErrNoSuchSession):
		err = messages.Warning(c, "That device was signed out already.")
	case err != nil:
		s.fail(c, err)
		return
	default:
		err = messages.Success(c, "The device is signed out.")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, ok := auth.UserID(c); !ok { // it was this browser
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	c.Redirect(http.StatusSeeOther, "/devices")
}

// endOtherDevices signs out every device but this one.
func (s *server) endOtherDevices(c *gin.Context) {
	n, err := auth.EndOtherSessions(c)
	if errors.Is(err, auth.ErrNoIndex) {
		s.noIndex(c)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	msg := "No other device was signed in."
	switch {
	case n == 1:
		msg = "1 other device is signed out."
	case n > 1:
		msg = strconv.Itoa(n) + " other devices are signed out."
	}
	if err := messages.Success(c, msg); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/devices")
}
