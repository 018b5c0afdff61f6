package ginsession

import (
	"context"
	"sync"
	"time"
)

// callContext is the context of one store call under StoreTimeout: the
// request's values, and a deadline StoreTimeout after the call began (or
// the request's own, if sooner). A store client that bounds its socket
// reads and writes by the deadline (go-redis) needs nothing more; one that
// watches for cancellation (database/sql) asks for Done, and only then is a
// timer started, ending the context at the deadline or with the request,
// as context.WithDeadline would.
type callContext struct {
	request  context.Context
	deadline time.Time

	mu      sync.Mutex
	watched context.Context // made by the first Done, or by end
	cancel  context.CancelFunc
}

// withStoreDeadline returns the context of one store call bounded by
// timeout, and the func that ends it, which the caller defers.
func withStoreDeadline(request context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	deadline := time.Now().Add(timeout)
	if d, ok := request.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	c := &callContext{request: request, deadline: deadline}
	return c, c.end
}

// Deadline reports when the call must end.
func (c *callContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Value returns the request's value for key (a tracing span, a logger).
func (c *callContext) Value(key any) any { return c.request.Value(key) }

// Done returns a channel closed at the deadline, when the request's
// context ends, or when the call has ended.
func (c *callContext) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watched == nil {
		c.watched, c.cancel = context.WithDeadline(c.request, c.deadline)
	}
	return c.watched.Done()
}

// Err reports why the context has ended, as context.WithDeadline's does,
// without starting a timer: a store may check it before it starts a call.
func (c *callContext) Err() error {
	c.mu.Lock()
	w := c.watched
	c.mu.Unlock()
	if w != nil {
		return w.Err()
	}
	if err := c.request.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// end ends the context, stopping its timer if one was started; a Done
// asked for afterwards is closed already.
func (c *callContext) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.watched == nil {
		c.watched, c.cancel = context.WithCancel(context.Background())
	}
	c.cancel()
}
