package ginsession

import (
	"log/slog"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
)

// UpgradeHeader commits the session now and returns the response's
// Set-Cookie and Vary headers, for a handler that hijacks the connection and
// writes its own status line, such as a WebSocket upgrade with
// gorilla/websocket:
//
//	h, err := ginsession.UpgradeHeader(c)
//	if err != nil {
//		return // the ErrorHandler has answered; do not upgrade
//	}
//	conn, err := upgrader.Upgrade(c.Writer, c.Request, h)
//
// The commit is the one made before any status line: a save when
// modified, and the cookie (new, refreshed, cycled or deleted) in the
// returned header with every other Set-Cookie the handler added; the header
// is the caller's to change. The same headers stay on c.Writer, so an
// upgrade refused before the hijack still sends them. On a store failure
// nothing is saved, the error is returned (errors.Is ErrSessionInterrupted
// after a concurrent logout) and the ErrorHandler has answered. Changes
// made after UpgradeHeader are not saved, as after any response.
//
// coder/websocket's Accept needs no call: it sends c.Writer's headers. A
// hijack that would drop a session cookie is logged as an error naming
// this function.
func UpgradeHeader(c *gin.Context) (http.Header, error) {
	w := (*responseWriter)(From(c))
	if err := w.commitStatus(http.StatusSwitchingProtocols); err != nil {
		return nil, err
	}
	if w.wstate == failed {
		return nil, errCommitFailed
	}
	h := w.inner.Header()
	out := make(http.Header, 2)
	for _, k := range []string{"Set-Cookie", "Vary"} {
		if v := h[k]; len(v) > 0 {
			out[k] = slices.Clone(v)
		}
	}
	return out, nil
}

// commitForHijack commits the session before the connection is handed over.
// A status line not yet sent through net/http is the hijacker's to write,
// and c.Writer's headers never reach it: a session cookie added now would be
// dropped without a word (after CycleKey the user is logged out), so it is
// logged as an error that names the fix.
func (w *responseWriter) commitForHijack() {
	if w.wstate != open {
		return // sent already, or taken by UpgradeHeader
	}
	h := w.inner.Header()
	before := len(h["Set-Cookie"])
	w.commit()
	if w.wstate == committed && len(h["Set-Cookie"]) > before {
		w.m.log.Error("ginsession: connection hijacked before the session cookie was sent; the client does not get it: "+
			"call ginsession.UpgradeHeader(c) before the upgrade and pass its header to it (gorilla/websocket: upgrader.Upgrade(c.Writer, c.Request, h))",
			slog.String("method", w.c.Request.Method), slog.String("path", w.c.Request.URL.Path))
	}
}
