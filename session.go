package ginsession

import (
	"cmp"
	"errors"
	"iter"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/internal/keymerge"
)

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

// Session is one request's session, Django's request.session. It is loaded
// on first use, not before, and saved by the middleware just before the
// response headers go out. Every method is safe for use by several
// goroutines of the same request.
type Session struct {
	mu sync.Mutex
	m  *middleware
	// ended is the request as it was when the middleware returned, for
	// calls made after it; nil until then (see requestContext).
	ended *http.Request

	key string // the session key in a server store; "" when none, and always for a cookie store
	// sealed is the sealed record, for a cookie store; for a server store,
	// the cookie's value until the first use adopts it as key (adoptKey).
	sealed string

	c     *gin.Context       // the request's, for the ErrorHandler and c.Request
	inner gin.ResponseWriter // the writer the middleware replaced (writer.go)

	hadCookie bool // the request carried the session cookie
	loaded    bool
	accessed  bool
	modified  bool
	replaced  bool  // Clear or Flush: the session is saved whole, not merged
	cookieDue bool  // saved already (Save): the cookie must go out even if unmodified
	committed bool  // the middleware has written the session's headers
	wstate    uint8 // the writer's state (writer.go)

	// err is a store failure this request must report; nothing is saved
	// over it. noted is ErrCommitted once a change came too late, or else
	// the last Save's ErrUnstorable until the next change. told says Err or
	// Save returned an ErrUnstorable: the handler knows.
	err, noted error
	told       bool

	values dict // values.go

	sealedAt time.Time // cookie stores: when the cookie was sealed, to the second (zero: unknown)

	// The change journal (journal.go).
	base     []byte
	changes  []string
	distinct int // len(changes) after its last dedupe
	merges   map[string]*keyMerge

	// A key cycle (CycleKey) on a server store waits for the save: key is
	// the new key, oldKey the one whose record the save then retires (""
	// when none), and created says the record under key is written already
	// (auth's cap needs it, see admit). See serverBackend.commitCycle.
	cycling, created bool
	oldKey           string

	idx       indexState    // what the per-user index holds for it, if on and known (index.go)
	recordTTL time.Duration // the record's time left when loaded, 0 when unknown (slideDue)
}

// data loads the session if needed and marks it accessed. s.mu is held.
func (s *Session) data() *dict {
	s.accessed = true
	if !s.loaded {
		s.load()
	}
	return &s.values
}

// ErrUnstorable reports a value the codec cannot store (a channel, NaN, a
// struct field JSON would drop, ...); the error names its key.
var ErrUnstorable = errors.New("ginsession: a value cannot be stored")

// ErrCommitted reports a change made after the middleware committed the
// session (the response's headers went out, or the handler panicked): it is
// not saved, and Save, Flush and CycleKey then write nothing.
var ErrCommitted = errors.New("ginsession: session changed after the response was sent; the change is not saved (change the session before writing the response)")

// changed marks the session modified, refusing a change made too late.
func (s *Session) changed(key string) {
	s.modified, s.noted = true, nil
	s.refuseLate(key)
}

// refuseLate returns ErrCommitted, logging it and keeping it for Err, once
// the session is committed: what (a key, or the call) is not saved.
func (s *Session) refuseLate(what string) error {
	if !s.committed {
		return nil
	}
	s.m.log.Error(ErrCommitted.Error(), slog.String("key", what))
	s.noted = ErrCommitted
	return ErrCommitted
}

// Get returns the value stored under key (Django's session.get).
func (s *Session) Get(key string) (any, bool) {
	v, err := s.lookup(key)
	return v, err == nil
}

// lookup is Get for GetErr: a missing key is ErrNoKey, or the store
// failure that left the session empty.
func (s *Session) lookup(key string) (any, error) {
	s.lock()
	defer s.mu.Unlock()
	if v, ok := s.data().lookup(key); ok {
		return v, nil
	}
	return nil, cmp.Or(s.err, ErrNoKey)
}

// Set stores value under key (session[key] = value). The value must have a
// JSON form for the default codec that reads back as it is; if not, Err
// reports ErrUnstorable at once and the save fails, naming the key.
func (s *Session) Set(key string, value any) {
	s.lock()
	defer s.mu.Unlock()
	s.setLocked(key, value)
}

func (s *Session) setLocked(key string, value any) {
	s.data().set(key, value)
	s.recordChange(key)
	s.changed(key)
}

// SetDefault returns the value under key, storing value there first if the
// key is absent (Django's setdefault).
func (s *Session) SetDefault(key string, value any) any {
	s.lock()
	defer s.mu.Unlock()
	if v, ok := s.data().lookup(key); ok {
		return v
	}
	s.setLocked(key, value)
	return value
}

// Pop removes key and returns its value (Django's pop). The session counts
// as modified only if the key was there.
func (s *Session) Pop(key string) (any, bool) {
	s.lock()
	defer s.mu.Unlock()
	return s.deleteLocked(key)
}

// Delete removes key (del session[key]); a missing key changes nothing.
func (s *Session) Delete(key string) { s.Pop(key) }

func (s *Session) deleteLocked(key string) (any, bool) {
	v, ok := s.data().del(key)
	if !ok {
		return nil, false
	}
	s.recordChange(key)
	s.changed(key)
	return v, true
}

// Change replaces the value under key with what fn makes of it, holding the
// session's lock from the read to the write, so that goroutines of a request
// changing one key lose none of each other's changes (a Get then a Set
// could). fn gets the current value (ok is false when key is absent) and
// returns the new value with keep true, or keep false to delete the key; an
// error from fn changes nothing and is returned. Change marks the session
// accessed, and modified only when it stores a value or deletes one that
// was there. fn runs under the lock and must not call the session's methods.
func (s *Session) Change(key string, fn func(old any, ok bool) (value any, keep bool, err error)) error {
	s.lock()
	defer s.mu.Unlock()
	old, ok := s.data().lookup(key)
	v, keep, err := fn(old, ok)
	if c, rule := v.(keymerge.Change); rule && keep && err == nil {
		v, keep = c.Value, !c.Delete
		s.mergeKey(key, c.Merge, old)
	}
	switch {
	case err != nil:
		return err
	case keep:
		s.setLocked(key, v)
	case ok:
		s.deleteLocked(key)
	}
	return nil
}

// Has reports whether key is set (Django's "key in session").
func (s *Session) Has(key string) bool {
	_, ok := s.Get(key)
	return ok
}

// Update stores every entry of m (Django's update). It marks the session
// modified even when m is empty, as Django does. New keys are added in
// sorted order, since a Go map has none of its own.
func (s *Session) Update(m map[string]any) {
	s.lock()
	defer s.mu.Unlock()
	s.data()
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s.setLocked(k, m[k])
	}
	if len(m) == 0 {
		s.changed(allKeys)
	}
}

// Clear removes every value without loading the session first (Django's
// clear). The key stays; use Flush to end the session.
func (s *Session) Clear() {
	s.lock()
	defer s.mu.Unlock()
	s.clearLocked()
}

func (s *Session) clearLocked() {
	s.loaded = true
	s.values.reset()
	s.replaceAll()
	s.accessed = true
	s.changed(allKeys)
}

// private reports whether key is the timeouts' bookkeeping: stored, for a
// Django site to see, but not shown or counted by Keys, Len, IsEmpty, ...
func private(key string) bool { return key == startedKey || key == idleKey }

// Keys returns the keys in the order they were first set.
func (s *Session) Keys() []string {
	keys, _ := s.snapshot()
	return keys
}

// Values returns the values in the order of Keys.
func (s *Session) Values() []any {
	_, vals := s.snapshot()
	return vals
}

// Items returns a copy of every key and value.
func (s *Session) Items() map[string]any {
	keys, vals := s.snapshot()
	out := make(map[string]any, len(keys))
	for i, k := range keys {
		out[k] = vals[i]
	}
	return out
}

// All iterates over the entries in insertion order. It works on a snapshot,
// so the loop body may change the session.
func (s *Session) All() iter.Seq2[string, any] {
	keys, vals := s.snapshot()
	return func(yield func(string, any) bool) {
		for i, k := range keys {
			if !yield(k, vals[i]) {
				return
			}
		}
	}
}

// snapshot returns the keys a handler sees, in order, and their values.
func (s *Session) snapshot() ([]string, []any) {
	s.lock()
	defer s.mu.Unlock()
	s.data()
	keys := s.visibleKeys()
	vals := make([]any, len(keys))
	for i, k := range keys {
		vals[i] = s.values.get(k)
	}
	return keys, vals
}

// visibleKeys returns the keys, in order, but the private ones.
func (s *Session) visibleKeys() []string {
	return slices.DeleteFunc(s.values.keys(), private)
}

// Len returns the number of entries.
func (s *Session) Len() int {
	s.lock()
	defer s.mu.Unlock()
	s.data()
	return len(s.visibleKeys())
}

// IsEmpty reports whether the session has neither a key nor loaded data
// (Django's is_empty). It does not load the session: a key that was never
// loaded counts as not empty.
func (s *Session) IsEmpty() bool {
	s.lock()
	defer s.mu.Unlock()
	return s.isEmptyLocked()
}

func (s *Session) isEmptyLocked() bool {
	return !s.hasRecord() && len(s.visibleKeys()) == 0
}

// Key returns the session key (Django's session_key), "" when there is none
// yet. It does not load the session. For a cookie store it is always "":
// the cookie, the sealed session itself, is a bearer token to keep out of logs.
func (s *Session) Key() string {
	s.lock()
	defer s.mu.Unlock()
	return s.key
}

// Accessed reports whether the session was read or written in this request.
func (s *Session) Accessed() bool {
	s.lock()
	defer s.mu.Unlock()
	return s.accessed
}

// Modified reports whether the session was changed in this request (and
// not saved since).
func (s *Session) Modified() bool {
	s.lock()
	defer s.mu.Unlock()
	return s.modified
}

// Err returns the failure, if any, that will make this request fail: a
// store failure (for example, the store was down when the session loaded),
// ErrCommitted if a change came after the commit, or ErrUnstorable, naming
// the key, for a value the codec refuses (a string's UTF-8 is checked at the
// save: Save's error shows here until the next change). Handlers that take
// actions based on the session can check it first; one told of an
// unstorable value may put it right, or answer a 4xx of its own, which then
// stands (nothing is saved).
func (s *Session) Err() error {
	s.lock()
	defer s.mu.Unlock()
	err := cmp.Or(s.err, s.noted)
	for i, keys := 0, s.values.keys(); err == nil && i < len(keys); i++ {
		err = s.checkValue(keys[i], s.values.get(keys[i]))
	}
	return s.tell(err)
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
