package gincontrib

import (
	"fmt"
	"reflect"
	"sync"

	"github.com/gin-contrib/sessions"

	"github.com/ginsession/ginsession"
)

// typesKey is the session entry that records, per key, the Go type of a
// value that would not read back as itself from JSON (see types.go).
const typesKey = "_gincontrib_types"

// flashesKey is gorilla's default flash key, which gin-contrib keeps.
const flashesKey = "_flash"

// session is gin-contrib's Session over a ginsession session. Its lock makes
// a value and its recorded type change together.
type session struct {
	rq   *request
	name string
	gs   *ginsession.Session

	mu    sync.Mutex
	opts  *sessions.Options // the last Options call, applied to the cookie
	ended bool              // Options with a negative MaxAge flushed the session
}

var _ sessions.Session = (*session)(nil)

// key returns k as a string, panicking with ErrKeyNotString otherwise: a
// wrong key type is a mistake in the handler's code, found at its first run.
func key(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	if v := reflect.ValueOf(k); v.Kind() == reflect.String {
		return v.String()
	}
	panic(fmt.Errorf("%w: got a key of type %T; use a string key (fmt.Sprint(key) in Get, Set and Delete alike)", ErrKeyNotString, k))
}

// ID returns the session key, "" for a new session or a cookie store.
func (s *session) ID() string { return s.gs.Key() }

// Get returns the value under key, converted back to the type it was set
// with when that type is known; nil when absent.
func (s *session) Get(k any) any {
	name := key(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.gs.Get(name)
	if !ok {
		return nil
	}
	return s.rq.m.cfg.types.restore(v, s.tags()[name], s.rq.m.cfg.log, name)
}

// Set stores val under key, recording its type when JSON would not give it
// back as itself.
func (s *session) Set(k any, val any) {
	name := key(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set(name, val)
}

func (s *session) set(name string, val any) {
	tag, err := s.rq.m.cfg.types.tagFor(val)
	if err != nil {
		s.rq.m.cfg.log.Error("gincontrib: a session value will not read back as it was set", "key", name, "type", fmt.Sprintf("%T", val), "error", err.Error())
	} else {
		s.rq.m.cfg.types.warnUnknown(tag, name, s.rq.m.cfg.log)
	}
	s.gs.Set(name, val)
	s.setTag(name, tag)
}

// Delete removes key.
func (s *session) Delete(k any) {
	name := key(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gs.Delete(name)
	s.setTag(name, nil)
}

// Clear removes every value; the session and its key stay.
func (s *session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gs.Clear()
}

// AddFlash appends value to the flash list under vars[0], "_flash" by
// default.
func (s *session) AddFlash(value any, vars ...string) {
	name := flashKey(vars)
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []any
	if old, ok := s.gs.Get(name); ok {
		if l, ok := old.([]any); ok {
			list = append(list, l...)
		} else {
			list = append(list, old) // not a list: kept as its first entry
		}
	}
	s.set(name, append(list, value))
}

// Flashes removes and returns the flash list under vars[0], "_flash" by
// default; nil when there is none.
func (s *session) Flashes(vars ...string) []any {
	name := flashKey(vars)
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.gs.Pop(name)
	if !ok {
		return nil
	}
	tag := s.tags()[name]
	s.setTag(name, nil)
	v = s.rq.m.cfg.types.restore(v, tag, s.rq.m.cfg.log, name)
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func flashKey(vars []string) string {
	if len(vars) > 0 {
		return vars[0]
	}
	return flashesKey
}

// Save writes the session to the store now. Without it the session is saved
// all the same before the response goes out. After Options with a negative
// MaxAge it does nothing, as on gin-contrib, where that Save deletes: the
// session has ended, and its cookie is deleted with the response.
func (s *session) Save() error {
	s.mu.Lock()
	ended := s.ended
	s.mu.Unlock()
	if ended {
		return nil
	}
	return s.gs.Save()
}

// tags returns the recorded types, key to tag (see types.go).
func (s *session) tags() map[string]any {
	v, _ := s.gs.Get(typesKey)
	m, _ := v.(map[string]any)
	return m
}

// setTag records tag for key, or forgets key's tag when tag is nil.
func (s *session) setTag(name string, tag any) {
	old := s.tags()
	if reflect.DeepEqual(old[name], tag) {
		return
	}
	m := make(map[string]any, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	if tag == nil {
		delete(m, name)
	} else {
		m[name] = tag
	}
	if len(m) == 0 {
		s.gs.Delete(typesKey)
		return
	}
	s.gs.Set(typesKey, m)
}
