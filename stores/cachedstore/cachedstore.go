// Package cachedstore is Django's cached_db session engine: a database store
// that holds the truth and a cache store in front of it that serves reads
// (see ExampleNew).
//
// Writes go to the database first, whose answer decides the call (ErrExists,
// ErrNotFound, a failure), and then to the cache. Reads try the cache and,
// on a miss, load from the database and refill the cache for the record's
// remaining lifetime. A cache that fails (down, slow, full) is logged and
// otherwise ignored by Load, Create, Update and Exists: the site keeps
// working on the database alone, which is what Django 5.1 made of cached_db
// after cache outages turned every request into a 500.
//
// # Logouts are final
//
// A logout landing between another call's database step and its cache step
// must not let that call put the dead session back into the cache (Django's
// cached_db has this race). Three rules close it:
//
//   - Delete marks the cache unsettled (reads then ask the database),
//     removes the database record, and then writes a tombstone into the
//     cache, over whatever is there, for [DefaultTombstoneTTL]
//     ([WithTombstoneTTL]). Load and Exists take a tombstone for "not found".
//   - A refill after a database read is insert-only (the cache's Create), so
//     it cannot replace a tombstone, nor newer data a save cached meanwhile.
//   - The cache write after a database Create, Update or Touch replaces
//     anything but a tombstone, in one atomic step (a Lua script in Redis,
//     the shard lock in memstore). Create of a key whose tombstone is still
//     there undoes its database insert and returns ErrExists.
//
// A cache step is not sent once half the tombstone's life has passed since
// its call began (it is logged, and an Update's stale copy dropped instead);
// what remains open is a command already sent that reaches the cache later
// still. A cache store without the atomic guarded write gets its check and
// write as two steps, so a tombstone landing between them is overwritten:
// use redisstore, redis9store or memstore as the cache. A cache that is down
// during Delete gets no tombstone: the failure is logged (or returned,
// [WithStrictDelete]), and a cache that comes back with its old contents can
// serve the session until its cached copy expires.
//
// # Compare-and-swap
//
// The store is a [stores.Swapper] when its database store is one (with any
// other, both methods return an error wrapping errors.ErrUnsupported). The
// database's swap decides, and a conflict returns the database's current
// data, never the cache's. Before the database step the cache gets a mark of
// the call's own (reads then ask the database, and a refill cannot land);
// after it the cache's own compare-and-swap replaces that mark alone with the
// new data. A swap whose mark was overwritten meanwhile, or whose cache step
// fails or comes late, leaves an unsettled marker for a tombstone's life, so
// the cache never keeps a copy the database has lost. A cache that evicts
// keys before their TTL (a Redis maxmemory policy) can drop a mark as it can
// drop a tombstone.
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
// safe for concurrent use if both are.
type Store struct {
	cache, db    stores.Store
	guarded      guarded // cache, for writes: chosen once in New
	log          *slog.Logger
	fallbackTTL  time.Duration
	tombstoneTTL time.Duration
	strictDelete bool
	// now is real time, for the deadlines of cache steps; clock
	// (WithClock) is the time expiries are reckoned in.
	now   func() time.Time
	clock func() time.Time
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

// WithStrictDelete makes Delete return the cache's error after the database
// record is gone, as Django's cached_db does, instead of logging it. By
// default a cache failure does not fail a Delete (a logout keeps working
// while the cache is down); the price is that a cache which comes back with
// its old contents, after a network partition rather than a restart, has
// no tombstone and can serve the deleted session until its TTL runs out.
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
	s := &Store{cache: cache, db: db, log: slog.Default(),
		fallbackTTL: DefaultFallbackTTL, tombstoneTTL: DefaultTombstoneTTL, now: time.Now, clock: time.Now}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	s.guarded = guard(cache, s.clock)
	return s, nil
}

func (s *Store) cacheFailed(ctx context.Context, op, key string, err error) {
	s.log.LogAttrs(ctx, slog.LevelWarn, "cachedstore: cache failed; the database answers instead",
		slog.String("op", op), slog.String("key", stores.Redact(key)), slog.Any("err", err))
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
	// A swap in flight, or one that could not update the cache, left the
	// unsettled marker: the database answers, and no refill is tried (the
	// marker would refuse it).
	refill := err != nil
	switch {
	case err == nil && isTombstone(data):
		return nil, 0, stores.ErrNotFound
	case err == nil && !isUnsettled(data):
		return data, ttl, nil
	case err != nil && !errors.Is(err, stores.ErrNotFound):
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("cachedstore: load %s: %w", stores.Redact(key), err)
		}
		s.cacheFailed(ctx, "load", key, err)
	}
	began := s.now()
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
	cctx, cancel := s.cacheContext(ctx, began)
	err = s.cache.Create(cctx, key, data, exp)
	cancel()
	if err != nil && !errors.Is(err, stores.ErrExists) {
		s.cacheFailed(ctx, "refill", key, err)
	}
	return data, ttl, nil
}

// Create implements stores.Store: the database decides, then the cache
// receives the record. A key deleted less than a tombstone's life ago is
// refused with ErrExists (and left absent from the database).
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := checkData("create", key, data); err != nil {
		return err
	}
	began := s.now()
	if err := s.db.Create(ctx, key, data, expiry); err != nil {
		return err
	}
	s.between("create", key)
	if s.write(ctx, began, "create", key, data, expiry) {
		return nil
	}
	// The cache holds the key's tombstone: the record could not be served,
	// so it must not stay in the database either.
	if err := s.db.Delete(ctx, key); err != nil {
		return fmt.Errorf("cachedstore: create %s over a tombstone: undo: %w", stores.Redact(key), err)
	}
	return fmt.Errorf("cachedstore: create %s: deleted moments ago: %w", stores.Redact(key), stores.ErrExists)
}

// Update implements stores.Store: the database decides (ErrNotFound for a
// vanished record), then the cache receives the new data unless a
// concurrent Delete's tombstone is there.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := checkData("update", key, data); err != nil {
		return err
	}
	began := s.now()
	if err := s.db.Update(ctx, key, data, expiry); err != nil {
		return err
	}
	s.between("update", key)
	s.write(ctx, began, "update", key, data, expiry)
	return nil
}

// checkData refuses data the cache could not tell from a tombstone or an
// unsettled marker.
func checkData(op, key string, data []byte) error {
	if isTombstone(data) || isUnsettled(data) {
		return fmt.Errorf("cachedstore: %s %s: the data is one of cachedstore's cache markers, which no session codec produces", op, stores.Redact(key))
	}
	return nil
}

// cacheContext returns the context for a call's cache step: ctx, cut off
// half a tombstone's life after the call began (see the package doc).
func (s *Store) cacheContext(ctx context.Context, began time.Time) (context.Context, context.CancelFunc) {
	limit := began.Add(s.tombstoneTTL / 2)
	if d, ok := ctx.Deadline(); ok && !d.After(limit) {
		return ctx, func() {}
	}
	return context.WithDeadline(ctx, limit)
}

// setUnlessBuried writes data into the cache unless it holds a tombstone,
// and reports whether it did; ctx is cut off as cacheContext says.
func (s *Store) setUnlessBuried(ctx context.Context, began time.Time, key string, data []byte, expiry time.Time) (bool, error) {
	ctx, cancel := s.cacheContext(ctx, began)
	defer cancel()
	return s.guarded.SetUnless(ctx, key, data, expiry, tombstone)
}

// write makes the cache hold data after the database took it, unless the
// cache holds a tombstone, and reports false in that case. When the write
// fails it drops the cached copy (a tombstone excepted), so no stale record
// is served, and logs.
func (s *Store) write(ctx context.Context, began time.Time, op, key string, data []byte, expiry time.Time) bool {
	wrote, err := s.setUnlessBuried(ctx, began, key, data, expiry)
	if err == nil {
		return wrote
	}
	s.cacheFailed(ctx, op, key, err)
	s.dropStale(ctx, op, key)
	return true
}

// dropStale removes the cached copy after a failed cache write, unless it
// is a tombstone: removing a copy is always safe, whenever it lands.
func (s *Store) dropStale(ctx context.Context, op, key string) {
	if _, err := s.guarded.SetUnless(ctx, key, nil, time.Time{}, tombstone); err != nil {
		s.cacheFailed(ctx, op+": drop stale copy", key, err)
	}
}

// Touch implements stores.Toucher: the database's Touch (or, for a database
// store without one, Load and Update), then the cache's.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	began := s.now()
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
	// A tombstone keeps its own expiry: moved to the session's, an earlier
	// one would end the refill protection early.
	cctx, cancel := s.cacheContext(ctx, began)
	_, err := s.guarded.TouchUnless(cctx, key, expiry, tombstone)
	cancel()
	if err != nil {
		s.cacheFailed(ctx, "touch", key, err)
		s.dropStale(ctx, "touch", key)
	}
	return nil
}

// Delete implements stores.Store: the database, then a tombstone in the
// cache over whatever it held (see the package doc for why). A cache
// failure is logged, or returned under WithStrictDelete.
//
// The database goes first so that a failed Delete changes nothing, and so
// the tombstone's life counts from the moment the record is gone.
func (s *Store) Delete(ctx context.Context, key string) error {
	if stores.ValidKey(key) { // else the database refuses it
		s.fence(ctx, "delete", key)
	}
	if err := s.db.Delete(ctx, key); err != nil {
		return err
	}
	return s.bury(ctx, "delete", key)
}

// fence sends reads of key to the database before a call deletes it there:
// the cache holds the unsettled marker (over anything but a tombstone)
// until the tombstone replaces it. Without it a read between the database
// delete and the tombstone got the cached copy after a concurrent save had
// been refused for the logout (found by the linearizability check). A
// failure is logged: the cache is then as a failed tombstone leaves it.
func (s *Store) fence(ctx context.Context, op, key string) {
	if _, err := s.setUnlessBuried(ctx, s.now(), key, unsettled, s.clock().Add(s.tombstoneTTL)); err != nil {
		s.cacheFailed(ctx, op+": mark", key, err)
	}
}

// bury writes key's tombstone into the cache once the database record is
// gone; a failure is logged, or returned under
// WithStrictDelete. It runs under the caller's values without its
// deadline or cancellation, bounded by half a tombstone's life instead: a
// request whose deadline fell between the two steps would otherwise leave
// no tombstone, and the cache serving the ended session until its copy
// expires (the linearizability check found it so).
func (s *Store) bury(ctx context.Context, op, key string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.tombstoneTTL/2)
	defer cancel()
	s.between(op, key)
	if err := s.guarded.Set(ctx, key, tombstone, s.clock().Add(s.tombstoneTTL)); err != nil {
		if s.strictDelete {
			return fmt.Errorf("cachedstore: delete %s from the cache: %w", stores.Redact(key), err)
		}
		s.log.LogAttrs(ctx, slog.LevelError, "cachedstore: deleted from the database but not from the cache",
			slog.String("key", stores.Redact(key)), slog.Any("err", err))
	}
	return nil
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
	case err == nil && !isUnsettled(data):
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

// DjangoOption implements stores.DjangoSharer for the cache and database.
func (s *Store) DjangoOption() string {
	return cmp.Or(stores.SharedWithDjango(s.cache), stores.SharedWithDjango(s.db))
}

var (
	_ stores.Toucher   = (*Store)(nil)
	_ stores.TTLLoader = (*Store)(nil)
)
