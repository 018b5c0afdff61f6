package ginsession

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ginsession/ginsession/internal/sessionindex"
	"github.com/ginsession/ginsession/stores"
)

// UserIndex configures the per-user index of sessions ([WithUserIndex]).
type UserIndex struct {
	// ActivityInterval is how often, at most, a request writes a logged-in
	// session's last activity to the index (since this process last wrote
	// it). Optional. Default value is DefaultActivityInterval.
	ActivityInterval time.Duration
	// NoDeviceDetails leaves the user agent and client IP out of the index,
	// for privacy: a devices page then shows when, not from where.
	// Optional. Default value is false.
	NoDeviceDetails bool
	// MaxSessions caps how many live sessions one user has at once (OWASP
	// ASVS 5.0 7.1.2, 7.5.2), enforced by auth.Login in one atomic step of
	// the store ([stores.Indexer]). Optional. Default value is 0: no cap.
	MaxSessions int
	// AtLimit is what a login beyond MaxSessions does. Optional. Default
	// value is RefuseLogin.
	AtLimit AtLimit
}

// DefaultActivityInterval is UserIndex.ActivityInterval's default.
const DefaultActivityInterval = 5 * time.Minute

// maxUserAgent is how many bytes of the User-Agent header (or of the
// client IP) the index keeps.
const maxUserAgent = 256

// WithUserIndex records each logged-in session in a per-user index kept
// by the store ([stores.Indexer]), so a user can list their sessions and
// end any of them (see package auth: Sessions, EndSession,
// EndOtherSessions, EndUserSessions). New panics when the store keeps no
// index (the cookie store cannot: [stores.ErrClientSide]).
//
// A session is indexed when it is saved with a user id (_auth_user_id, as
// auth.Login stores it); CycleKey moves its entry, Flush removes it, and a
// session whose record is gone or expired is never listed. A logged-in
// session the index does not know (logged in before the index was on, or by
// a Django site sharing the store) is added at its first request.
func WithUserIndex(cfg UserIndex) Option {
	return func(o *options) { o.UserIndex = &cfg }
}

// indexState is what the index holds for a session (Session.idx): its
// user ("" for none) and the key the entry is under; the zero value when
// nothing is known.
type indexState struct{ user, key string }

// userIndex keeps a server store's per-user index in step with the
// sessions the middleware loads and saves.
type userIndex struct {
	store       stores.Store
	ix          stores.Indexer
	interval    time.Duration
	details     bool
	seen        seenCache
	maxSessions int  // UserIndex.MaxSessions, 0 for no cap (index_limit.go)
	evict       bool // AtLimit is EndOldest
}

// newUserIndex returns the index for store as o configures it, nil when
// it is off, or the reason it cannot work.
func newUserIndex(store stores.Store, o *options) (*userIndex, error) {
	cfg := o.UserIndex
	if cfg == nil {
		return nil, nil
	}
	ix, ok := store.(stores.Indexer)
	if !ok {
		return nil, fmt.Errorf("WithUserIndex: the store %T keeps no per-user index (%w): use memstore, filestore, sqlstore, redisstore, redis9store or cachedstore", store, stores.ErrNoIndex)
	}
	if err := ix.CheckIndex(); err != nil {
		return nil, fmt.Errorf("WithUserIndex: %w", err)
	}
	switch {
	case cfg.ActivityInterval < 0:
		return nil, fmt.Errorf("WithUserIndex: ActivityInterval %v is negative: leave it 0 for %v", cfg.ActivityInterval, DefaultActivityInterval)
	case cfg.MaxSessions < 0:
		return nil, fmt.Errorf("WithUserIndex: MaxSessions %d is negative: leave it 0 for no cap", cfg.MaxSessions)
	case cfg.MaxSessions > 0 && cfg.AtLimit != RefuseLogin && cfg.AtLimit != EndOldest:
		return nil, fmt.Errorf("WithUserIndex: AtLimit %d is neither RefuseLogin nor EndOldest", cfg.AtLimit)
	}
	u := &userIndex{store: store, ix: ix, interval: cfg.ActivityInterval, details: !cfg.NoDeviceDetails,
		maxSessions: cfg.MaxSessions, evict: cfg.AtLimit == EndOldest}
	if u.interval == 0 {
		u.interval = DefaultActivityInterval
	}
	return u, nil
}

// userOf returns the user id stored in values, "" when none.
func userOf(values *dict) string {
	id, _ := sessionindex.UserID(values.get(sessionindex.UserIDKey))
	if len(id) > stores.MaxIndexUserID {
		return "" // no index can hold it; auth refuses such an id at Login
	}
	return id
}

// entryExpiry is how long the index keeps an entry of a session that
// expires at expiry: the activity interval longer (the next write may be
// that far off) and a minute's margin for clocks.
func (u *userIndex) entryExpiry(expiry time.Time) time.Time {
	return stores.ClampExpiry(expiry.Add(u.interval + time.Minute))
}

// entry describes s, saved at now, for the index. s.mu is held.
func (u *userIndex) entry(s *Session, now, expiry time.Time) stores.IndexEntry {
	e := stores.IndexEntry{Key: s.m.stored(s.key), Created: now, LastActive: now, Expiry: u.entryExpiry(expiry)}
	e.Backend, _ = s.values.get(sessionindex.BackendKey).(string)
	if u.details && s.ended == nil && s.c != nil {
		c := s.c
		e.UserAgent = headerText(c.Request.UserAgent())
		e.IP = headerText(c.ClientIP()) // a TrustedPlatform header, unparsed
	}
	return e
}

// headerText makes a request header's value fit for the index: valid
// UTF-8 (a database refuses other text, failing the login), bad bytes as
// U+FFFD, and at most maxUserAgent bytes, cut between characters.
func headerText(s string) string {
	s, n := strings.ToValidUTF8(s, "\uFFFD"), maxUserAgent
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// loaded runs once s's data is decoded: it learns whose session it is and
// tells the index of the activity when due. A logged-in session the index
// lacks is added. s.mu is held.
func (u *userIndex) loaded(s *Session) {
	if u == nil {
		return
	}
	user := userOf(&s.values)
	s.idx = indexState{user: user, key: s.key}
	if user == "" {
		return
	}
	now := s.m.now()
	if err := u.touch(s, user, now, s.expiryDateLocked(now)); err != nil {
		s.err = err
	}
}

// saved runs after s was stored at now with expiry: a session that gained
// a user (a login) is added, one that lost or changed its user leaves the
// old user's index. A new key for the same user is CycleKey's, moved by
// cycled. s.mu is held.
func (u *userIndex) saved(s *Session, now, expiry time.Time) error {
	if u == nil {
		return nil
	}
	user, _ := sessionindex.UserID(s.values.get(sessionindex.UserIDKey))
	if len(user) > stores.MaxIndexUserID {
		// Saved unindexed, it could not be listed or ended one by one.
		return fmt.Errorf("ginsession: user index: the user id is %d bytes long, more than the %d an index holds", len(user), stores.MaxIndexUserID)
	}
	old := s.idx
	switch {
	case user == old.user && s.key == old.key:
		if user == "" {
			return nil
		}
		// A longer expiry than the index was told (SetExpiry): extend it.
		return u.touch(s, user, now, expiry)
	case user != "" && user == old.user && old.key != "":
		return nil
	}
	ctx, cancel := s.storeContext()
	defer cancel()
	if user != "" {
		if err := u.ix.IndexAdd(ctx, user, u.entry(s, now, expiry)); err != nil {
			return fmt.Errorf("ginsession: user index: add session %s: %w", shortKey(s.key), err)
		}
		u.seen.wrote(s.key, now, u.entryExpiry(expiry))
	}
	if old.user != "" && old.key != "" {
		if err := u.ix.IndexRemove(ctx, old.user, s.m.stored(old.key)); err != nil {
			return fmt.Errorf("ginsession: user index: remove session %s of its former user: %w", shortKey(old.key), err)
		}
	}
	s.idx = indexState{user: user, key: s.key}
	return nil
}

// unsaved runs after the write of s's record that saved (and cycled)
// preceded: when it failed (err), the index is put back as it was before:
// an entry added for a user the record does not hold is taken back, one a
// key cycle moved goes back to the old key; and the session is due again,
// so its next request re-adds an entry saved removed. It returns err. s.mu
// is held.
func (u *userIndex) unsaved(s *Session, before indexState, err error) error {
	if u == nil || err == nil {
		return err
	}
	st := s.idx
	s.idx = before
	for _, k := range []string{s.key, before.key, st.key} {
		u.seen.forget(k)
	}
	if st == before || st.user == "" {
		return err
	}
	ctx, cancel := s.storeContext()
	defer cancel()
	var rerr error
	if st.user == before.user { // moved by cycled
		now := s.m.now()
		rerr = u.ix.IndexMove(ctx, st.user, s.m.stored(st.key), s.m.stored(before.key), now, u.entryExpiry(s.expiryDateLocked(now)))
	} else {
		rerr = u.ix.IndexRemove(ctx, st.user, s.m.stored(st.key))
	}
	if rerr != nil {
		return errors.Join(err, fmt.Errorf("ginsession: user index: take back the entry of session %s, whose save failed: %w", shortKey(st.key), rerr))
	}
	return err
}

// touch tells the index of s's activity at now when it is due (u.seen),
// adding the entry the index lacks. s.mu is held.
func (u *userIndex) touch(s *Session, user string, now, expiry time.Time) error {
	if !u.seen.due(s.key, now, expiry, u.interval) {
		return nil
	}
	ctx, cancel := s.storeContext()
	defer cancel()
	err := u.ix.IndexTouch(ctx, user, s.m.stored(s.key), now, u.entryExpiry(expiry))
	if errors.Is(err, stores.ErrNotFound) {
		err = u.ix.IndexAdd(ctx, user, u.entry(s, now, expiry))
	}
	if err != nil {
		return fmt.Errorf("ginsession: user index: note activity of session %s: %w", shortKey(s.key), err)
	}
	u.seen.wrote(s.key, now, u.entryExpiry(expiry))
	return nil
}

// cycled runs once a key cycle has stored s under its new key, before
// the record under old is retired: the entry moves to the new key, which
// is live, so that it can be ended by then. s.mu is held.
func (u *userIndex) cycled(s *Session, old string, now, expiry time.Time) error {
	st := s.idx
	if u == nil || st.user == "" || st.key != old || old == "" {
		return nil
	}
	ctx, cancel := s.storeContext()
	defer cancel()
	err := u.ix.IndexMove(ctx, st.user, s.m.stored(old), s.m.stored(s.key), now, u.entryExpiry(expiry))
	if errors.Is(err, stores.ErrNotFound) {
		// Never indexed, or ended meanwhile (retireOld will tell): the new
		// key is live, so it must be listed.
		err = u.ix.IndexAdd(ctx, st.user, u.entry(s, now, expiry))
	}
	if err != nil {
		return fmt.Errorf("ginsession: user index: move session %s: %w", shortKey(old), err)
	}
	u.seen.forget(old)
	u.seen.wrote(s.key, now, u.entryExpiry(expiry))
	s.idx = indexState{user: st.user, key: s.key}
	return nil
}

// flushing runs before Flush deletes the record under old: a session not
// read in this request (a logout page that never looks at it) is read now,
// one Load, to learn whose index holds it. s.mu is held.
func (u *userIndex) flushing(s *Session, old string) {
	if u == nil || s.idx != (indexState{}) {
		return
	}
	ctx, cancel := s.storeContext()
	raw, err := u.store.Load(ctx, s.m.stored(old))
	cancel()
	if err != nil {
		return // gone already, or the Delete will report the store's failure
	}
	var values dict
	if err := s.decode(raw, &values); err == nil {
		s.idx = indexState{user: userOf(&values), key: old}
	}
}

// flushed runs once Flush has deleted the record under old. s.mu is held.
func (u *userIndex) flushed(s *Session, old string) error {
	if u == nil {
		return nil
	}
	st := s.idx
	s.idx = indexState{}
	u.seen.forget(old)
	if st.user == "" || st.key != old {
		// Not known to be indexed (not read in this request): a listing
		// drops the entry, since its record is gone.
		return nil
	}
	ctx, cancel := s.storeContext()
	defer cancel()
	if err := u.ix.IndexRemove(ctx, st.user, s.m.stored(old)); err != nil {
		s.err = fmt.Errorf("ginsession: user index: remove session %s: %w", shortKey(old), err)
		return s.err
	}
	return nil
}

// indexTarget is sessionindex.Of.
func indexTarget(session any) (sessionindex.Target, error) {
	s, ok := session.(*Session)
	if !ok {
		return sessionindex.Target{}, fmt.Errorf("ginsession: not a session: %w", stores.ErrNoIndex)
	}
	b, ok := s.m.backend.(*serverBackend)
	if !ok {
		return sessionindex.Target{}, stores.ErrClientSide
	}
	if b.index == nil {
		return sessionindex.Target{}, fmt.Errorf("ginsession: the user index is off: add ginsession.WithUserIndex(ginsession.UserIndex{}) to ginsession.New: %w", stores.ErrNoIndex)
	}
	s.lock()
	key := s.key
	if s.cycling && !s.created {
		key = s.oldKey // the record the session has until its save
	}
	key = s.m.stored(key)
	s.mu.Unlock()
	return sessionindex.Target{
		Store: b.store,
		Index: b.index.ix,
		Key:   key,
		Admit: func(user string) error {
			s.lock()
			defer s.mu.Unlock()
			return b.admit(s, user)
		},
		Context: func() (context.Context, context.CancelFunc) {
			s.lock()
			defer s.mu.Unlock()
			return s.storeContext()
		},
	}, nil
}

func init() { sessionindex.Of = indexTarget }
