// Package cachedstore is Django's cached_db session engine: a database store
// that holds the truth and a cache store in front of it that serves reads
// (see ExampleNew).
//
// A write goes to the database, whose answer decides the call (ErrExists,
// ErrNotFound, ErrConflict, a failure), between two cache steps: a mark
// before it, the new data after it. Reads try the cache and, on a miss, load
// from the database and refill the cache for the record's remaining
// lifetime. A cache failure (down, slow, full) is logged and otherwise
// ignored by Load, Exists and Create, which the database then serves alone.
// A write to an existing session (Update, CompareAndSwap, Delete,
// CompareAndDelete) whose mark cannot be written fails with
// [ErrCacheUnavailable] before its database step: behind a cache that still
// holds the old copy, the change would be lost to the reads the cache
// answers, and a logout undone. Django's cached_db logs such a failure and
// goes on.
//
// # Reads never go back, logouts are final
//
// The cache holds, under a session key, the session's data, nothing, or a
// marker (a value beginning with NUL bytes, which no codec makes; the store
// refuses such data):
//
//   - a write's own mark, written before its database step over anything
//     but another marker. After the database step the cache's
//     compare-and-swap puts the write's data in place of that mark only, so
//     a write fills the cache only if no other write began in between. A
//     write whose database step changed nothing (a conflict, a vanished
//     record) removes its mark again.
//   - the unsettled marker, which a write that finds another's mark leaves
//     over it, for a tombstone's life: neither write fills the cache, since
//     their database steps may land in either order.
//   - a tombstone, which Delete writes over anything after its database
//     delete, for [DefaultTombstoneTTL] ([WithTombstoneTTL]). Load and Exists
//     take it for "not found" without asking the database.
//
// Load and Exists take any other marker for a miss and ask the database. A
// refill, like Create's cache step, is insert-only (the cache's Create), so
// it lands only where no write is in flight; Create refuses with ErrExists,
// and leaves absent from the database, a key whose tombstone is still there
// (keys are random: only a deleted key's replay gets there).
//
// What stays open: a cache step is not sent once half a tombstone's life has
// passed since its call began (the mark is left; ginsession's store timeout,
// 5 s by default, ends a call sooner). A cache store without atomic guarded
// writes (redisstore, redis9store and memstore have them) makes its check and
// write two steps, so a write landing between them is overwritten; one that
// is not a stores.Swapper keeps the markers and serves only refills. A cache
// that evicts keys before their TTL (a Redis maxmemory policy) can drop a
// marker. A Delete whose tombstone cannot be written leaves its mark for its
// life and logs the failure (or returns it, [WithStrictDelete]).
//
// # Compare-and-swap
//
// The store is a [stores.Swapper] when its database store is one (else both
// methods return an error wrapping errors.ErrUnsupported). The database's
// swap decides, and a conflict returns the database's data, never the cache's.
package cachedstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// DefaultFallbackTTL is how long a record loaded from a database that is
// not a stores.TTLLoader stays in the cache.
const DefaultFallbackTTL = time.Minute

// Store is a stores.Store made of a cache store and a database store. It is
// safe for concurrent use if both are. Its stores.Indexer methods are the
// database store's, or return an error wrapping stores.ErrNoIndex when it
// keeps none.
type Store struct {
	index        // indexOf(db): the stores.Indexer methods
	cache, db    stores.Store
	guarded      guarded // cache, for writes: chosen once in New
	log          *slog.Logger
	fallbackTTL  time.Duration
	tombstoneTTL time.Duration
	strictDelete bool
	clock        func() time.Time // for expiries (WithClock); deadlines are in real time
	// afterDB, when set (tests only), runs between a call's database step
	// and its cache step, so a test can land a logout exactly there.
	afterDB func(op, key string)
}

func (s *Store) between(op, key string) {
	if s.afterDB != nil {
		s.afterDB(op, key)
	}
}

// Option configures a Store.
type Option func(*Store) error

// ErrCacheUnavailable is returned, wrapped with the cache's error, by a
// write (Update, CompareAndSwap, Delete, CompareAndDelete) whose mark could
// not be written into the cache; its database step was not made.
var ErrCacheUnavailable = errors.New("cachedstore: the cache could not be marked before the database write, which was not made")

// WithLogger sets where cache failures are logged; slog.Default() by
// default. Keys appear shortened to their first six characters.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) error {
		if l == nil {
			return errors.New("cachedstore: WithLogger(nil)")
		}
		s.log = l
		return nil
	}
}

// WithFallbackTTL sets how long a record loaded from a database store that
// is not a stores.TTLLoader is cached (DefaultFallbackTTL by default).
// Keep it short: the cached copy can outlive the record's real expiry by up
// to this much.
func WithFallbackTTL(d time.Duration) Option {
	return func(s *Store) error {
		if d <= 0 {
			return fmt.Errorf("cachedstore: WithFallbackTTL(%v): want a positive duration", d)
		}
		s.fallbackTTL = d
		return nil
	}
}

// WithTombstoneTTL sets how long the tombstone a Delete leaves in the cache
// stays there. Optional. Default value is DefaultTombstoneTTL. A cache step
// is never sent later than half of it after its call began, so keep it well
// above the time a database call can take; a longer one only costs one
// small cache entry per logout for longer.
func WithTombstoneTTL(d time.Duration) Option {
	return func(s *Store) error {
		if d <= 0 {
			return fmt.Errorf("cachedstore: WithTombstoneTTL(%v): want a positive duration such as %v", d, DefaultTombstoneTTL)
		}
		s.tombstoneTTL = d
		return nil
	}
}

// WithStrictDelete makes Delete return the error of its tombstone write,
// after the database record is gone, as Django's cached_db does, instead of
// logging it. Either way the mark Delete wrote first stays, so reads ask
// the database until it expires; a cache that cannot be marked fails every
// Delete with ErrCacheUnavailable, with or without this option.
func WithStrictDelete() Option {
	return func(s *Store) error {
		s.strictDelete = true
		return nil
	}
}

// WithClock sets the clock expiries are reckoned in: a tombstone's, and a
// refill's from a database that is not a stores.TTLLoader. Give the cache and
// the database stores the same one (and ginsession.WithClock). The
// deadlines of cache steps stay in real time. Optional. Default value is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) error {
		if now == nil {
			return errors.New("cachedstore: WithClock(nil): pass a function, or leave the option out for time.Now")
		}
		s.clock = now
		return nil
	}
}

// New returns a store that caches db in cache.
func New(cache, db stores.Store, opts ...Option) (*Store, error) {
	if cache == nil || db == nil {
		return nil, errors.New("cachedstore: New needs both a cache and a database store")
	}
	for _, st := range []stores.Store{cache, db} {
		if _, ok := st.(stores.ClientSide); ok {
			return nil, fmt.Errorf("cachedstore: %T keeps sessions in the cookie, not on the server: pass server stores (redisstore, memstore, sqlstore, ...)", st)
		}
	}
	s := &Store{index: indexOf(db), cache: cache, db: db, log: slog.Default(),
		fallbackTTL: DefaultFallbackTTL, tombstoneTTL: DefaultTombstoneTTL, clock: time.Now}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	s.guarded = guard(cache, s.clock)
	return s, nil
}

// cacheContext returns the context for a call's cache steps, made when the
// call begins: ctx, cut off half a tombstone's life from now.
func (s *Store) cacheContext(ctx context.Context) (context.Context, context.CancelFunc) {
	limit := time.Now().Add(s.tombstoneTTL / 2)
	if d, ok := ctx.Deadline(); ok && !d.After(limit) {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, limit)
}

func (s *Store) cacheFailed(ctx context.Context, op, key string, err error) {
	s.log.LogAttrs(ctx, slog.LevelWarn, "cachedstore: cache failed; the database answers instead",
		slog.String("op", op), slog.String("key", stores.Redact(key)), slog.Any("err", err))
}

// logCache logs err from a cache step unless it is nil or says another
// call's marker took the mark's place (or the mark expired).
func (s *Store) logCache(ctx context.Context, op, key string, err error) {
	if err != nil && !errors.Is(err, stores.ErrConflict) && !errors.Is(err, stores.ErrNotFound) {
		s.cacheFailed(ctx, op, key, err)
	}
}

// Load implements stores.Store: the cache, else the database (refilling the
// cache). A cache failure counts as a miss.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	data, _, err := s.load(ctx, key, false)
	return data, err
}

// LoadWithTTL implements stores.TTLLoader: Load, with the time to live from
// the cache when it is a stores.TTLLoader (memstore, redisstore and
// redis9store are), else from the database on a miss. A hit in a cache
// without it gives 0: unknown.
func (s *Store) LoadWithTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	return s.load(ctx, key, true)
}

func (s *Store) load(ctx context.Context, key string, withTTL bool) ([]byte, time.Duration, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, 0, fmt.Errorf("cachedstore: load: %w (%w)", stores.ErrNotFound, err)
	}
	var data []byte
	var ttl time.Duration
	var err error
	if tl, ok := s.cache.(stores.TTLLoader); ok && withTTL {
		data, ttl, err = tl.LoadWithTTL(ctx, key)
	} else {
		data, err = s.cache.Load(ctx, key)
	}
	// A write in flight, or one that could not fill the cache, left a
	// marker: the database answers, and no refill is tried (the marker
	// would refuse it).
	refill := err != nil
	switch {
	case err == nil && isTombstone(data):
		return nil, 0, stores.ErrNotFound
	case err == nil && !isMarker(data):
		return data, ttl, nil
	case err != nil && !errors.Is(err, stores.ErrNotFound):
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("cachedstore: load %s: %w", stores.Redact(key), err)
		}
		s.cacheFailed(ctx, "load", key, err)
	}
	cctx, cancel := s.cacheContext(ctx)
	defer cancel()
	ttl = s.fallbackTTL
	if tl, ok := s.db.(stores.TTLLoader); ok {
		var dbTTL time.Duration
		if data, dbTTL, err = tl.LoadWithTTL(ctx, key); dbTTL > 0 {
			ttl = dbTTL
		}
	} else {
		data, err = s.db.Load(ctx, key)
	}
	if err != nil {
		return nil, 0, err
	}
	if !refill {
		return data, ttl, nil
	}
	exp := s.clock().Add(ttl)
	s.between("refill", key)
	// Create, not a blind write: newer data a concurrent save cached
	// meanwhile stays, and so does a concurrent Delete's tombstone.
	if err := s.cache.Create(cctx, key, data, exp); err != nil && !errors.Is(err, stores.ErrExists) {
		s.cacheFailed(ctx, "refill", key, err)
	}
	return data, ttl, nil
}

// Create implements stores.Store: the database decides, then the cache
// receives the record, insert-only. A key deleted less than a tombstone's
// life ago is refused with ErrExists (and left absent from the database).
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := checkData("create", key, data); err != nil {
		return err
	}
	cctx, cancel := s.cacheContext(ctx)
	defer cancel()
	if err := s.db.Create(ctx, key, data, expiry); err != nil {
		return err
	}
	s.between("create", key)
	err := s.cache.Create(cctx, key, data, expiry)
	if errors.Is(err, stores.ErrExists) {
		// Another write's marker (it found no record) stays, and reads ask
		// the database; a tombstone refuses the key.
		var held []byte
		if held, err = s.cache.Load(cctx, key); err == nil && isTombstone(held) {
			if err := s.db.Delete(ctx, key); err != nil {
				return fmt.Errorf("cachedstore: create %s over a tombstone: undo: %w", stores.Redact(key), err)
			}
			return fmt.Errorf("cachedstore: create %s: deleted moments ago: %w", stores.Redact(key), stores.ErrExists)
		}
	}
	s.logCache(ctx, "create", key, err)
	return nil
}

// Update implements stores.Store: the database decides (ErrNotFound for a
// vanished record) between the cache's mark and the new data in its place.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	_, err := s.through(ctx, "update", key, data, expiry, func() ([]byte, error) {
		return nil, s.db.Update(ctx, key, data, expiry)
	})
	return err
}

// checkData refuses data the cache could not tell from a marker.
func checkData(op, key string, data []byte) error {
	if isMarker(data) {
		return fmt.Errorf("cachedstore: %s %s: the data begins as cachedstore's cache markers do, which no session codec produces", op, stores.Redact(key))
	}
	return nil
}

// through makes the database write dbWrite of data under key between the
// cache's mark and the data in its place, and returns dbWrite's answer.
func (s *Store) through(ctx context.Context, op, key string, data []byte, expiry time.Time, dbWrite func() ([]byte, error)) ([]byte, error) {
	if err := checkData(op, key, data); err != nil {
		return nil, err
	}
	cctx, cancel := s.cacheContext(ctx)
	defer cancel()
	mark, err := s.fence(ctx, op, key)
	if err != nil {
		return nil, err
	}
	csw, _ := s.cache.(stores.Swapper)
	cur, err := dbWrite()
	if (errors.Is(err, stores.ErrConflict) || errors.Is(err, stores.ErrNotFound)) && mark != nil && csw != nil {
		// The database changed nothing: the mark goes, so that a retry, or
		// a Create of the key, finds the cache as it was.
		_, cerr := csw.CompareAndDelete(ctx, key, mark)
		s.logCache(ctx, op, key, cerr)
	}
	if err != nil {
		return cur, err
	}
	s.between(op, key)
	err = stores.ErrConflict
	if mark != nil && csw != nil {
		_, err = csw.CompareAndSwap(cctx, key, mark, data, expiry)
	}
	if errors.Is(err, stores.ErrConflict) || errors.Is(err, stores.ErrNotFound) {
		// No mark of this call's to fill (another write's marker took its
		// place, or the cache evicted it): a refill may have cached what
		// the database held before this write, so the unsettled marker
		// takes the place of any data. Another marker stays.
		_, err = s.guarded.SetUnless(cctx, key, unsettled, s.clock().Add(s.tombstoneTTL), marker)
	}
	s.logCache(ctx, op, key, err) // a failed step leaves the mark
	return nil, nil
}

// fence marks key in the cache before a call writes it in the database, and
// returns the call's own mark, or nil when the cache held a marker (another
// write's mark, which gives way to the unsettled marker, or a tombstone,
// which stays). A failure is ErrCacheUnavailable: the call must not go on.
func (s *Store) fence(ctx context.Context, op, key string) ([]byte, error) {
	ctx, cancel := s.cacheContext(ctx)
	defer cancel()
	mark, exp := newMark(), s.clock().Add(s.tombstoneTTL)
	own, err := s.guarded.SetUnless(ctx, key, mark, exp, marker)
	if err == nil && !own {
		mark = nil
		_, err = s.guarded.SetUnless(ctx, key, unsettled, exp, tombstone)
	}
	if err != nil {
		return nil, fmt.Errorf("cachedstore: %s %s: %w: %w", op, stores.Redact(key), ErrCacheUnavailable, err)
	}
	return mark, nil
}

// Touch implements stores.Toucher: the database's Touch (or, for a database
// store without one, Load and Update), then the cache's, which a failure of
// only logs.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	cctx, cancel := s.cacheContext(ctx)
	defer cancel()
	if t, ok := s.db.(stores.Toucher); ok {
		if err := t.Touch(ctx, key, expiry); err != nil {
			return err
		}
	} else {
		data, err := s.db.Load(ctx, key)
		if err == nil {
			err = s.db.Update(ctx, key, data, expiry)
		}
		if err != nil {
			return err
		}
	}
	s.between("touch", key)
	// A marker keeps its own expiry: moved to the session's, a tombstone
	// would end the refill protection early. A failed step leaves the
	// cached copy its earlier expiry.
	_, err := s.guarded.TouchUnless(cctx, key, expiry, marker)
	s.logCache(ctx, "touch", key, err)
	return nil
}

// Delete implements stores.Store: the cache's mark, the database, then a
// tombstone in the cache over whatever it holds (see the package doc). A
// failed tombstone is logged, or returned under WithStrictDelete.
func (s *Store) Delete(ctx context.Context, key string) error {
	if !stores.ValidKey(key) {
		return s.db.Delete(ctx, key) // which refuses it
	}
	_, err := s.buryAfter(ctx, "delete", key, func() ([]byte, error) { return nil, s.db.Delete(ctx, key) })
	return err
}

// buryAfter makes dbDelete between the cache's mark and key's tombstone,
// and returns dbDelete's answer. The tombstone is written under ctx's
// values without its deadline or cancellation, bounded by half a
// tombstone's life instead: a request whose deadline fell between the two
// steps would otherwise leave the cache serving the ended session until
// its copy expires (the linearizability check found it so).
func (s *Store) buryAfter(ctx context.Context, op, key string, dbDelete func() ([]byte, error)) ([]byte, error) {
	if _, err := s.fence(ctx, op, key); err != nil {
		return nil, err
	}
	if cur, err := dbDelete(); err != nil {
		return cur, err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.tombstoneTTL/2)
	defer cancel()
	s.between(op, key)
	if err := s.guarded.Set(ctx, key, tombstone, s.clock().Add(s.tombstoneTTL)); err != nil {
		if s.strictDelete {
			return nil, fmt.Errorf("cachedstore: delete %s from the cache: %w", stores.Redact(key), err)
		}
		s.log.LogAttrs(ctx, slog.LevelError, "cachedstore: deleted from the database but not from the cache",
			slog.String("key", stores.Redact(key)), slog.Any("err", err))
	}
	return nil, nil
}

// Exists implements stores.Store: the cache first (no database query when
// it holds the record or its tombstone), then the database.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if !stores.ValidKey(key) {
		return false, nil // the rule of package stores: no record holds it
	}
	// Load rather than Exists: a tombstone exists for the cache but means
	// "deleted" here.
	data, err := s.cache.Load(ctx, key)
	switch {
	case err == nil && (!isMarker(data) || isTombstone(data)):
		return !isTombstone(data), nil
	case err != nil && !errors.Is(err, stores.ErrNotFound):
		if ctx.Err() != nil {
			return false, fmt.Errorf("cachedstore: exists %s: %w", stores.Redact(key), err)
		}
		s.cacheFailed(ctx, "exists", key, err)
	}
	return s.db.Exists(ctx, key)
}

// ClearExpired implements stores.Store by delegating to the database; the
// cache expires its copies by their TTL.
func (s *Store) ClearExpired(ctx context.Context) error {
	return s.db.ClearExpired(ctx)
}

// DjangoOption answers stores.SharedWithDjango for the cache and database.
func (s *Store) DjangoOption() string {
	return cmp.Or(stores.SharedWithDjango(s.cache), stores.SharedWithDjango(s.db))
}

var (
	_ stores.Toucher   = (*Store)(nil)
	_ stores.TTLLoader = (*Store)(nil)
)
