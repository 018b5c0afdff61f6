package ginsession

import (
	"bytes"
	"context"
	"errors"
	"path"
	"reflect"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// Observer receives an Event for each thing that happens to a session:
// loads, saves, key cycles, flushes, and what package auth reports
// (logins, logouts, ...). It runs on the request's goroutine, while the
// session is locked: it must be quick and must not use the session.
// Package otelginsession turns the events into OpenTelemetry spans and
// metrics.
type Observer func(Event)

// WithObserver sets the function that receives every Event. Optional.
// Default value is nil: no events, and nothing spent on them.
func WithObserver(o Observer) Option { return func(opts *options) { opts.Observer = o } }

// Op is what an Event reports.
type Op string

// The operations the middleware and package auth report.
const (
	OpLoad  Op = "load"  // the record was read from the store (or the cookie opened)
	OpSave  Op = "save"  // the record was written, or its expiry moved
	OpCycle Op = "cycle" // CycleKey: the data moved to a new key
	OpFlush Op = "flush" // Flush: the record was deleted

	OpLogin        Op = "login"         // auth.Login
	OpLogout       Op = "logout"        // auth.Logout
	OpHashMismatch Op = "hash_mismatch" // auth.CurrentUser ended a session whose password changed
	OpSessionEnded Op = "session_ended" // auth.EndSession or EndOtherSessions ended another session
)

// Outcome is how an operation ended.
type Outcome string

// Outcomes. A load is a hit, miss (no record: never saved, deleted or
// expired in the store), expired (the cookie's age or WithAbsoluteTimeout
// ended it) or corrupt (undecodable data; the session starts empty). A save
// is created, updated, touched (only the expiry moved), merged (it found
// the record changed by a concurrent request, and saved its changes on top)
// or interrupted (a concurrent request deleted the record, and nothing was
// saved); a save that conflicts reports each conflict (Attempts: which
// write) before its own end. Other operations end ok. Any of them can end
// failed (the store failed: Err says how) or timeout (Err wraps
// context.DeadlineExceeded: WithStoreTimeout or the request's deadline).
const (
	OutcomeHit         Outcome = "hit"
	OutcomeMiss        Outcome = "miss"
	OutcomeExpired     Outcome = "expired"
	OutcomeCorrupt     Outcome = "corrupt"
	OutcomeCreated     Outcome = "created"
	OutcomeUpdated     Outcome = "updated"
	OutcomeTouched     Outcome = "touched"
	OutcomeMerged      Outcome = "merged"
	OutcomeConflict    Outcome = "conflict"
	OutcomeInterrupted Outcome = "interrupted"
	OutcomeOK          Outcome = "ok"
	OutcomeFailed      Outcome = "failed"
	OutcomeTimeout     Outcome = "timeout"
)

// Event is one operation on a session, as an Observer receives it. It
// never holds a session key: Session is the redacted form logs use.
type Event struct {
	Op      Op
	Outcome Outcome
	// Context is c.Request.Context() at the time of the operation (a
	// tracing middleware registered after ginsession's included).
	Context context.Context
	// Store is the store's package name ("redis9store", "sqlstore",
	// "cookiestore", ...; for a stores.Wrap, the wrapped store's).
	Store string
	// Session is the session's key as stores.Redact shows it, "" when it
	// has none.
	Session string
	// User is the user's id (SessionAuthID) in the events of package auth
	// that know it (login, hash_mismatch, session_ended); "" otherwise.
	User string
	// Duration is the time the operation took (load, save with its
	// retries, cycle, flush); 0 for the events of package auth.
	Duration time.Duration
	// Attempts is, in a save's conflict event, the number of the
	// conditional write that found the record changed (1 for the first).
	Attempts int
	// Err is the failure, when Outcome is failed, timeout or interrupted.
	Err error
}

// Report passes e to the observer set with WithObserver, with its Context,
// Store and Session filled in, and does nothing when there is none.
// Package auth reports its events through it.
func (s *Session) Report(e Event) {
	if s.m.opts.Observer == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.observe(e, s.key, time.Time{})
}

// observing returns the time an operation to report starts, zero (and no
// clock read) without an observer.
func (m *middleware) observing() time.Time {
	if m.opts.Observer == nil {
		return time.Time{}
	}
	return time.Now()
}

// observe completes e (the session under key, the time since start, the
// outcome an error implies) and passes it to the observer. s.mu is held.
func (s *Session) observe(e Event, key string, start time.Time) {
	if s.m.opts.Observer == nil {
		return
	}
	e.Context, e.Store = s.requestContext(), s.m.storeKind
	if key != "" {
		e.Session = shortKey(key)
	}
	if !start.IsZero() {
		e.Duration = time.Since(start)
	}
	switch {
	case e.Err == nil:
		if e.Outcome == "" {
			e.Outcome = OutcomeOK
		}
	case errors.Is(e.Err, ErrSessionInterrupted) || errors.Is(e.Err, stores.ErrNotFound):
		e.Outcome = OutcomeInterrupted
	case errors.Is(e.Err, context.DeadlineExceeded):
		e.Outcome = OutcomeTimeout
	default:
		e.Outcome = OutcomeFailed
	}
	s.m.opts.Observer(e)
}

// storeKind names a store by its package, for Event.Store; a store made
// by stores.Wrap by the store it wraps.
func storeKind(store stores.Store) string {
	for {
		w, ok := store.(interface{ Unwrap() stores.Store })
		if !ok {
			break
		}
		store = w.Unwrap()
	}
	t := reflect.TypeOf(store)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return path.Base(t.PkgPath())
}

// observeSave reports a save that created the record or wrote over the
// one loaded as base, which a conflict replaced (swap). s.mu is held.
func (s *Session) observeSave(created bool, base []byte, start time.Time, err error) {
	e := Event{Op: OpSave, Outcome: OutcomeUpdated, Err: err}
	if created {
		e.Outcome = OutcomeCreated
	} else if s.m.opts.Observer != nil && !bytes.Equal(base, s.base) {
		e.Outcome = OutcomeMerged
	}
	s.observe(e, s.key, start)
}
