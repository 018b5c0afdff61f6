package ginsession

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// ErrSessionInterrupted reports that the session's record vanished between
// load and save: a concurrent request logged out or flushed it. Saving would
// bring a logged-out session back, so the save is refused and, by default,
// the request answers 400 with Django's SessionInterrupted message.
var ErrSessionInterrupted = errors.New("ginsession: the session was deleted before the request completed")

// interruptedMessage is the body Django sends for SessionInterrupted.
const interruptedMessage = "The request's session was deleted before the request completed. The user may have logged out in a concurrent request, for example."

// expiryKey holds a custom expiry, as in Django: int seconds, or an ISO 8601
// time string (Django 5's format).
const expiryKey = "_session_expiry"

// Test cookie entry, as in Django.
const (
	testCookieKey   = "testcookie"
	testCookieValue = "worked"
)

// allKeys names, in logs, a change to the whole session.
const allKeys = "(all keys)"

// createAttempts bounds the retries when a new key collides with an existing
// record (odds of a collision are about 2^-165; repeated ones mean a broken
// store).
const createAttempts = 10

// Session is one request's session, Django's request.session.
//
// It is loaded from the store on first use, not before, and saved by the
// middleware just before the response headers go out. Every method is safe
// for use by several goroutines of the same request.
type Session struct {
	mu sync.Mutex
	m  *middleware
	// ctx is the request's context as it was when the middleware returned,
	// for calls made after the request (ended). Until then store calls take
	// c.Request.Context() at the time of the call, so a timeout or tracing
	// middleware registered after this one reaches the store.
	ctx context.Context

	// big, set only for large sessions that had a key deleted, finds a
	// key's place in keys without a scan; see deleteLocked.
	big *keyIndex

	key string // the session key, or the sealed cookie for client-side stores; "" when none

	keys   []string  // values' keys in insertion order
	keyBuf [4]string // backs keys for small sessions
	values map[string]any

	sealed time.Time // client-side stores: when the cookie was sealed
	err    error     // a store failure this request must report; nothing is saved over it

	// The flags share one word, which leaves room for setCookie in the same
	// 256-byte size class.
	hadCookie bool // the request carried the session cookie
	loaded    bool
	accessed  bool
	modified  bool
	cookieDue bool // saved already (Save, CycleKey): the cookie must go out even if unmodified
	committed bool // the middleware has written the session's headers
	ended     bool // the middleware has returned: store calls use ctx

	setCookie  [1]string // backs the response's Set-Cookie header: one allocation fewer
	respWriter responseWriter
}

// data loads the session if needed and marks it accessed. s.mu is held.
func (s *Session) data() map[string]any {
	s.accessed = true
	if !s.loaded {
		s.load()
	}
	return s.values
}

// load fills values from the store. A missing, expired or unreadable record
// leaves the session empty and keyless (a fresh key is made at save: a key
// the client chose is never adopted). A store failure leaves it empty too,
// but keeps the key and records the error, so nothing is saved over the
// record and the request fails.
func (s *Session) load() {
	s.loaded = true
	s.values = nil
	s.resetKeys(nil)
	if s.key == "" {
		return
	}
	var raw []byte
	var err error
	if s.m.client != nil {
		raw, s.sealed, err = s.m.client.Open(s.key, s.m.secrets)
	} else {
		ctx, cancel := s.storeContext()
		raw, err = s.m.store.Load(ctx, s.key)
		cancel()
	}
	switch {
	case errors.Is(err, stores.ErrNotFound):
		if s.m.client != nil {
			s.m.log.Warn("ginsession: session cookie rejected (tampered, foreign secret or damaged)", slog.String("cookie", s.m.opts.CookieName))
		}
		s.key = ""
		return
	case err != nil:
		s.err = fmt.Errorf("ginsession: load session %s: %w", shortKey(s.key), err)
		return
	}
	var keys []string
	var values map[string]any
	if s.m.jsonCodec {
		// The store handed over raw (the Load contract), so strings may
		// point into it; keys go to the session's inline buffer.
		keys, values, err = decodeJSONInto(raw, s.keyBuf[:0], true)
	} else {
		keys, values, err = s.m.opts.Codec.Decode(raw)
	}
	if err != nil {
		// Django logs "Session data corrupted" and carries on with an empty
		// session under the same key; the next save overwrites the record.
		s.m.log.Warn("ginsession: session data corrupted", slog.String("session", shortKey(s.key)), slog.String("error", err.Error()))
		if s.m.client != nil {
			s.key = ""
		}
		return
	}
	s.resetKeys(keys)
	s.values = values
	if s.m.client != nil && !s.sealed.IsZero() {
		// Client-side records cannot be purged, so their expiry, the
		// default age or a custom one, is enforced here.
		if !time.Now().Before(s.expiryDateLocked(s.sealed)) {
			s.m.log.Warn("ginsession: expired session cookie ignored", slog.String("cookie", s.m.opts.CookieName))
			s.key, s.values = "", nil
			s.resetKeys(nil)
		}
	}
}

// storeContext bounds one store call by the request's context and
// StoreTimeout (unless the store never blocks). s.mu is held.
func (s *Session) storeContext() (context.Context, context.CancelFunc) {
	ctx := s.requestContext()
	if t := s.m.opts.StoreTimeout; t > 0 && !s.m.inProcess {
		return context.WithTimeout(ctx, t)
	}
	return ctx, func() {}
}

// requestContext is the request's context as it is now, not as it was
// when the middleware started: middleware after ours may have replaced
// c.Request (a deadline, a tracing span), and the store must see it. After
// the middleware has returned, gin may reuse the gin.Context, so the
// context it had at the end is used. s.mu is held.
func (s *Session) requestContext() context.Context {
	if !s.ended {
		return s.respWriter.c.Request.Context()
	}
	return s.ctx
}

// end records that the middleware has returned, keeping the request's
// final context for calls made after it.
func (s *Session) end(ctx context.Context) {
	s.mu.Lock()
	s.ctx, s.ended = ctx, true
	s.mu.Unlock()
}

// changed marks the session modified and reports a change made too late to
// be saved.
func (s *Session) changed(key string) {
	s.modified = true
	if s.committed {
		s.m.log.Error("ginsession: session changed after the response was sent; the change is not saved (change the session before writing the response)", slog.String("key", key))
	}
}

// Get returns the value stored under key (Django's session.get).
func (s *Session) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data()[key]
	return v, ok
}

// Set stores value under key (session[key] = value). The value must have a
// JSON form for the default codec; the save fails, naming the key, if not.
func (s *Session) Set(key string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setLocked(key, value)
}

func (s *Session) setLocked(key string, value any) {
	d := s.data()
	if d == nil {
		d = make(map[string]any)
		s.values = d
	}
	if _, ok := d[key]; !ok {
		s.appendKey(key)
	}
	d[key] = value
	s.changed(key)
}

// SetDefault returns the value under key, storing value there first if the
// key is absent (Django's setdefault).
func (s *Session) SetDefault(key string, value any) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.data()[key]; ok {
		return v
	}
	s.setLocked(key, value)
	return value
}

// Pop removes key and returns its value (Django's pop). The session counts
// as modified only if the key was there.
func (s *Session) Pop(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleteLocked(key)
}

// Delete removes key (del session[key]); a missing key changes nothing.
func (s *Session) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleteLocked(key)
}

func (s *Session) deleteLocked(key string) (any, bool) {
	d := s.data()
	v, ok := d[key]
	if !ok {
		return nil, false
	}
	delete(d, key)
	s.removeKey(key)
	s.changed(key)
	return v, true
}

// Has reports whether key is set (Django's "key in session").
func (s *Session) Has(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.data()[key]
	return ok
}

// Update stores every entry of m (Django's update). It marks the session
// modified even when m is empty, as Django does. New keys are added in
// sorted order, since a Go map has none of its own.
func (s *Session) Update(m map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data()
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		s.setLocked(k, m[k])
	}
	if len(m) == 0 {
		s.changed(allKeys)
	}
}

// Clear removes every value without loading the session first (Django's
// clear). The key stays; use Flush to end the session.
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
}

func (s *Session) clearLocked() {
	s.loaded = true
	s.values = nil
	s.resetKeys(nil)
	s.accessed = true
	s.changed(allKeys)
}

// Keys returns the keys in the order they were first set.
func (s *Session) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data()
	return append([]string(nil), s.orderedKeys()...)
}

// Values returns the values in the order of Keys.
func (s *Session) Values() []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.data()
	keys := s.orderedKeys()
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = d[k]
	}
	return out
}

// Items returns a copy of every key and value.
func (s *Session) Items() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.data()
	out := make(map[string]any, len(d))
	for k, v := range d {
		out[k] = v
	}
	return out
}

// All iterates over the entries in insertion order. It works on a snapshot,
// so the loop body may change the session.
func (s *Session) All() iter.Seq2[string, any] {
	s.mu.Lock()
	d := s.data()
	keys := append([]string(nil), s.orderedKeys()...)
	vals := make([]any, len(keys))
	for i, k := range keys {
		vals[i] = d[k]
	}
	s.mu.Unlock()
	return func(yield func(string, any) bool) {
		for i, k := range keys {
			if !yield(k, vals[i]) {
				return
			}
		}
	}
}

// Len returns the number of entries.
func (s *Session) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.data())
}

// IsEmpty reports whether the session has neither a key nor loaded data
// (Django's is_empty). It does not load the session: a key that was never
// loaded counts as not empty.
func (s *Session) IsEmpty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isEmptyLocked()
}

func (s *Session) isEmptyLocked() bool {
	return s.key == "" && len(s.values) == 0
}

// Key returns the session key (Django's session_key), "" when there is none
// yet. For a cookie store it is the sealed cookie value. It does not load
// the session.
func (s *Session) Key() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key
}

// Accessed reports whether the session was read or written in this request.
func (s *Session) Accessed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accessed
}

// Modified reports whether the session was changed in this request (and
// not saved since).
func (s *Session) Modified() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.modified
}

// Err returns the store failure, if any, that will make this request fail
// (for example, the store was down when the session loaded). Handlers that
// take actions based on the session can check it first.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// SecretKeys returns the middleware's secret followed by its fallbacks, for
// packages such as auth that sign with the same secret. It is empty when no
// secret was configured.
func (s *Session) SecretKeys() []string {
	return append([]string(nil), s.m.secretStrings...)
}

// Flush ends the session: it removes the values, deletes the record from the
// store and drops the key (Django's flush, what logout does). The cookie is
// deleted at the end of the request unless new values are stored.
func (s *Session) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
	old := s.key
	s.key = ""
	s.cookieDue = false
	if old == "" || s.m.client != nil {
		return nil
	}
	ctx, cancel := s.storeContext()
	defer cancel()
	if err := s.m.store.Delete(ctx, old); err != nil {
		// The record still exists: the request must not report success.
		s.err = fmt.Errorf("ginsession: flush session %s: %w", shortKey(old), err)
		return s.err
	}
	return nil
}

// CycleKey moves the data to a new key and deletes the old record (Django's
// cycle_key). Call it when privileges change, such as at login, so a key an
// attacker planted before login is worthless after it. For cookie stores
// the cookie is re-signed; old cookies cannot be revoked.
func (s *Session) CycleKey() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data()
	if s.err != nil {
		return s.err
	}
	if s.m.client != nil {
		s.changed(allKeys)
		return nil
	}
	old := s.key
	s.key = ""
	if err := s.saveLocked(); err != nil {
		s.key = old
		return err
	}
	if old != "" {
		ctx, cancel := s.storeContext()
		defer cancel()
		if err := s.m.store.Delete(ctx, old); err != nil {
			s.err = fmt.Errorf("ginsession: cycle key: delete old session %s: %w", shortKey(old), err)
			return s.err
		}
	}
	return nil
}

// Save writes the session to the store now. The middleware saves by itself
// at the end of the request, so handlers rarely need this; it returns
// ErrSessionInterrupted when the record was deleted meanwhile.
func (s *Session) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data()
	return s.saveLocked()
}

// saveLocked encodes and stores the session: insert-only under a new key
// when there is none, update-only otherwise.
func (s *Session) saveLocked() error {
	if s.err != nil {
		return s.err
	}
	data, err := s.m.opts.Codec.Encode(s.orderedKeys(), s.values)
	if err != nil {
		return err
	}
	now := time.Now()
	expiry := s.expiryDateLocked(now)
	if s.m.client != nil {
		v, err := s.m.client.Seal(data, s.m.secrets)
		if err != nil {
			return fmt.Errorf("ginsession: seal session cookie: %w", err)
		}
		s.key, s.sealed = v, now
	} else if s.key == "" {
		if err := s.createLocked(data, expiry); err != nil {
			return err
		}
	} else {
		ctx, cancel := s.storeContext()
		err := s.m.store.Update(ctx, s.key, data, expiry)
		cancel()
		if errors.Is(err, stores.ErrNotFound) {
			return fmt.Errorf("%w (session %s)", ErrSessionInterrupted, shortKey(s.key))
		}
		if err != nil {
			return fmt.Errorf("ginsession: save session %s: %w", shortKey(s.key), err)
		}
	}
	s.modified = false
	s.cookieDue = true
	return nil
}

// createLocked stores data under a fresh key, retrying on the (vanishingly
// rare) collision.
func (s *Session) createLocked(data []byte, expiry time.Time) error {
	ctx, cancel := s.storeContext()
	defer cancel()
	for range createAttempts {
		key := stores.NewKey()
		err := s.m.store.Create(ctx, key, data, expiry)
		if err == nil {
			s.key = key
			return nil
		}
		if !errors.Is(err, stores.ErrExists) {
			return fmt.Errorf("ginsession: create session: %w", err)
		}
	}
	return fmt.Errorf("ginsession: create session: %d new keys in a row were taken; the store is likely broken", createAttempts)
}

// Exists reports whether the store holds a record under key (Django's
// session.exists). Cookie stores have no records and report false.
func (s *Session) Exists(key string) (bool, error) {
	if !stores.ValidKey(key) {
		return false, nil
	}
	s.mu.Lock()
	ctx, cancel := s.storeContext()
	s.mu.Unlock()
	defer cancel()
	return s.m.store.Exists(ctx, key)
}

// DeleteKey deletes the record under key, which need not be this session's
// (Django's session.delete(key)), for example to end another device's
// session. Deleting this session's own record makes its next save fail with
// ErrSessionInterrupted; use Flush for that.
func (s *Session) DeleteKey(key string) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("ginsession: delete key: %w", err)
	}
	s.mu.Lock()
	ctx, cancel := s.storeContext()
	s.mu.Unlock()
	defer cancel()
	return s.m.store.Delete(ctx, key)
}

// SetTestCookie stores Django's test entry, to check on the next request
// that the browser keeps cookies.
func (s *Session) SetTestCookie() { s.Set(testCookieKey, testCookieValue) }

// TestCookieWorked reports whether the test entry came back.
func (s *Session) TestCookieWorked() bool {
	v, _ := s.Get(testCookieKey)
	return v == testCookieValue
}

// DeleteTestCookie removes the test entry.
func (s *Session) DeleteTestCookie() { s.Delete(testCookieKey) }

// shortKey shortens a session key for logs and errors: enough to correlate,
// too little to hijack.
func shortKey(k string) string { return stores.Redact(k) }
