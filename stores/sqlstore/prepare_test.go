package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// heldPrepares wraps s's prepare so that preparing the Load statement waits
// for release (or for the prepare's own context) before it reaches the
// database; entered receives once per such prepare, and count counts them.
type heldPrepares struct {
	entered chan struct{}
	release chan struct{}
	count   atomic.Int32
}

func holdLoadPrepare(s *Store) *heldPrepares {
	h := &heldPrepares{entered: make(chan struct{}, 100), release: make(chan struct{})}
	real := s.prepare
	s.prepare = func(ctx context.Context, q string) (*sql.Stmt, error) {
		if q == s.queries[opLoad] {
			h.count.Add(1)
			h.entered <- struct{}{}
			select {
			case <-h.release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return real(ctx, q)
	}
	return h
}

// waitLong bounds waits for events that must happen: long enough for a
// stalled 2-core machine, and reached only when the test fails.
const waitLong = 20 * time.Second

func TestCancelledFirstCallerDoesNotFailThePrepare(t *testing.T) {
	s := newStore(t, sqliteDB(t))
	h := holdLoadPrepare(s)
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := s.Load(first, stores.NewKey())
		firstErr <- err
	}()
	<-h.entered
	cancel()
	select {
	case err := <-firstErr:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled first Load = %v, want context.Canceled", err)
		}
	case <-time.After(waitLong):
		t.Fatal("a cancelled caller kept waiting for the prepare")
	}
	// The prepare the first caller started goes on, under its own context,
	// and serves the next caller: nobody prepares again.
	close(h.release)
	if _, err := s.Load(context.Background(), stores.NewKey()); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Load after the first caller gave up = %v, want ErrNotFound", err)
	}
	if n := h.count.Load(); n != 1 {
		t.Errorf("the Load statement was prepared %d times, want 1", n)
	}
}

func TestSlowPrepareDelaysNoOtherStatement(t *testing.T) {
	s := newStore(t, sqliteDB(t))
	h := holdLoadPrepare(s)
	defer close(h.release)
	go s.Load(context.Background(), stores.NewKey())
	<-h.entered
	done := make(chan error, 1)
	go func() {
		_, err := s.Exists(context.Background(), stores.NewKey())
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Exists while Load's prepare hangs = %v", err)
		}
	case <-time.After(waitLong):
		t.Fatal("Exists waited for another statement's prepare")
	}
}

func TestConcurrentCallersShareOnePrepare(t *testing.T) {
	s := newStore(t, sqliteDB(t))
	h := holdLoadPrepare(s)
	const callers = 16
	var started, wg sync.WaitGroup
	errs := make(chan error, callers)
	started.Add(callers)
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			_, err := s.Load(context.Background(), stores.NewKey())
			errs <- err
		}()
	}
	<-h.entered
	started.Wait()
	// Every caller has started; give the stragglers time to join the prepare
	// in flight (a late one finds the statement ready, which counts the same).
	time.Sleep(50 * time.Millisecond)
	close(h.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, stores.ErrNotFound) {
			t.Errorf("Load = %v, want ErrNotFound", err)
		}
	}
	if n := h.count.Load(); n != 1 {
		t.Errorf("%d callers prepared the statement %d times, want once", callers, n)
	}
}

func TestFailedPrepareIsRetriedByTheNextCaller(t *testing.T) {
	s := newStore(t, sqliteDB(t))
	real := s.prepare
	var calls atomic.Int32
	boom := errors.New("prepare failed")
	s.prepare = func(ctx context.Context, q string) (*sql.Stmt, error) {
		if q == s.queries[opLoad] && calls.Add(1) == 1 {
			return nil, boom
		}
		return real(ctx, q)
	}
	if _, err := s.Load(context.Background(), stores.NewKey()); !errors.Is(err, boom) {
		t.Fatalf("first Load = %v, want the prepare's error", err)
	}
	if _, err := s.Load(context.Background(), stores.NewKey()); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("second Load = %v, want ErrNotFound after a fresh prepare", err)
	}
}

func TestCloseDuringAPrepareLeavesNoStatement(t *testing.T) {
	s := newStore(t, sqliteDB(t))
	h := holdLoadPrepare(s)
	errc := make(chan error, 1)
	go func() {
		_, err := s.Load(context.Background(), stores.NewKey())
		errc <- err
	}()
	<-h.entered
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	close(h.release)
	if err := <-errc; !errors.Is(err, errClosed) {
		t.Errorf("Load whose prepare outlived Close = %v, want errClosed", err)
	}
	if p := s.stmts[opLoad]; p != nil && p.st != nil {
		t.Error("a statement prepared after Close was kept")
	}
}
