package ginsession

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// isoLayout is Python's datetime.isoformat() for an aware UTC time with
// microseconds; isoLayoutWhole is the same without them (Python omits a zero
// fraction).
const (
	isoLayout      = "2006-01-02T15:04:05.000000-07:00"
	isoLayoutWhole = "2006-01-02T15:04:05-07:00"
)

// SetExpiry sets how long the session lives after each save (Django's
// set_expiry with seconds). 0 makes it end when the browser closes (the
// record still lives CookieAge on the server); a negative duration expires
// it at once. It is kept in whole seconds, rounded away from zero, so only
// 0 means "browser close" (500ms is 1 s, -500ms is -1 s).
func (s *Session) SetExpiry(d time.Duration) { s.Set(expiryKey, wholeSeconds(d)) }

// wholeSeconds is d in whole seconds, rounded away from zero.
func wholeSeconds(d time.Duration) int {
	secs, frac := int(d/time.Second), d%time.Second
	switch {
	case frac > 0:
		secs++
	case frac < 0:
		secs--
	}
	return secs
}

// SetExpiryAt makes the session expire at t (Django's set_expiry with a
// datetime). It is stored as an ISO 8601 string, which Django 5 reads too.
// A t outside the years 1 to 9999 (Python's datetime range, and all a
// four-digit year can say) is taken as the nearest end of it: still
// centuries ahead, or long past, never a silent fall back to CookieAge.
func (s *Session) SetExpiryAt(t time.Time) {
	t = t.UTC()
	if t.After(latestISO) {
		t = latestISO
	} else if t.Before(earliestISO) {
		t = earliestISO
	}
	layout := isoLayoutWhole
	if t.Nanosecond()/1000 != 0 {
		layout = isoLayout
	}
	s.Set(expiryKey, t.Format(layout))
}

// earliestISO and latestISO bound what SetExpiryAt stores: Python's
// datetime.min and datetime.max, in UTC.
var (
	earliestISO = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	latestISO   = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// ResetExpiry drops a custom expiry, going back to CookieAge and
// ExpireAtBrowserClose (Django's set_expiry(None)).
func (s *Session) ResetExpiry() { s.Delete(expiryKey) }

// ExpiryAge returns how long the session has to live, counted from now
// (Django's get_expiry_age), in whole seconds: no longer than the idle and
// absolute timeouts allow, if set.
func (s *Session) ExpiryAge() time.Duration {
	s.lock()
	defer s.mu.Unlock()
	return s.expiryAgeLocked(s.m.now())
}

// expiryAgeLocked is Django's get_expiry_age, shortened by the idle and
// absolute timeouts.
func (s *Session) expiryAgeLocked(now time.Time) time.Duration {
	return s.limitAge(now, s.djangoExpiryAgeLocked(now))
}

func (s *Session) djangoExpiryAgeLocked(now time.Time) time.Duration {
	switch e := s.data().get(expiryKey).(type) {
	case int:
		if e != 0 {
			return secondsDuration(float64(e))
		}
	case float64:
		if e != 0 {
			return secondsDuration(e)
		}
	case int64, uint64, json.Number:
		// An integer beyond int (Django's set_expiry(10**20)) saturates too.
		f, _ := strconv.ParseFloat(fmt.Sprint(e), 64)
		return secondsDuration(f)
	case string:
		if t, ok := parseISOTime(e); ok {
			// Django floors to whole seconds (timedelta days and seconds).
			// Sub saturates at about ±292 years; the floor is taken in
			// seconds, so that saturated value cannot wrap round when it is
			// turned back into a Duration (year 1700 became +292 years).
			return secondsDuration(math.Floor(t.Sub(now).Seconds()))
		}
	}
	return s.m.opts.CookieAge
}

// maxSeconds is the largest whole number of seconds a Duration holds
// (about 292 years).
const maxSeconds = int64(math.MaxInt64 / time.Second)

// secondsDuration converts a custom expiry in seconds to a Duration,
// truncating a fraction, and saturating beyond about 292 years instead of
// wrapping round into the past (SetExpiry(math.MaxInt64), or Django's
// set_expiry(10**10)).
func secondsDuration(secs float64) time.Duration {
	switch {
	case secs >= float64(maxSeconds):
		return time.Duration(maxSeconds) * time.Second
	case secs <= -float64(maxSeconds):
		return -time.Duration(maxSeconds) * time.Second
	}
	return time.Duration(int64(secs)) * time.Second
}

// ExpiryDate returns when the session expires (Django's get_expiry_date):
// with WithIdleTimeout, when it ends if no other request comes first.
func (s *Session) ExpiryDate() time.Time {
	s.lock()
	defer s.mu.Unlock()
	return s.expiryDateLocked(s.m.now())
}

// expiryDateLocked is the expiry of a session saved at modified.
func (s *Session) expiryDateLocked(modified time.Time) time.Time {
	if e, ok := s.data().get(expiryKey).(string); ok {
		if t, ok := parseISOTime(e); ok {
			return s.limitExpiry(modified, t)
		}
	}
	return s.limitExpiry(modified, modified.Add(s.djangoExpiryAgeLocked(modified)))
}

// ExpireAtBrowserClose reports whether the cookie ends with the browser:
// the ExpireAtBrowserClose option when no custom expiry is set, otherwise
// whether SetExpiry(0) was used (Django's get_expire_at_browser_close).
func (s *Session) ExpireAtBrowserClose() bool {
	s.lock()
	defer s.mu.Unlock()
	return s.expireAtBrowserCloseLocked()
}

func (s *Session) expireAtBrowserCloseLocked() bool {
	e, ok := s.data().lookup(expiryKey)
	if !ok || e == nil {
		return s.m.opts.ExpireAtBrowserClose
	}
	switch n := e.(type) {
	case int:
		return n == 0
	case float64:
		return n == 0
	}
	return false
}

// parseISOTime reads the ISO 8601 strings Django 5 stores (with an offset,
// or naive, which is taken as UTC).
func parseISOTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC); err == nil {
		return t, true
	}
	return time.Time{}, false
}
