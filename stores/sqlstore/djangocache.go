package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// DjangoCache names the cache a Django site keeps its sessions in when it
// shares the table under SESSION_ENGINE =
// "django.contrib.sessions.backends.cached_db": the cache's settings, as in
// Django's CACHES[SESSION_CACHE_ALIAS], that make the Redis key of a
// session's entry. See [WithDjangoCache].
type DjangoCache struct {
	// KeyPrefix is the cache's KEY_PREFIX. Optional. Default value is "",
	// Django's.
	KeyPrefix string
	// Version is the cache's VERSION. Optional. Default value is 1,
	// Django's (a VERSION of 0 needs a KeyFunc).
	Version int
	// KeyFunc is the cache's KEY_FUNCTION, called as Django calls it with
	// "django.contrib.sessions.cached_db" and the session key, the
	// KeyPrefix and the Version. Optional. Default value is Django's
	// default_key_func, "<KeyPrefix>:<Version>:<key>".
	KeyFunc func(key, keyPrefix string, version int) string
}

// ErrDjangoCache reports that a write reached the table but Django's
// cached_db entry of the session could not be deleted, so a Django site
// may still serve the entry it cached before the write.
var ErrDjangoCache = errors.New("sqlstore: Django's cached_db cache entry not deleted")

// djangoCacheKeyPrefix is KEY_PREFIX of django.contrib.sessions.backends.cached_db.
const djangoCacheKeyPrefix = "django.contrib.sessions.cached_db"

// djangoCacheTimeout bounds a delete, which runs even when the request's
// context ended after the write: the row has changed, so the entry must go.
const djangoCacheTimeout = 10 * time.Second

// WithDjangoCache keeps a Django site on the cached_db engine in step with
// the Go service: every write of a row (Create, Update, Touch, Delete,
// DeleteMany, CompareAndSwap, CompareAndDelete) also deletes Django's cache
// entry of that session from Redis, in the same call, so the site's next
// load reads the row. A delete that fails makes the call fail with an error
// wrapping [ErrDjangoCache], never a silently stale cache. (ClearExpired
// leaves entries alone: Django caches one no longer than its session lives.)
//
// client is the go-redis client (v8 or v9: *redis.Client, *ClusterClient,
// *Ring, UniversalClient) of the Redis database in the Django cache's
// LOCATION (mind the database number in redis://host:6379/1); the key is
// "<KEY_PREFIX>:<VERSION>:django.contrib.sessions.cached_db<session key>"
// by default, as c says.
func WithDjangoCache[R interface{ Err() error }](client interface {
	Del(ctx context.Context, keys ...string) R
}, c DjangoCache) Option {
	return func(s *Store) error {
		if v := reflect.ValueOf(client); !v.IsValid() || v.Kind() == reflect.Pointer && v.IsNil() {
			return errors.New("sqlstore: WithDjangoCache: the Redis client is nil; pass the go-redis client of Django's cache")
		}
		if c.Version == 0 {
			c.Version = 1
		}
		if c.KeyFunc == nil { // Django's default_key_func, which django-redis uses too
			c.KeyFunc = func(key, prefix string, version int) string { return prefix + ":" + strconv.Itoa(version) + ":" + key }
		}
		s.djangoCache = func(ctx context.Context, sessionKey string) error {
			return client.Del(ctx, c.KeyFunc(djangoCacheKeyPrefix+sessionKey, c.KeyPrefix, c.Version)).Err()
		}
		return nil
	}
}

// DjangoOption answers [stores.SharedWithDjango]: "sqlstore.WithDjangoCache"
// when that option is on.
func (s *Store) DjangoOption() string {
	if s.djangoCache == nil {
		return ""
	}
	return "sqlstore.WithDjangoCache"
}

// dropDjangoCache deletes Django's cached_db entry of key after a write of
// its row; it does nothing without WithDjangoCache.
func (s *Store) dropDjangoCache(ctx context.Context, what, key string) error {
	if s.djangoCache == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), djangoCacheTimeout)
	defer cancel()
	if err := s.djangoCache(ctx, key); err != nil {
		return fmt.Errorf("sqlstore: %s %s: %w: %w", what, stores.Redact(key), ErrDjangoCache, err)
	}
	return nil
}
