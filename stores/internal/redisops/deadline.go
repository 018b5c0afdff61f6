package redisops

import "context"

// Bounded returns do as both Redis stores use it: a command whose context
// has ended is not sent (its error is returned), and one that is sent gets
// the context's deadline and values but not its cancellation (a context
// whose Done is nil). go-redis bounds each socket read and write by the
// deadline, so a call still ends by then, and v8 runs a command in the
// calling goroutine only when Done is nil: for any other context it starts
// a goroutine per command to watch it. The cost: a call whose caller gave
// up meanwhile (a request whose client went away) runs on until Redis
// answers or the deadline passes (the client's ReadTimeout, when the
// context has none).
func Bounded(do Do) Do {
	return func(ctx context.Context, args ...any) (any, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return do(deadlineOnly{ctx}, args...)
	}
}

// BoundedPipe is Bounded for a Pipe.
func BoundedPipe(pipe Pipe) Pipe {
	return func(ctx context.Context, first, second []any) (Reply, Reply) {
		if err := ctx.Err(); err != nil {
			return Reply{Err: err}, Reply{Err: err}
		}
		return pipe(deadlineOnly{ctx}, first, second)
	}
}

// deadlineOnly is a context's deadline and values without its
// cancellation.
type deadlineOnly struct{ context.Context }

// Done returns nil: the context is never cancelled, only bounded by its
// deadline.
func (deadlineOnly) Done() <-chan struct{} { return nil }

// Err returns nil, as Done never closes.
func (deadlineOnly) Err() error { return nil }
