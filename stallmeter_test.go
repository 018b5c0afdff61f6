package ginsession_test

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// relStallMeter measures how long the test process itself was not running:
// a goroutine sleeps relStallTick at a time and records each wake-up later
// than asked by more than relStallSlack. A fault test allows a request its
// bound plus the stall measured while the request ran, since a machine that
// stops scheduling the test for a second makes every request a second slower;
// a request stuck in the store (what the bounds are for) stops no goroutine,
// so the meter sees nothing and the bound holds as it is.
type relStallMeter struct {
	mu   sync.Mutex
	gaps []relGap
	stop chan struct{}
	done chan struct{}
}

// relGap is one stall: the meter should have woken at from and woke at to.
type relGap struct{ from, to time.Time }

const (
	relStallTick  = 5 * time.Millisecond
	relStallSlack = 10 * time.Millisecond // ordinary timer lateness, not a stall
)

// relStartStallMeter runs a meter until the test ends.
func relStartStallMeter(t *testing.T) *relStallMeter {
	m := &relStallMeter{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for {
			due := time.Now().Add(relStallTick)
			select {
			case <-m.stop:
				return
			case <-time.After(relStallTick):
			}
			if woke := time.Now(); woke.Sub(due) > relStallSlack {
				m.mu.Lock()
				m.gaps = append(m.gaps, relGap{due, woke})
				m.mu.Unlock()
			}
		}
	}()
	t.Cleanup(m.close)
	return m
}

// close stops the meter; it may be called more than once.
func (m *relStallMeter) close() {
	select {
	case <-m.stop:
	default:
		close(m.stop)
	}
	<-m.done
}

// during returns how much of [from, to] the process was stalled.
func (m *relStallMeter) during(from, to time.Time) time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	var d time.Duration
	for _, g := range m.gaps {
		s, e := g.from, g.to
		if s.Before(from) {
			s = from
		}
		if e.After(to) {
			e = to
		}
		if e.After(s) {
			d += e.Sub(s)
		}
	}
	return d
}

// total returns all the stall measured so far, for the test's log.
func (m *relStallMeter) total() time.Duration {
	return m.during(time.Time{}, time.Now().Add(time.Hour))
}

// TestTheStallMeterSeesAStoppedProcess stops the test process (SIGSTOP, as
// a machine too busy to schedule it would) for 300 ms and checks the meter
// counts the stop, while a request stuck elsewhere would not stop it.
func TestTheStallMeterSeesAStoppedProcess(t *testing.T) {
	m := relStartStallMeter(t)
	// Up to three stops: on a loaded machine one was once not seen at all
	// (the meter saw 0s), which a second stop settles; the claim is that
	// the meter can see a stop, not that every SIGSTOP lands.
	var d time.Duration
	for range 3 {
		from := time.Now()
		// A shell wakes the process up again (SIGCONT) 300 ms later.
		cont := exec.Command("sh", "-c", fmt.Sprintf("sleep 0.3; kill -CONT %d", os.Getpid()))
		if err := cont.Start(); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(os.Getpid(), syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		if err := cont.Wait(); err != nil {
			t.Fatal(err)
		}
		// The meter notices the stop when its goroutine next runs: wait
		// for it, up to 2 s.
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if d = m.during(from, time.Now()); d >= 250*time.Millisecond {
				return
			}
		}
		t.Logf("the meter saw %v of a 300 ms stop; stopping again", d)
	}
	t.Fatalf("the meter saw %v of a 300 ms stop, three times", d)
}
