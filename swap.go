package ginsession

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// swapAttempts bounds the conditional saves of one session in one request.
// Each failed attempt means another request's save went through; past the
// bound the request fails (500) rather than overwrite them.
const swapAttempts = 32

// Backoff between attempts (see pause): the retry right after a conflict,
// which brings the record's new data, is immediate; the next waits a random
// time under a limit that doubles from pauseBase to pauseMax, so writers in
// different processes spread out; and so on, alternating.
const (
	pauseBase = 500 * time.Microsecond
	pauseMax  = 50 * time.Millisecond
)

// swap saves data over the record provided it still holds s.base. When a
// concurrent request saved it meanwhile, this request's changes are
// replayed on the record's new data, which comes back with the conflict,
// and the save tried again. A record that vanished (a concurrent logout) is
// ErrSessionInterrupted. s.mu is held.
func (b *serverBackend) swap(s *Session, data []byte, now time.Time) ([]byte, error) {
	mu := saveLock(s.key)
	mu.Lock()
	defer mu.Unlock()
	for attempt := 1; ; attempt++ {
		ctx, cancel := s.storeContext()
		current, err := b.swapper.CompareAndSwap(ctx, s.m.stored(s.key), s.base, data, s.expiryDateLocked(now))
		if errors.Is(err, errors.ErrUnsupported) {
			cancel()
			b.unswappable.Store(true)
			return b.update(s, data, now)
		}
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
		s.observe(Event{Op: OpSave, Outcome: OutcomeConflict, Attempts: attempt}, s.key, time.Time{})
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

// pause waits, after every second conflict, before attempt+1 of a
// conditional write. It returns early with the context's error.
func pause(ctx context.Context, attempt int) error {
	if attempt%2 == 1 {
		return ctx.Err()
	}
	limit := min(pauseBase<<min(attempt/2-1, 16), pauseMax)
	t := time.NewTimer(rand.N(limit) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// saveLocks serialise, within this process, the conditional writes of one
// session key (striped by hash). The store's compare-and-swap keeps saves
// correct; the locks keep them fair: without them, one of 16 goroutines
// saving one session lost the race 32 times running
// (TestManyRequestsHammeringOneSession).
var (
	saveLocks    [1024]sync.Mutex
	saveLockSeed = maphash.MakeSeed()
)

// saveLock is the lock of key's conditional writes.
func saveLock(key string) *sync.Mutex {
	return &saveLocks[maphash.String(saveLockSeed, key)%uint64(len(saveLocks))]
}
