package ginsession

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"strconv"
	"time"
)

// The session keys the timeouts keep: JSON integers, which a Django site
// sharing the records reads as ordinary data and does not enforce.
const (
	startedKey = "_session_started"      // when the absolute clock started, Unix seconds
	idleKey    = "_session_idle_timeout" // SetIdleTimeout's, whole seconds; 0: none
)

// maxClockSkew is how far ahead of now a stored start is still believed:
// servers' clocks differ a little and starts are whole seconds, so a start
// written on one server is often ahead on another.
const maxClockSkew = time.Minute

// slideFraction: an idle timeout's expiry is moved once it lags by
// 1/slideFraction of the time to live (a minute for 30 minutes).
const slideFraction = 30

// ErrNoIdleTimeout is returned by SetIdleTimeout under a middleware without
// WithIdleTimeout.
var ErrNoIdleTimeout = errors.New("ginsession: SetIdleTimeout overrides WithIdleTimeout, which this middleware lacks: pass WithIdleTimeout(d) to New")

// WithIdleTimeout ends a session that goes unused for d: its record
// expires d after the last request that loaded it, and a later request
// gets a fresh session. The expiry slides without rewriting the data
// (stores.Toucher; a cookie store re-seals its cookie), once it lags by
// d/30, and the cookie's Max-Age follows: a session ends between d - d/30
// and d after its last use, never later. Whether a slide is due is read
// from the time to live loaded with the data (stores.TTLLoader); a store
// without it is touched on every request that loads the session, and one
// without stores.Toucher saved in full.
//
// The session's Django expiry (CookieAge, or SetExpiry's seconds) then
// counts from the last request too, as under SaveEveryRequest; SetExpiryAt
// stays fixed, and SetExpiry(0) still gives a browser-session cookie whose
// record obeys d. Session.SetIdleTimeout sets one session's own. Optional.
// Default value is 0, no idle timeout. New panics on a negative d or one
// under a second.
func WithIdleTimeout(d time.Duration) Option { return func(o *options) { o.IdleTimeout = d } }

// WithAbsoluteTimeout ends a session d after its clock started, however
// active it is. The clock starts when a session is first saved, again when
// it is saved after Flush or Clear emptied it, and at
// Session.RestartAbsoluteTimeout, which auth.Login calls; CycleKey keeps
// it. The start is kept as "_session_started" (Unix seconds); a record
// saved without one (before the option, or by Django) gets one at its
// first load. A start that is not an integer, or is more than a minute
// ahead of now (tampering, or a broken clock), ends the session; one up to
// a minute ahead is believed, as servers' clocks differ, so the end may
// come up to a minute late.
//
// The record expires at the absolute end at the latest, and a session
// loaded past it is dropped like an expired one (a cookie store's by its
// sealed data). Optional. Default value is 0, no absolute timeout. New
// panics on a negative d or one under a second.
func WithAbsoluteTimeout(d time.Duration) Option { return func(o *options) { o.AbsoluteTimeout = d } }

// SetIdleTimeout gives this session an idle timeout of its own in place of
// WithIdleTimeout's, for example a longer one for "keep me signed in"; a d
// of 0 or less gives it none (the absolute timeout and the expiry still
// apply). It is stored in whole seconds, rounded up, under
// "_session_idle_timeout", so it lasts until ResetIdleTimeout, Clear or
// Flush, and the session is saved with it. It returns ErrNoIdleTimeout,
// changing nothing, under a middleware without WithIdleTimeout.
func (s *Session) SetIdleTimeout(d time.Duration) error {
	if s.m.opts.IdleTimeout == 0 {
		return ErrNoIdleTimeout
	}
	s.Set(idleKey, wholeSeconds(max(d, 0)))
	return nil
}

// ResetIdleTimeout drops the session's own idle timeout: WithIdleTimeout's
// applies again.
func (s *Session) ResetIdleTimeout() { s.Delete(idleKey) }

// IdleTimeout returns the idle timeout in effect for this session: its own
// (SetIdleTimeout), else WithIdleTimeout's; 0 for none.
func (s *Session) IdleTimeout() time.Duration {
	s.lock()
	defer s.mu.Unlock()
	s.data()
	return s.idleTimeoutLocked()
}

// RestartAbsoluteTimeout starts the absolute timeout's clock again, now.
// Call it when privileges change (auth.Login does), so that d is counted
// from the moment the user proved who they are. Without
// WithAbsoluteTimeout it does nothing.
func (s *Session) RestartAbsoluteTimeout() {
	s.lock()
	defer s.mu.Unlock()
	if s.m.opts.AbsoluteTimeout != 0 {
		s.setLocked(startedKey, int(s.m.now().Unix()))
	}
}

// idleTimeoutLocked is IdleTimeout. s.mu is held and the session loaded.
func (s *Session) idleTimeoutLocked() time.Duration {
	d := s.m.opts.IdleTimeout
	if n, ok := wholeNumber(s.values.get(idleKey)); ok && d != 0 {
		return secondsDuration(float64(max(n, 0)))
	}
	return d
}

// absoluteEndLocked returns when the absolute timeout ends the session,
// and false when there is none (no option, or no start stored yet).
func (s *Session) absoluteEndLocked() (time.Time, bool) {
	n, ok := wholeNumber(s.values.get(startedKey))
	if d := s.m.opts.AbsoluteTimeout; ok && d != 0 {
		return time.Unix(n, 0).Add(d), true
	}
	return time.Time{}, false
}

// limitExpiry returns the earliest of end, at + the idle timeout and the
// absolute end: when a session saved or touched at "at" ends.
func (s *Session) limitExpiry(at, end time.Time) time.Time {
	if idle := s.idleTimeoutLocked(); idle > 0 {
		if e := at.Add(idle); e.Before(end) {
			end = e
		}
	}
	if abs, ok := s.absoluteEndLocked(); ok && abs.Before(end) {
		end = abs
	}
	return end
}

// limitAge is limitExpiry for an age counted from now, in whole seconds.
func (s *Session) limitAge(now time.Time, age time.Duration) time.Duration {
	if idle := s.idleTimeoutLocked(); idle > 0 && idle < age {
		age = idle
	}
	if abs, ok := s.absoluteEndLocked(); ok {
		if d := abs.Sub(now).Truncate(time.Second); d < age {
			age = d
		}
	}
	return age
}

// loadRecord is the server backend's load: with the record's time to live
// when an idle timeout may slide it and the store can tell it in the same
// call.
func (b *serverBackend) loadRecord(ctx context.Context, s *Session) ([]byte, error) {
	if b.ttls == nil || s.m.opts.IdleTimeout == 0 {
		return b.store.Load(ctx, s.m.stored(s.key))
	}
	raw, ttl, err := b.ttls.LoadWithTTL(ctx, s.m.stored(s.key))
	s.recordTTL = ttl
	return raw, err
}

// noteSealedTTL records how long a cookie just opened has left, which its
// seal time and data say, for the idle timeout. s.mu is held.
func (s *Session) noteSealedTTL() {
	if s.m.opts.IdleTimeout != 0 {
		now := s.m.now()
		s.recordTTL = max(s.expiryDateLocked(s.sealedAt).Sub(now), 0)
	}
}

// slideDue reports whether an unmodified session in use must have its
// expiry moved now: under an idle timeout, when the time the record had
// left to live (as loaded) is off the time it should have by
// 1/slideFraction of the latter, or is unknown. s.mu is held.
func (s *Session) slideDue() bool {
	if !s.loaded || !s.hasRecord() || s.idleTimeoutLocked() == 0 {
		return false
	}
	now := s.m.now()
	want := s.expiryDateLocked(now).Sub(now) // the time to live a touch now would give
	if want <= 0 {
		return false // the commit deletes the cookie
	}
	if s.recordTTL <= 0 {
		return true
	}
	lag := want - s.recordTTL
	return lag >= want/slideFraction || -lag >= want/slideFraction
}

// timedOut reports, for a session just loaded, whether its absolute
// timeout has passed: it is then dropped like an expired record, never
// adopted. So is one whose start is unreadable or more than maxClockSkew
// ahead, which only tampering or a broken clock writes: trusting it, or
// stamping it anew, would postpone the end. A session loaded without a
// start gets one, now, and is saved with it. s.mu is held.
func (s *Session) timedOut(decodeErr error) bool {
	if s.m.opts.AbsoluteTimeout == 0 || decodeErr != nil || s.values.len() == 0 {
		return false
	}
	now := s.m.now()
	end, ok := s.absoluteEndLocked()
	if !ok && !s.values.has(startedKey) {
		if !s.committed { // a read after the commit saves nothing
			s.setLocked(startedKey, int(now.Unix()))
		}
		return false
	}
	if ok && now.Before(end) && !end.Add(-s.m.opts.AbsoluteTimeout).After(now.Add(maxClockSkew)) {
		return false
	}
	s.m.log.Debug("ginsession: session ended by its absolute timeout", slog.String("session", shortKey(s.key)))
	return true
}

// stampStart starts the absolute timeout's clock of a session about to be
// saved without one: a new session, or one Flush or Clear emptied.
func (s *Session) stampStart(now time.Time) {
	if _, ok := wholeNumber(s.values.get(startedKey)); !ok && s.m.opts.AbsoluteTimeout != 0 {
		s.setLocked(startedKey, int(now.Unix()))
	}
}

// wholeNumber reads an integer as the codecs decode one (int, or int64,
// uint64 or json.Number beyond int, or an integral float64 from a Django
// site), saturating beyond int64.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case uint64:
		return int64(min(n, math.MaxInt64)), true
	case float64:
		if n == math.Trunc(n) && !math.IsInf(n, 0) {
			return int64(max(min(n, math.MaxInt64), math.MinInt64)), true
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
	}
	return 0, false
}
