package ginsession

import (
	"cmp"
	"errors"
	"iter"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
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

// Session is one request's session, Django's request.session.
//
// It is loaded from the store on first use, not before, and saved by the
// middleware just before the response headers go out. Every method is safe
// for use by several goroutines of the same request.
type Session struct {
	mu sync.Mutex
	m  *middleware
	// ended is the request as it was when the middleware returned, for
	// calls made after it; nil until then, while store calls take
	// c.Request.Context() at the time of the call, so a timeout or tracing
	// middleware registered after this one reaches the store. Atomic rather
	// than under mu: every request sets it, and a lock cost more.
	ended atomic.Pointer[http.Request]

	key string // the session key in a server store; "" when none, and always for a cookie store
	// sealed is the sealed record, for a cookie store; "" when none. For a
	// server store it is the cookie's value until the session is first
	// used (lock), which adopts it as key if it is a valid one.
	sealed string

	// c is the request's gin.Context, for the ErrorHandler and, while the
	// middleware runs, for c.Request's context; inner is the writer the
	// middleware replaced with this session's (writer.go).
	c     *gin.Context
	inner gin.ResponseWriter

	hadCookie bool // the request carried the session cookie
	loaded    bool
	accessed  bool
	modified  bool
	replaced  bool  // Clear or Flush: the session is saved whole, not merged
	cookieDue bool  // saved already (Save): the cookie must go out even if unmodified
	committed bool  // the middleware has written the session's headers
	wstate    uint8 // the writer's state (writer.go)

	// err is a store failure this request must report; nothing is saved
	// over it. late is ErrCommitted once a change came too late.
	err, late error
	// bad holds the ErrUnstorable of values set that the codec refused
	// (checkValue), unsaved that of the last Save, until the next change;
	// told says Err or Save returned one: the handler knows.
	bad     map[string]error
	unsaved error
	told    bool

	values dict // values.go

	sealedAt int64 // cookie stores: when the cookie was sealed, Unix seconds (noSealTime: unknown)

	// The change journal, see journal.go: the data the record held when
	// loaded or last saved, and the keys set or deleted since (merges: the
	// merge rules of some), unless replaced says the request replaced the
	// session whole.
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

	idx *indexState // what the per-user index holds for it, if on (index.go)
	// recordTTL is the time the record had left to live when it was
	// loaded, for the idle timeout (see slideDue); 0 when unknown.
	recordTTL time.Duration
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

// changed marks the session modified and reports a change made too late to
// be saved.
func (s *Session) changed(key string) {
	s.modified, s.unsaved = true, nil
	s.refuseLate(key)
}

// refuseLate returns ErrCommitted, logging it and keeping it for Err, once
// the session is committed: what (a key, or the call) is then not saved.
// s.mu is held.
func (s *Session) refuseLate(what string) error {
	if !s.committed {
		return nil
	}
	s.m.log.Error(ErrCommitted.Error(), slog.String("key", what))
	s.late = ErrCommitted
	return ErrCommitted
}

// Get returns the value stored under key (Django's session.get).
func (s *Session) Get(key string) (any, bool) {
	s.lock()
	defer s.mu.Unlock()
	return s.data().lookup(key)
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
	s.checkValue(key, value)
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
func (s *Session) Delete(key string) {
	s.lock()
	defer s.mu.Unlock()
	s.deleteLocked(key)
}

func (s *Session) deleteLocked(key string) (any, bool) {
	v, ok := s.data().del(key)
	if !ok {
		return nil, false
	}
	s.recordChange(key)
	s.changed(key)
	return v, true
}

// Has reports whether key is set (Django's "key in session").
func (s *Session) Has(key string) bool {
	s.lock()
	defer s.mu.Unlock()
	return s.data().has(key)
}

// Update stores every entry of m (Django's update). It marks the session
// modified even when m is empty, as Django does. New keys are added in
// sorted order, since a Go map has none of its own.
func (s *Session) Update(m map[string]any) {
	s.lock()
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

// private reports whether key is ginsession's own bookkeeping (the
// timeouts'): stored with the data, where a Django site sees it, but not
// shown or counted by Keys, Values, Items, All, Len and IsEmpty.
func private(key string) bool { return slices.Contains(privateKeys, key) }

var privateKeys = []string{startedKey, idleKey}

// Keys returns the keys in the order they were first set.
func (s *Session) Keys() []string {
	s.lock()
	defer s.mu.Unlock()
	return s.keysLocked()
}

// keysLocked is Keys. s.mu is held.
func (s *Session) keysLocked() []string {
	return slices.DeleteFunc(slices.Clone(s.data().keys()), private)
}

// Values returns the values in the order of Keys.
func (s *Session) Values() []any {
	s.lock()
	defer s.mu.Unlock()
	out := make([]any, 0, s.values.len())
	for _, k := range s.keysLocked() {
		out = append(out, s.values.get(k))
	}
	return out
}

// Items returns a copy of every key and value.
func (s *Session) Items() map[string]any {
	s.lock()
	defer s.mu.Unlock()
	out := make(map[string]any, s.data().len())
	maps.Copy(out, s.values.values)
	maps.DeleteFunc(out, func(k string, _ any) bool { return private(k) })
	return out
}

// All iterates over the entries in insertion order. It works on a snapshot,
// so the loop body may change the session.
func (s *Session) All() iter.Seq2[string, any] {
	s.lock()
	keys := s.keysLocked()
	vals := make([]any, len(keys))
	for i, k := range keys {
		vals[i] = s.values.get(k)
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
	s.lock()
	defer s.mu.Unlock()
	return s.data().len() - s.privateLen()
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
	return !s.hasRecord() && s.values.len() == s.privateLen()
}

// privateLen counts the private keys set. s.mu is held.
func (s *Session) privateLen() (n int) {
	for _, k := range privateKeys {
		if s.values.has(k) {
			n++
		}
	}
	return n
}

// Key returns the session key (Django's session_key), "" when there is none
// yet. It does not load the session. For a cookie store it is always "":
// the cookie carries the sealed session itself, a bearer token that must not
// reach logs, and there is no key on the server to name.
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
// the key, for a value the codec refused when it was set (a string's UTF-8,
// and a value changed in place, are checked at the save: Save's error shows
// here until the next change). Handlers that take actions based on the
// session can check it first; one told of an unstorable value may put it
// right, or answer a 4xx of its own, which then stands (nothing is saved).
func (s *Session) Err() error {
	s.lock()
	defer s.mu.Unlock()
	err := cmp.Or(s.err, s.late, s.unsaved)
	for i, keys := 0, s.values.keys(); err == nil && len(s.bad) > 0 && i < len(keys); i++ {
		err = s.bad[keys[i]]
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
