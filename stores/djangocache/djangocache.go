// Package djangocache keeps sessions where a Django site on the cache
// session engine keeps them, so that the site and a Gin service share them
// both ways: Django's SESSION_ENGINE = "django.contrib.sessions.backends.cache"
// on Redis, through django-redis or Django 4.0+'s own RedisCache.
//
//	store, err := djangocache.New(client, djangocache.WithKeyPrefix("myapp"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	r := gin.New()
//	r.Use(ginsession.New(store,
//		ginsession.WithCodec(djangocache.PickleCodec{}), // Zlib(PickleCodec{}) with the ZlibCompressor
//		ginsession.WithSecretKey(djangoSecretKey),       // for _auth_user_hash
//	))
//
// # Keys and expiry
//
// A session is one Redis string under Django's cache key,
// KEY_PREFIX:VERSION:django.contrib.sessions.cache<session key> (Django's
// default KEY_FUNCTION; [WithKeyPrefix] and [WithVersion] give the CACHES
// entry's KEY_PREFIX and VERSION, "" and 1 by default). Its Redis time to
// live is the session's expiry, as Django sets it (cache.set with
// get_expiry_age()); Redis removes it when it runs out, so ClearExpired has
// nothing to do, as Django's clear_expired for this engine does nothing.
//
// # Semantics
//
// Create is Django's save(must_create=True), cache.add: SET NX, and a taken
// key is [stores.ErrExists]. Update is Django's save() of a loaded session,
// which Django 3.2 to 5.x do as cache.get then cache.set, raising
// UpdateError when the get misses: here one SET XX, the same rule without
// the window between the two commands, so a session a logout deleted is
// never written back. CompareAndSwap and CompareAndDelete ([stores.Swapper])
// compare the stored bytes in a Lua script, as stores/redis9store does, so
// concurrent requests of the Gin service lose none of each other's changes;
// a Django request still saves last-write-wins, as it always does.
//
// # Values
//
// The store keeps the bytes it is given. Django's cache engine stores the
// session dict itself, serialized by the cache backend, so the format is
// the codec's, chosen to match the site's CACHES setting:
//
//   - django-redis with its default serializer (pickle), or Django 4.0+'s
//     RedisCache: [PickleCodec].
//   - django-redis with its ZlibCompressor: [Zlib](PickleCodec{}).
//   - django-redis with its JSONSerializer: ginsession.JSONCodec, or
//     Zlib(ginsession.JSONCodec{}) with the ZlibCompressor too.
//
// [PickleCodec] reads only plain values (see its documentation): a pickle
// holding anything else is refused as corrupt data, so the session starts
// empty and ginsession logs a warning, as Django does with a
// SuspiciousSession; nothing in it is ever run. django-redis and RedisCache
// store a bare integer unpickled; a session is always a dict, so such a
// value is corrupt data too.
//
// # Clients
//
// [New] takes a go-redis v9 client, [NewV8] a go-redis v8 one; the records
// are the same. The commands, their round trips, Cluster support and the
// deadline rules are those of stores/redis9store and stores/redisstore,
// which do the work (their names start the errors).
package djangocache

import (
	"fmt"
	"strconv"
	"time"

	redis8 "github.com/go-redis/redis/v8"
	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/redis9store"
	"github.com/ginsession/ginsession/stores/redisstore"
)

// KeyPrefix is what Django's cache session engine puts before a session
// key, before the cache adds its own KEY_PREFIX and VERSION.
const KeyPrefix = "django.contrib.sessions.cache"

// Store is a stores.Store on the Redis a Django site's cache session engine
// uses. It is safe for concurrent use; it does not own the client.
type Store struct {
	redisStore
	prefix string
}

// DjangoOption answers [stores.SharedWithDjango]: the store is Django's.
func (s *Store) DjangoOption() string { return "djangocache" }

// redisStore is what redis9store and redisstore both are, and all this
// store offers.
type redisStore interface {
	stores.Store
	stores.Swapper
	stores.Toucher
	stores.TTLLoader
}

// config is what the options set.
type config struct {
	keyPrefix string
	version   int
	now       func() time.Time
}

// Option configures a Store.
type Option func(*config)

// WithKeyPrefix sets the KEY_PREFIX of the Django cache the sessions are in
// (CACHES[SESSION_CACHE_ALIAS]["KEY_PREFIX"]). Optional. Default value is
// "", Django's.
func WithKeyPrefix(p string) Option { return func(c *config) { c.keyPrefix = p } }

// WithVersion sets the VERSION of the Django cache the sessions are in.
// Optional. Default value is 1, Django's.
func WithVersion(v int) Option { return func(c *config) { c.version = v } }

// WithClock sets where the store reads the current time, which turns a
// session's expiry into a Redis time to live. Optional. Default value is
// time.Now. New refuses nil.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// configure applies opts and returns them with the Redis key prefix they
// make.
func configure(opts []Option) (config, string) {
	c := config{version: 1, now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	return c, c.keyPrefix + ":" + strconv.Itoa(c.version) + ":" + KeyPrefix
}

// New returns a store on a go-redis v9 client. It sends nothing to Redis.
// Like redis9store.New, it refuses a client whose options leave
// ContextTimeoutEnabled false.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	c, prefix := configure(opts)
	s, err := redis9store.New(client, redis9store.WithPrefix(prefix), redis9store.WithClock(c.now))
	return newStore(s, err, prefix)
}

// NewV8 returns a store on a go-redis v8 client. It sends nothing to Redis.
func NewV8(client redis8.UniversalClient, opts ...Option) (*Store, error) {
	c, prefix := configure(opts)
	s, err := redisstore.New(client, redisstore.WithPrefix(prefix), redisstore.WithClock(c.now))
	return newStore(s, err, prefix)
}

func newStore(s redisStore, err error, prefix string) (*Store, error) {
	if err != nil {
		return nil, fmt.Errorf("djangocache: %w", err)
	}
	return &Store{redisStore: s, prefix: prefix}, nil
}

// RedisKey returns the Redis key of a session: Django's cache key for it.
func (s *Store) RedisKey(sessionKey string) string { return s.prefix + sessionKey }
