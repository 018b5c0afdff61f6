package memstore

import (
	"context"
	"time"
)

// StartJanitor starts a goroutine that calls ClearExpired every interval, so
// expired sessions stop holding memory without a cron job. The goroutine
// ends when ctx is done or when the returned stop is called; stop waits for
// it to end and may be called more than once. A non-positive interval is a
// start-up mistake and panics.
func (s *Store) StartJanitor(ctx context.Context, interval time.Duration) (stop func()) {
	if interval <= 0 {
		panic("memstore: StartJanitor needs a positive interval, such as time.Minute")
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
				// ClearExpired fails only when ctx is done, which the next
				// turn of the loop notices.
				_ = s.ClearExpired(ctx)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
