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
// Each failed attempt means another request's save went through, so the
// bound is only reached when dozens of requests change one session at the
// same instant, again and again; the request then fails (500) rather than
// overwrite them.
const swapAttempts = 32

// Backoff between attempts. A conflict comes with the record's new data,
// so the retry right after it is immediate; if that one conflicts too, the
// writer waits a random time under a limit that doubles from pauseBase to
// pauseMax (so writers in different processes spread out), then tries once
// with the data it has, which is stale only if someone wrote meanwhile, and
// so on, alternating.
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

// pause waits, if it must, before attempt+1 of a conditional write: after
// every second conflict, a random time under a limit that doubles. It
// returns early with the context's error.
func pause(ctx context.Context, attempt int) error {
	if attempt%2 == 1 {
		return ctx.Err()
	}
	limit := pauseBase << min(attempt/2-1, 16)
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

// saveLocks serialise, within this process, the conditional writes of one
// session key (striped by hash). Correctness never depends on them: the
// store's compare-and-swap does that, across processes too. They make
// concurrent saves fair: without them, of 16 goroutines saving one
// session 15 times each in one process, one request lost the race 32 times
// running (TestManyRequestsHammeringOneSession on MariaDB); with them a
// save in a lone process conflicts at most once, with the requests that
// saved between its load and its save.
var (
	saveLocks    [1024]sync.Mutex
	saveLockSeed = maphash.MakeSeed()
)

// saveLock is the lock of key's conditional writes.
func saveLock(key string) *sync.Mutex {
	return &saveLocks[maphash.String(saveLockSeed, key)%uint64(len(saveLocks))]
}
