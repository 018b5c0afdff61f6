package stores_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// The tests run in a synctest bubble: time is fake, so an hour of janitor
// work takes no time, and the bubble fails the test if the janitor's
// goroutine is still alive when the test function returns.

func TestJanitorClearsExpiredRecordsUntilStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := testenv.Must(memstore.New())
		if err := s.Create(ctx, stores.NewKey(), []byte("short"), time.Now().Add(90*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, stores.NewKey(), []byte("long"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		stop := mustStartJanitor(t, ctx, s, time.Minute)

		time.Sleep(61 * time.Second) // first sweep: nothing has expired yet
		synctest.Wait()
		if n := s.Len(); n != 2 {
			t.Fatalf("Len after the first sweep = %d, want 2", n)
		}
		time.Sleep(time.Minute) // second sweep, after the short record expired
		synctest.Wait()
		if n := s.Len(); n != 1 {
			t.Fatalf("Len after the second sweep = %d, want 1", n)
		}

		stop()
		stop() // a second stop is harmless
		if err := s.Create(ctx, stores.NewKey(), []byte("dead"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if n := s.Len(); n != 2 {
			t.Fatalf("Len ten minutes after stop = %d, want 2: the janitor kept running", n)
		}
	})
}

func TestJanitorStopsWhenItsContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		s := testenv.Must(memstore.New())
		mustStartJanitor(t, ctx, s, time.Minute)
		cancel()
		synctest.Wait()
		if err := s.Create(context.Background(), stores.NewKey(), []byte("dead"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if n := s.Len(); n != 1 {
			t.Fatalf("Len ten minutes after cancel = %d, want 1: the janitor kept running", n)
		}
		// Returning with the goroutine alive would fail the bubble.
	})
}

func TestJanitorRefusesANonPositiveInterval(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Second} {
		stop, err := stores.StartJanitor(context.Background(), testenv.Must(memstore.New()), d, nil)
		if !errors.Is(err, stores.ErrBadInterval) || stop != nil {
			t.Fatalf("StartJanitor(%v) = %v, want ErrBadInterval and no stop", d, err)
		}
		if !strings.Contains(err.Error(), "positive interval") {
			t.Fatalf("error = %q, want a message naming the fix", err)
		}
	}
}

// failing is a store whose ClearExpired fails until its context ends.
type failing struct{ stores.Store }

func (failing) ClearExpired(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.New("disk on fire")
}

func TestJanitorLogsAFailedSweepAndGoesOn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var logs strings.Builder
		log := slog.New(slog.NewTextHandler(&logs, nil))
		stop := mustStartJanitorLog(t, context.Background(), failing{testenv.Must(memstore.New())}, time.Minute, log)
		time.Sleep(150 * time.Second)
		synctest.Wait()
		stop()
		if n := strings.Count(logs.String(), "disk on fire"); n != 2 {
			t.Fatalf("two failed sweeps logged %d times:\n%s", n, logs.String())
		}
	})
}

func mustStartJanitor(t *testing.T, ctx context.Context, s stores.Store, d time.Duration) func() {
	return mustStartJanitorLog(t, ctx, s, d, nil)
}

func mustStartJanitorLog(t *testing.T, ctx context.Context, s stores.Store, d time.Duration, log *slog.Logger) func() {
	t.Helper()
	stop, err := stores.StartJanitor(ctx, s, d, log)
	if err != nil {
		t.Fatal(err)
	}
	return stop
}
