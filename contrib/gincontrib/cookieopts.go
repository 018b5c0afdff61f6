package gincontrib

import (
	"fmt"
	"net/http"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"
)

// Options applies gin-contrib's cookie options to this session: MaxAge
// becomes its expiry (a positive MaxAge, in seconds, SetExpiry; 0 a cookie
// that ends with the browser; a negative one ends the session with Flush),
// and Secure, HttpOnly and SameSite are set on its cookie in this response,
// as given: a false field turns the attribute off, as in gin-contrib. The
// expiry stays with the session, as ginsession keeps it, where gin-contrib
// forgot it at the next request. A Path or Domain other than the
// middleware's (empty means the middleware's) is not honoured, since
// ginsession could no longer delete such a cookie at logout: the response
// keeps the middleware's, and the refusal is logged and added to c.Errors
// wrapping ErrOptionNotHonoured.
func (s *session) Options(o sessions.Options) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case o.MaxAge < 0:
		if err := s.gs.Flush(); err != nil {
			s.rq.m.cfg.log.Error("gincontrib: Options with a negative MaxAge could not end the session", "session", s.name, "error", err.Error())
			_ = s.rq.outer.Error(err)
		}
		s.ended = true
	default:
		s.gs.SetExpiry(seconds(o.MaxAge))
		s.ended = false
	}
	s.opts = &o
}

// cookieWriter sits under the ginsession writers. When the status line goes
// out they have added their Set-Cookie lines, and it applies each session's
// Options to its own.
type cookieWriter struct {
	gin.ResponseWriter
	rq   *request
	done bool
}

// WriteHeader is called by gin's writer only as the status line is sent.
func (w *cookieWriter) WriteHeader(code int) {
	if !w.done {
		w.done = true
		w.applyOptions()
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *cookieWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *cookieWriter) applyOptions() {
	h := w.Header()
	lines := h["Set-Cookie"]
	for _, s := range w.rq.sessions {
		if s == nil {
			continue
		}
		s.mu.Lock()
		o := s.opts
		s.mu.Unlock()
		if o == nil {
			continue
		}
		for i, line := range lines {
			c, err := http.ParseSetCookie(line)
			if err != nil || c.Name != s.name || c.MaxAge < 0 {
				continue // not this session's cookie, or its deletion
			}
			w.refuse(s, "Path", o.Path, c.Path)
			w.refuse(s, "Domain", o.Domain, c.Domain)
			c.Secure, c.HttpOnly, c.SameSite = o.Secure, o.HttpOnly, o.SameSite
			lines[i] = c.String()
		}
	}
}

// refuse reports an Options field that asked for other than the cookie has.
func (w *cookieWriter) refuse(s *session, field, want, have string) {
	if want == "" || want == have {
		return
	}
	err := fmt.Errorf("%w: session %q asked for cookie %s %q; it keeps the middleware's, %q (set it with ginsession.WithCookie%s)", ErrOptionNotHonoured, s.name, field, want, have, field)
	w.rq.m.cfg.log.Warn(err.Error())
	_ = w.rq.outer.Error(err)
}
