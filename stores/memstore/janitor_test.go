package memstore_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// The tests run in a synctest bubble: time is fake, so an hour of janitor
// work takes no time, and the bubble fails the test if the janitor's
// goroutine is still alive when the test function returns.

func TestJanitorClearsExpiredRecordsUntilStopped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		s := memstore.New()
		if err := s.Create(ctx, stores.NewKey(), []byte("short"), time.Now().Add(90*time.Second)); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, stores.NewKey(), []byte("long"), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		stop := s.StartJanitor(ctx, time.Minute)

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
		s := memstore.New()
		s.StartJanitor(ctx, time.Minute)
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
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "positive interval") {
			t.Fatalf("panic = %q, want a message naming the fix", msg)
		}
	}()
	memstore.New().StartJanitor(context.Background(), 0)
}
