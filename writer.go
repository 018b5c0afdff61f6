package ginsession

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
)

// writer states.
const (
	open       = iota // nothing sent; the session is not committed yet
	committed         // session headers added; writes pass through
	writingErr        // the ErrorHandler is answering; writes pass through
	failed            // the error answer is out; the handler's writes are dropped
)

// responseWriter commits the session at the last moment before the status
// line goes out: the first Write, WriteHeaderNow, Flush or Hijack, or the end
// of the handler chain. Nothing is buffered, so streaming keeps working.
//
// It is the Session under another type, (*responseWriter)(s), so that its
// methods stay off the Session's; it writes through s.inner and keeps its
// state in s.wstate.
type responseWriter Session

// session is the Session this writer is.
func (w *responseWriter) session() *Session { return (*Session)(w) }

var errCommitFailed = errors.New("ginsession: the session could not be saved; the error response was sent instead")

// commit runs the session's commit once; on failure the ErrorHandler
// answers instead of the handler.
func (w *responseWriter) commit() { w.commitStatus(w.inner.Status()) }

// commitStatus is commit for a response of the given status; it returns the
// failure the ErrorHandler answered.
func (w *responseWriter) commitStatus(status int) error {
	if w.wstate != open {
		return nil
	}
	w.wstate = committed
	err := w.session().commit(status, w.inner)
	if err != nil {
		w.fail(err)
	}
	return err
}

// abandon ends a request that panicked after the middleware, as Django's
// 500 does: what was not committed yet never is, whatever a recovery
// middleware before this one answers. The panic goes on.
func (w *responseWriter) abandon() {
	w.session().end(w.c.Request)
	if w.wstate == open {
		w.wstate = committed
	}
}

func (w *responseWriter) fail(err error) {
	log := w.m.log
	attrs := []any{slog.String("method", w.c.Request.Method), slog.String("path", w.c.Request.URL.Path), slog.String("error", err.Error())}
	switch {
	case errors.Is(err, ErrSessionInterrupted):
		log.Warn("ginsession: session deleted by a concurrent request; not saved", attrs...)
	case errors.Is(err, context.Canceled) && w.c.Request.Context().Err() != nil:
		// The client hung up; nobody is waiting for the answer.
		log.Info("ginsession: client went away before the session was stored", attrs...)
	default:
		log.Error("ginsession: session store failed; answering with the error handler", attrs...)
	}
	// Whatever the handler meant to send no longer holds.
	h := w.inner.Header()
	for _, k := range []string{"Location", "Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "Etag", "Last-Modified"} {
		h.Del(k)
	}
	w.wstate = writingErr
	w.m.opts.ErrorHandler(w.c, err)
	if !w.inner.Written() {
		if w.inner.Status() < http.StatusBadRequest {
			w.inner.WriteHeader(http.StatusInternalServerError)
		}
		w.inner.WriteHeaderNow()
	}
	w.wstate = failed
}

// WriteHeader records the status, as gin's writer does; it is not sent yet.
func (w *responseWriter) WriteHeader(code int) {
	if w.wstate == failed {
		return
	}
	w.inner.WriteHeader(code)
}

// WriteHeaderNow commits the session, then sends the status line.
func (w *responseWriter) WriteHeaderNow() {
	w.commit()
	if w.wstate == failed {
		return
	}
	w.inner.WriteHeaderNow()
}

// Write commits the session before the first byte goes out.
func (w *responseWriter) Write(b []byte) (int, error) {
	w.commit()
	if w.wstate == failed {
		return len(b), nil
	}
	return w.inner.Write(b)
}

// WriteString commits the session before the first byte goes out.
func (w *responseWriter) WriteString(s string) (int, error) {
	w.commit()
	if w.wstate == failed {
		return len(s), nil
	}
	return w.inner.WriteString(s)
}

// Flush commits the session, then flushes.
func (w *responseWriter) Flush() {
	w.commit()
	w.inner.Flush()
}

// Hijack commits the session before handing the connection over; see
// UpgradeHeader for getting its cookie into the hijacker's status line.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.commitForHijack()
	if w.wstate == failed {
		return nil, nil, errCommitFailed
	}
	return w.inner.Hijack()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.inner }

// The rest of gin.ResponseWriter passes through.

func (w *responseWriter) Header() http.Header      { return w.inner.Header() }
func (w *responseWriter) Status() int              { return w.inner.Status() }
func (w *responseWriter) Size() int                { return w.inner.Size() }
func (w *responseWriter) Written() bool            { return w.inner.Written() }
func (w *responseWriter) Pusher() http.Pusher      { return w.inner.Pusher() }
func (w *responseWriter) CloseNotify() <-chan bool { return w.inner.CloseNotify() }

var _ gin.ResponseWriter = (*responseWriter)(nil)
