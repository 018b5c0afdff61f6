package ginsession

import (
	"time"

	"github.com/ginsession/ginsession/stores"
)

// backend is where a session's record lives: a server store, under a key
// the cookie carries (serverBackend), or the cookie itself, sealed
// (cookieBackend). New picks one; nothing else in the package asks which it
// is. Every method but check runs with s.mu held.
type backend interface {
	// check reports a setting this backend cannot work with.
	check(o *options) error
	// load returns the record's encoded data; stores.ErrNotFound means there
	// is none to use, any other error a failure the request must report.
	load(s *Session) ([]byte, error)
	// decoded runs once the data is decoded (or failed to: decodeErr); it
	// reports whether the record must be dropped all the same.
	decoded(s *Session, decodeErr error) (drop bool)
	// save stores data, encoded at now, as the session's record, giving the
	// session a new key or sealed value as needed. It returns the data
	// stored, which differs from data when a concurrent request's changes
	// were merged in (the session's values then hold the merge too).
	save(s *Session, data []byte, now time.Time) (stored []byte, err error)
	// refresh stores the session at the end of a request that must save it;
	// gone reports a record a concurrent request ended, after which the
	// session is empty and keyless.
	refresh(s *Session, now time.Time) (gone bool, err error)
	// flush ends the record and drops the session's reference to it.
	flush(s *Session) error
	// cycle gives the loaded session a new reference; the old one ends at
	// the next save.
	cycle(s *Session)
	// dropCycle forgets a key cycle the request will not save (it answered
	// 5xx, panicked or flushed), deleting anything written for it.
	dropCycle(s *Session) error
	// cookieValue is what the cookie carries for the session.
	cookieValue(s *Session) string
}

// newBackend returns the backend for what was passed to New.
func newBackend(store stores.Store) backend {
	if cs, ok := store.(stores.ClientSide); ok {
		return &cookieBackend{cs: cs}
	}
	b := &serverBackend{store: store}
	b.toucher, _ = store.(stores.Toucher)
	b.swapper, _ = store.(stores.Swapper)
	b.ttls, _ = store.(stores.TTLLoader)
	return b
}
