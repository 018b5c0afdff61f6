package ginsession

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

type requestKey struct{}

// TestAStoreCallContextCarriesTheRequestsValuesAndTheSoonerDeadline checks
// what a store client reads without asking for Done: the request's values,
// and the sooner of the store timeout and the request's own deadline.
func TestAStoreCallContextCarriesTheRequestsValuesAndTheSoonerDeadline(t *testing.T) {
	request := context.WithValue(context.Background(), requestKey{}, "span")
	before := time.Now()
	ctx, end := withStoreDeadline(request, time.Hour)
	defer end()
	if got := ctx.Value(requestKey{}); got != "span" {
		t.Errorf("Value = %v, want the request's", got)
	}
	if d, ok := ctx.Deadline(); !ok || d.Before(before.Add(time.Hour)) || d.After(time.Now().Add(time.Hour)) {
		t.Errorf("Deadline = %v, %v; want an hour from the call", d, ok)
	}

	soon := time.Now().Add(time.Minute)
	request, cancel := context.WithDeadline(request, soon)
	defer cancel()
	ctx, end = withStoreDeadline(request, time.Hour)
	defer end()
	if d, ok := ctx.Deadline(); !ok || !d.Equal(soon) {
		t.Errorf("Deadline = %v, %v; want the request's, %v", d, ok, soon)
	}
}

// TestAStoreCallContextStartsNoTimerUnlessAskedForDone proves the point of
// callContext: a store that reads only the deadline (go-redis) leaves no
// timer or watched context behind.
func TestAStoreCallContextStartsNoTimerUnlessAskedForDone(t *testing.T) {
	ctx, end := withStoreDeadline(context.Background(), time.Hour)
	ctx.Deadline()
	ctx.Value(requestKey{})
	if err := ctx.Err(); err != nil {
		t.Errorf("Err = %v before the deadline", err)
	}
	if c := ctx.(*callContext); c.watched != nil {
		t.Fatal("a timer was started before anything asked for Done")
	}
	end()
	if err := ctx.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err after the call ended = %v, want context.Canceled", err)
	}
	select {
	case <-ctx.Done():
	default:
		t.Error("Done asked for after the call ended is not closed")
	}
}

// TestAStoreCallContextEndsAtTheDeadlineOrWithTheRequest checks the Done a
// store that watches cancellation (database/sql) gets: closed at the
// deadline, or when the request's context ends, whichever is first.
func TestAStoreCallContextEndsAtTheDeadlineOrWithTheRequest(t *testing.T) {
	t.Run("deadline", func(t *testing.T) {
		ctx, end := withStoreDeadline(context.Background(), time.Millisecond)
		defer end()
		<-ctx.Done()
		if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Err = %v, want context.DeadlineExceeded", err)
		}
	})
	t.Run("request", func(t *testing.T) {
		request, cancel := context.WithCancel(context.Background())
		ctx, end := withStoreDeadline(request, time.Hour)
		defer end()
		done := ctx.Done()
		select {
		case <-done:
			t.Fatal("Done closed before the request ended")
		default:
		}
		cancel()
		<-done
		if err := ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("Err = %v, want context.Canceled", err)
		}
	})
}

// TestAStoreCallContextErrNeedsNoDone checks Err as a store reads it
// before a call, without asking for Done: the request's error once it has
// ended, DeadlineExceeded once the deadline has passed.
func TestAStoreCallContextErrNeedsNoDone(t *testing.T) {
	request, cancel := context.WithCancel(context.Background())
	ctx, end := withStoreDeadline(request, time.Hour)
	defer end()
	cancel()
	if err := ctx.Err(); !errors.Is(err, context.Canceled) {
		t.Errorf("Err after the request ended = %v, want context.Canceled", err)
	}
	ctx, end = withStoreDeadline(context.Background(), time.Nanosecond)
	defer end()
	time.Sleep(time.Millisecond)
	if err := ctx.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Err after the deadline = %v, want context.DeadlineExceeded", err)
	}
	if ctx.(*callContext).watched != nil {
		t.Error("Err started a timer")
	}
}

// TestAStoreCallContextIsSafeForConcurrentUse asks for Done from many
// goroutines at once while the call ends (run it under -race): every one
// gets the same channel, and it is closed once the call has ended.
func TestAStoreCallContextIsSafeForConcurrentUse(t *testing.T) {
	for range 100 {
		ctx, end := withStoreDeadline(context.Background(), time.Hour)
		var wg sync.WaitGroup
		chans := make([]<-chan struct{}, 8)
		for i := range chans {
			wg.Go(func() { chans[i] = ctx.Done() })
		}
		wg.Go(end)
		wg.Wait()
		for _, c := range chans {
			if c != chans[0] {
				t.Fatal("Done returned different channels")
			}
			<-c // closed: the call has ended
		}
	}
}
