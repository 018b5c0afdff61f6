package ginsession

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// swapAttempts bounds the conditional saves of one session in one request.
// Each failed attempt means another request's save went through, so the
// bound is only reached when dozens of requests change one session at the
// same instant, again and again; the request then fails (500) rather than
// overwrite them.
const swapAttempts = 32

// Backoff between attempts: the first retry is immediate (the conflict
// came with the record's new data), later ones wait a random time up to a
// limit that doubles from pauseBase to pauseMax, so writers that collided
// spread out instead of colliding again.
const (
	pauseBase = 500 * time.Microsecond
	pauseMax  = 50 * time.Millisecond
)

// swap saves data over the record the session was loaded from, provided
// the record still holds what was loaded (s.base). When a concurrent
// request saved it meanwhile, the record's new data comes back with the
// conflict: this request's changes are replayed on top of it (see
// journal.go) and the save tried again. A record that vanished is a
// concurrent logout, ErrSessionInterrupted. s.mu is held.
func (b *serverBackend) swap(s *Session, data []byte, now time.Time) ([]byte, error) {
	for attempt := 1; ; attempt++ {
		ctx, cancel := s.storeContext()
		current, err := b.swapper.CompareAndSwap(ctx, s.key, s.base, data, s.expiryDateLocked(now))
		if err == nil || !errors.Is(err, stores.ErrConflict) {
			cancel()
			if err != nil {
				return nil, b.saveError(s.key, err)
			}
			return data, nil
		}
		if attempt == swapAttempts {
			cancel()
			return nil, fmt.Errorf("ginsession: save session %s: still changed by concurrent requests after %d attempts: %w", shortKey(s.key), attempt, err)
		}
		s.replay(current)
		if data, err = s.encode(); err != nil {
			cancel()
			return nil, err
		}
		err = pause(ctx, attempt)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("ginsession: save session %s: %w", shortKey(s.key), err)
		}
	}
}

// pause waits before attempt+1 of a conditional write: not at all after
// the first conflict, then a random time under a limit that doubles. It
// returns early with the context's error.
func pause(ctx context.Context, attempt int) error {
	if attempt <= 1 {
		return ctx.Err()
	}
	limit := pauseBase << min(attempt-2, 16)
	limit = min(limit, pauseMax)
	t := time.NewTimer(rand.N(limit) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
