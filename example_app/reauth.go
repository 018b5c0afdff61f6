package main

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/messages"
)

// defaultReauthAge is -reauth-age's default: how long a login or a
// confirmed password lets sensitive changes through.
const defaultReauthAge = 10 * time.Minute

// reauthForm asks the logged-in user for their password again, before
// the change at next (auth.RequireRecentLogin sent them here).
func (s *server) reauthForm(c *gin.Context) {
	p, err := s.newPage(c, "Confirm your password")
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Next = auth.SafeNext(c.Query("next"), "/profile")
	s.render(c, http.StatusOK, "reauth", p)
}

// reauth checks the password of the session's own user and records the
// proof (auth.Reauthenticate), then goes back to next.
func (s *server) reauth(c *gin.Context) {
	p, ok := s.userPage(c, "Confirm your password")
	if !ok {
		return
	}
	p.Next = auth.SafeNext(c.PostForm("next"), "/profile")
	u, err := s.users.authenticate(c.Request.Context(), p.User.Name, c.PostForm("password"))
	if errors.Is(err, errBadCredentials) {
		p.Error = "that is not your password"
		s.render(c, http.StatusOK, "reauth", p)
		return
	}
	if err == nil {
		err = auth.Reauthenticate(c, u)
	}
	if err == nil {
		err = messages.Success(c, "Password confirmed.")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, p.Next)
}
