package ginsession

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/ginsession/ginsession/internal/errprefix"
	"github.com/ginsession/ginsession/internal/sessionsecret"
	"github.com/ginsession/ginsession/stores"
)

// ErrSessionInterrupted reports that the session's record vanished between
// load and save (a concurrent logout): the save is refused, so as not to
// bring it back, and by default the request answers 400, as Django does.
var ErrSessionInterrupted = errors.New("ginsession: the session was deleted before the request completed")

// createAttempts bounds the retries of a new key that collides (odds about
// 2^-165 each: repeated ones mean a broken store).
const createAttempts = 10

// lock takes s.mu for a use of the session, which adopts a server store's
// cookie value as the key.
func (s *Session) lock() {
	s.mu.Lock()
	s.adoptKey()
}

// adoptKey moves a server store's cookie value, if one still waits in
// s.sealed, to s.key if it is a valid key, and drops it otherwise. Until
// then only Django's rule (8 characters or more) applied: an untouched
// request keeps its cookie, as in Django. s.mu is held.
func (s *Session) adoptKey() {
	if s.sealed == "" || !s.m.keyed {
		return
	}
	if stores.ValidKey(s.sealed) {
		s.key = s.sealed
	}
	s.sealed = ""
}

// hasRecord reports whether the session refers to a record: a key, or a
// sealed cookie (or a key not checked yet). s.mu is held.
func (s *Session) hasRecord() bool { return s.key != "" || s.sealed != "" }

// dropRecord leaves the session empty and keyless. s.mu is held.
func (s *Session) dropRecord() {
	s.key, s.sealed, s.base = "", "", nil
	s.cycling, s.created, s.oldKey = false, false, ""
	s.values.reset()
}

// load fills values from the record. A missing, expired or unreadable record
// leaves the session empty and keyless (a key the client chose is never
// adopted). A store failure leaves it empty too, but keeps the key and
// records the error: nothing is saved over the record and the request fails.
func (s *Session) load() {
	s.loaded = true
	s.values.reset()
	if !s.hasRecord() {
		return
	}
	key, start := s.key, s.m.observing()
	e := Event{Op: OpLoad, Outcome: OutcomeHit}
	raw, err := s.m.backend.load(s)
	switch {
	case errors.Is(err, stores.ErrNotFound):
		s.dropRecord()
		e.Outcome = OutcomeMiss
	case err != nil:
		s.err, e.Err = err, err
	default:
		if err = s.decode(raw, &s.values); err != nil {
			// Django logs "Session data corrupted" and carries on with an
			// empty session under the same key; the next save overwrites it.
			s.logCorrupt(err)
			e.Outcome = OutcomeCorrupt
		}
		s.base = raw
		if s.m.backend.decoded(s, err) || s.timedOut(err) {
			s.dropRecord()
			if err == nil {
				e.Outcome = OutcomeExpired
			}
		}
	}
	s.observe(e, key, start)
}

// decode makes the empty dst hold a record's data.
func (s *Session) decode(raw []byte, dst *dict) error {
	keys, values, err := s.m.opts.Codec.Decode(raw)
	if err == nil {
		dst.assign(keys, values)
	}
	return err
}

// logCorrupt reports data that could not be decoded, as Django does.
func (s *Session) logCorrupt(err error) {
	s.m.log.Warn("ginsession: session data corrupted", slog.String("session", shortKey(s.key)), slog.String("error", err.Error()))
}

// storeContext bounds one store call by the request's context and
// StoreTimeout. s.mu is held.
func (s *Session) storeContext() (context.Context, context.CancelFunc) {
	ctx := s.requestContext()
	if t := s.m.opts.StoreTimeout; t > 0 {
		return withStoreDeadline(ctx, t)
	}
	return ctx, func() {}
}

// requestContext is the request's context as it is now (middleware after
// ours may set a deadline or a span), or once the middleware has returned,
// and gin may reuse c, as it was then. s.mu is held.
func (s *Session) requestContext() context.Context {
	if s.ended != nil {
		return s.ended.Context()
	}
	return s.c.Request.Context()
}

// end records that the middleware has returned with request r: the session
// is committed, later calls use r's context, and a key cycle not saved (the
// request panicked) is dropped.
func (s *Session) end(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.committed, s.ended = true, r
	if err := s.m.backend.dropCycle(s); err != nil {
		s.m.log.Error("ginsession: a request that panicked left a key cycle's new record", slog.String("error", err.Error()))
	}
}

// Flush ends the session: it removes the values, deletes the record from the
// store and drops the key (Django's flush, what logout does). The cookie is
// deleted at the end of the request unless new values are stored.
func (s *Session) Flush() error {
	s.lock()
	defer s.mu.Unlock()
	if err := s.refuseLate("Flush"); err != nil {
		return err
	}
	key, start := s.key, s.m.observing()
	s.clearLocked()
	s.cookieDue = false
	err := s.m.backend.flush(s)
	s.observe(Event{Op: OpFlush, Err: err}, key, start)
	return err
}

// CycleKey moves the data to a new key and deletes the old record (Django's
// cycle_key). Call it when privileges change, such as at login, so a key an
// attacker planted before login is worthless after it. On a server store
// Key shows the new key at once, but the store is written at the save (the
// end of the request, or Save): a request that answers 5xx leaves the
// record the client's cookie names as it was. For cookie stores the cookie
// is re-signed; old cookies cannot be revoked.
func (s *Session) CycleKey() error {
	s.lock()
	defer s.mu.Unlock()
	s.data()
	if err := cmp.Or(s.err, s.refuseLate("CycleKey")); err != nil {
		return err
	}
	s.m.backend.cycle(s)
	s.changed(allKeys)
	return nil
}

// Save writes the session to the store now. The middleware saves by itself
// at the end of the request, so handlers rarely need this; it returns
// ErrSessionInterrupted when the record was deleted meanwhile, and
// ErrCommitted, writing nothing, once the middleware has committed.
func (s *Session) Save() error {
	s.lock()
	defer s.mu.Unlock()
	s.data()
	return s.tell(s.saveLocked(s.m.now()))
}

// saveLocked encodes the session and stores it, as saved at now (the
// cookie's expiry counts from it too).
func (s *Session) saveLocked(now time.Time) error {
	if err := cmp.Or(s.err, s.refuseLate("Save")); err != nil {
		return err
	}
	s.stampStart(now)
	data, err := s.encode()
	if err != nil {
		return err
	}
	cycling, base, start := s.cycling, s.base, s.m.observing()
	created := cycling || !s.hasRecord()
	stored, err := s.m.backend.save(s, data, now)
	s.observeSave(created, base, start, err)
	if cycling {
		s.observe(Event{Op: OpCycle, Err: err}, s.key, start)
	}
	if err != nil {
		return err
	}
	s.saved(stored)
	s.modified = false
	s.cookieDue = true
	return nil
}

// encode is the session's data as the codec stores it.
func (s *Session) encode() ([]byte, error) {
	data, err := s.m.opts.Codec.Encode(s.values.keys(), s.values.values)
	if err != nil {
		return nil, unstorable{err}
	}
	return data, nil
}

// unstorable is a codec's refusal, which is an ErrUnstorable.
type unstorable struct{ error }

func (e unstorable) Is(target error) bool { return target == ErrUnstorable }
func (e unstorable) Unwrap() error        { return e.error }

// tell returns err, noting when it tells the handler of a value that
// cannot be stored.
func (s *Session) tell(err error) error {
	if errors.Is(err, ErrUnstorable) {
		s.told, s.noted = true, err
	}
	return err
}

// checkValue returns the ErrUnstorable of value, under key, for Err.
// Strings and small scalars are left to the save.
func (s *Session) checkValue(key string, value any) error {
	switch value.(type) {
	case nil, string, bool, int, int64:
		return nil
	}
	if _, err := s.m.opts.Codec.Encode([]string{key}, map[string]any{key: value}); err != nil {
		return unstorable{err}
	}
	return nil
}

// Exists reports whether the store holds a record under key (Django's
// session.exists). Cookie stores have no records and report false.
func (s *Session) Exists(key string) (bool, error) {
	if !stores.ValidKey(key) {
		return false, nil
	}
	s.lock()
	ctx, cancel := s.storeContext()
	s.mu.Unlock()
	defer cancel()
	return s.m.store.Exists(ctx, s.m.stored(key))
}

// DeleteKey deletes the record under key, which need not be this session's
// (Django's session.delete(key)), for example to end another device's
// session. Deleting this session's own record makes its next save fail with
// ErrSessionInterrupted; use Flush for that.
func (s *Session) DeleteKey(key string) error {
	if err := stores.CheckKey(key); err != nil {
		return errprefix.Wrap("ginsession: delete key", err)
	}
	s.lock()
	ctx, cancel := s.storeContext()
	s.mu.Unlock()
	defer cancel()
	return s.m.store.Delete(ctx, s.m.stored(key))
}

// shortKey shortens a session key for logs and errors: enough to correlate,
// too little to hijack.
func shortKey(k string) string { return stores.Redact(k) }

func init() {
	sessionsecret.Of = func(session any) []string {
		if s, ok := session.(*Session); ok {
			return s.m.secretStrings
		}
		return nil
	}
}
