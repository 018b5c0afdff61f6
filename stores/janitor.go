package stores

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ErrBadInterval reports a janitor interval that is not positive.
var ErrBadInterval = errors.New("stores: the janitor needs a positive interval, such as time.Hour")

// StartJanitor starts a goroutine that calls store.ClearExpired every
// interval: the purge Django leaves to a cron'd clearsessions, and what keeps
// expired records of an in-memory store from holding memory. A failed sweep
// is logged to log (slog.Default() when nil) and retried on the next tick.
//
// The goroutine ends when ctx is done or stop is called; stop waits for it to
// end (a sweep in progress sees its context cancelled) and may be called more
// than once. An interval that is not positive is refused with an error
// wrapping ErrBadInterval, and nothing is started.
//
// A cookie store's ClearExpired has nothing to do.
func StartJanitor(ctx context.Context, store Store, interval time.Duration, log *slog.Logger) (stop func(), err error) {
	if interval <= 0 {
		return nil, fmt.Errorf("%w (got %v)", ErrBadInterval, interval)
	}
	if store == nil {
		return nil, errors.New("stores: StartJanitor needs a store")
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := store.ClearExpired(ctx); err != nil && ctx.Err() == nil {
					log.Error("stores: clear expired sessions", slog.String("error", err.Error()))
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}, nil
}
