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
type responseWriter struct {
	gin.ResponseWriter
	s     *Session
	c     *gin.Context
	state uint8
}

var errCommitFailed = errors.New("ginsession: the session could not be saved; the error response was sent instead")

// commit runs the session's commit once; on failure the ErrorHandler
// answers instead of the handler.
func (w *responseWriter) commit() {
	if w.state == open {
		w.commitStatus(w.ResponseWriter.Status())
	}
}

// commitStatus is commit for a response of the given status; it returns the
// failure the ErrorHandler answered.
func (w *responseWriter) commitStatus(status int) error {
	if w.state != open {
		return nil
	}
	w.state = committed
	err := w.s.commit(status, w.ResponseWriter)
	if err != nil {
		w.fail(err)
	}
	return err
}

func (w *responseWriter) fail(err error) {
	log := w.s.m.log
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
	h := w.ResponseWriter.Header()
	for _, k := range []string{"Location", "Content-Type", "Content-Length", "Content-Encoding", "Content-Disposition", "Etag", "Last-Modified"} {
		h.Del(k)
	}
	w.state = writingErr
	w.s.m.opts.ErrorHandler(w.c, err)
	if !w.ResponseWriter.Written() {
		if w.ResponseWriter.Status() < http.StatusBadRequest {
			w.ResponseWriter.WriteHeader(http.StatusInternalServerError)
		}
		w.ResponseWriter.WriteHeaderNow()
	}
	w.state = failed
}

// WriteHeader records the status, as gin's writer does; it is not sent yet.
func (w *responseWriter) WriteHeader(code int) {
	if w.state == failed {
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

// WriteHeaderNow commits the session, then sends the status line.
func (w *responseWriter) WriteHeaderNow() {
	w.commit()
	if w.state == failed {
		return
	}
	w.ResponseWriter.WriteHeaderNow()
}

// Write commits the session before the first byte goes out.
func (w *responseWriter) Write(b []byte) (int, error) {
	w.commit()
	if w.state == failed {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// WriteString commits the session before the first byte goes out.
func (w *responseWriter) WriteString(s string) (int, error) {
	w.commit()
	if w.state == failed {
		return len(s), nil
	}
	return w.ResponseWriter.WriteString(s)
}

// Flush commits the session, then flushes.
func (w *responseWriter) Flush() {
	w.commit()
	w.ResponseWriter.Flush()
}

// Hijack commits the session before handing the connection over; see
// UpgradeHeader for getting its cookie into the hijacker's status line.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.commitForHijack()
	if w.state == failed {
		return nil, nil, errCommitFailed
	}
	return w.ResponseWriter.Hijack()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
