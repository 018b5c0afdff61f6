// Package cachedstore is Django's cached_db session engine: a database store
// that holds the truth and a cache store in front of it that serves reads.
//
// Writes go to the database first, whose answer decides the call (ErrExists,
// ErrNotFound, a failure), and then to the cache. Reads try the cache and,
// on a miss, load from the database and refill the cache for the record's
// remaining lifetime. A cache that fails (down, slow, full) is logged and
// otherwise ignored by Load, Create, Update and Exists: the site keeps
// working on the database alone, which is what Django 5.1 made of cached_db
// after cache outages turned every request into a 500.
//
// Typical use, Redis in front of the django_session table:
//
//	dbStore, err := sqlstore.New(db)
//	if err != nil {
//		log.Fatal(err)
//	}
//	cache, err := redisstore.New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"}),
//		redisstore.WithPrefix("myapp:cached_db:"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	store, err := cachedstore.New(cache, dbStore, cachedstore.WithLogger(slog.Default()))
package cachedstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// ExpiryLoader is implemented by database stores that can return a record's
// expiry with its data (sqlstore.Store does). With it the cache is refilled
// for exactly the record's remaining lifetime; without it, for the fallback
// TTL (WithFallbackTTL).
type ExpiryLoader interface {
	LoadWithExpiry(ctx context.Context, key string) ([]byte, time.Time, error)
}

// Setter is implemented by cache stores that can write a record whether or
// not one exists (redisstore.Store does, with one SET). Without it the cache
// is written with Update, then Create if the record was not cached.
type Setter interface {
	Set(ctx context.Context, key string, data []byte, expiry time.Time) error
}

// DefaultFallbackTTL is how long a record loaded from a database that does
// not implement ExpiryLoader stays in the cache.
const DefaultFallbackTTL = time.Minute

// Store is a stores.Store made of a cache store and a database store. It is
// safe for concurrent use if both are.
type Store struct {
	cache, db    stores.Store
	log          *slog.Logger
	fallbackTTL  time.Duration
	strictDelete bool
	now          func() time.Time
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
// does not implement ExpiryLoader is cached (DefaultFallbackTTL by default).
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

// WithStrictDelete makes Delete return the cache's error after the database
// record is gone, as Django's cached_db does, instead of logging it. By
// default a cache failure does not fail a Delete (a logout keeps working
// while the cache is down); the price is that a cache which comes back with
// its old contents, after a network partition rather than a restart, can
// serve the deleted session until its TTL runs out.
func WithStrictDelete() Option {
	return func(s *Store) error {
		s.strictDelete = true
		return nil
	}
}

// New returns a store that caches db in cache.
func New(cache, db stores.Store, opts ...Option) (*Store, error) {
	if cache == nil || db == nil {
		return nil, errors.New("cachedstore: New needs both a cache and a database store")
	}
	s := &Store{cache: cache, db: db, log: slog.Default(), fallbackTTL: DefaultFallbackTTL, now: time.Now}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// short is how keys appear in logs and errors.
func short(key string) string {
	if len(key) > 6 {
		return key[:6] + "…"
	}
	return key
}

func (s *Store) cacheFailed(ctx context.Context, op, key string, err error) {
	s.log.LogAttrs(ctx, slog.LevelWarn, "cachedstore: cache failed; the database answers instead",
		slog.String("op", op), slog.String("key", short(key)), slog.Any("err", err))
}

// Load implements stores.Store: the cache, else the database (refilling the
// cache). A cache failure counts as a miss.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("cachedstore: load: %w (%w)", stores.ErrNotFound, err)
	}
	data, err := s.cache.Load(ctx, key)
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, stores.ErrNotFound) {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("cachedstore: load %s: %w", short(key), err)
		}
		s.cacheFailed(ctx, "load", key, err)
	}
	var exp time.Time
	if el, ok := s.db.(ExpiryLoader); ok {
		data, exp, err = el.LoadWithExpiry(ctx, key)
	} else {
		data, err = s.db.Load(ctx, key)
		exp = s.now().Add(s.fallbackTTL)
	}
	if err != nil {
		return nil, err
	}
	// Create, not a blind write: if a concurrent save has cached newer
	// data meanwhile, that data stays.
	if err := s.cache.Create(ctx, key, data, exp); err != nil && !errors.Is(err, stores.ErrExists) {
		s.cacheFailed(ctx, "refill", key, err)
	}
	return data, nil
}

// Create implements stores.Store: the database decides, then the cache
// receives the record.
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := s.db.Create(ctx, key, data, expiry); err != nil {
		return err
	}
	s.write(ctx, "create", key, data, expiry)
	return nil
}

// Update implements stores.Store: the database decides (ErrNotFound for a
// vanished record), then the cache receives the new data.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := s.db.Update(ctx, key, data, expiry); err != nil {
		return err
	}
	s.write(ctx, "update", key, data, expiry)
	return nil
}

// write makes the cache hold data after the database took it. When that
// fails it drops the cached copy, so no stale record is served, and logs.
func (s *Store) write(ctx context.Context, op, key string, data []byte, expiry time.Time) {
	var err error
	if st, ok := s.cache.(Setter); ok {
		err = st.Set(ctx, key, data, expiry)
	} else {
		// Update, else Create, else (a refill got there first) Update.
		err = s.cache.Update(ctx, key, data, expiry)
		if errors.Is(err, stores.ErrNotFound) {
			err = s.cache.Create(ctx, key, data, expiry)
			if errors.Is(err, stores.ErrExists) {
				err = s.cache.Update(ctx, key, data, expiry)
			}
		}
		if errors.Is(err, stores.ErrNotFound) && !expiry.After(s.now()) {
			err = nil // expired on arrival: nothing to cache
		}
	}
	if err == nil {
		return
	}
	s.cacheFailed(ctx, op, key, err)
	if derr := s.cache.Delete(ctx, key); derr != nil {
		s.cacheFailed(ctx, op+": drop stale copy", key, derr)
	}
}

// Touch implements stores.Toucher: the database's Touch (or, for a database
// store without one, Load and Update), then the cache's.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	if t, ok := s.db.(stores.Toucher); ok {
		if err := t.Touch(ctx, key, expiry); err != nil {
			return err
		}
	} else {
		data, err := s.db.Load(ctx, key)
		if err != nil {
			return err
		}
		if err := s.db.Update(ctx, key, data, expiry); err != nil {
			return err
		}
	}
	var err error
	if t, ok := s.cache.(stores.Toucher); ok {
		err = t.Touch(ctx, key, expiry)
	} else {
		err = s.cache.Delete(ctx, key) // the next Load refills it
	}
	if err != nil && !errors.Is(err, stores.ErrNotFound) {
		s.cacheFailed(ctx, "touch", key, err)
		if derr := s.cache.Delete(ctx, key); derr != nil {
			s.cacheFailed(ctx, "touch: drop stale copy", key, derr)
		}
	}
	return nil
}

// Delete implements stores.Store: the database, then the cache. A cache
// failure is logged, or returned under WithStrictDelete.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.db.Delete(ctx, key); err != nil {
		return err
	}
	if err := s.cache.Delete(ctx, key); err != nil {
		if s.strictDelete {
			return fmt.Errorf("cachedstore: delete %s from the cache: %w", short(key), err)
		}
		s.log.LogAttrs(ctx, slog.LevelError, "cachedstore: deleted from the database but not from the cache",
			slog.String("key", short(key)), slog.Any("err", err))
	}
	return nil
}

// Exists implements stores.Store: the cache first (no database query when
// it knows the key, as in Django), then the database.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := stores.CheckKey(key); err != nil {
		return false, fmt.Errorf("cachedstore: exists: %w", err)
	}
	ok, err := s.cache.Exists(ctx, key)
	if err == nil && ok {
		return true, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return false, fmt.Errorf("cachedstore: exists %s: %w", short(key), err)
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

var (
	_ stores.Store   = (*Store)(nil)
	_ stores.Toucher = (*Store)(nil)
)
