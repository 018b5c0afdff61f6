// Package redisstore keeps sessions in Redis, as Django's cache session
// engine does with a Redis cache: each record is one string value whose
// Redis TTL is the session's expiry, so Redis itself forgets expired
// sessions and ClearExpired has nothing to do.
//
// Any github.com/go-redis/redis/v8 UniversalClient works: a standalone
// *redis.Client, a Sentinel-backed failover client, or a *redis.ClusterClient.
// Every operation is a single command on a single key, so each is one round
// trip and Cluster routes it to the key's slot without cross-slot concerns.
//
// With Redis 7 or later, a go-redis v8 ClusterClient needs
// [Redis7ClusterOptions]: v8 cannot parse the CLUSTER SLOTS and COMMAND
// replies Redis 7 sends, and without the fix every command costs several
// round trips or fails.
//
// # Commands
//
//	Load    GET key
//	Create  SET key data PX ms NX     (nil reply: the key is taken)
//	Update  SET key data PX ms XX     (nil reply: the record vanished)
//	Touch   PEXPIRE key ms            (0: the record vanished)
//	Delete  DEL key
//	Exists  EXISTS key
//	Set     SET key data PX ms        (not in stores.Store; see Store.Set)
//
// An expiry that has already passed is never sent as a PX (Redis rejects a
// non-positive one): Create then only checks the key is free (EXISTS), and
// Update and Touch delete the record (DEL), reporting ErrNotFound when there
// was none, so in every case the record is absent afterwards, as it would be
// a moment later anyway.
//
// # Contexts
//
// go-redis v8 honours a context's deadline (it bounds the socket reads and
// writes) and does not start a command once the context is done. The
// middleware gives every store call a deadline (ginsession.WithStoreTimeout),
// and a request whose client hangs up returns promptly (RELIABILITY.md has
// the measurements). Callers outside the middleware should pass a context
// with a deadline too; the client's ReadTimeout (3 s by default) is the last
// bound.
//
// Records written here are the session bytes as they are; Django's own cache
// engine stores pickled dicts, so sessions are not shared with Django
// through this store (use sqlstore for that).
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/stores"
)

// DefaultPrefix is prepended to session keys to make Redis keys.
const DefaultPrefix = "ginsession:"

// Store is a stores.Store on Redis. It is safe for concurrent use; it does
// not own the client, which the caller closes.
type Store struct {
	client redis.UniversalClient
	prefix string
	now    func() time.Time
}

// Option configures a Store.
type Option func(*Store) error

// WithPrefix sets the prefix of Redis keys, DefaultPrefix by default. Give
// applications that share a Redis different prefixes.
func WithPrefix(p string) Option {
	return func(s *Store) error {
		if len(p) > 512 {
			return fmt.Errorf("redisstore: WithPrefix: %d bytes is too long (at most 512)", len(p))
		}
		s.prefix = p
		return nil
	}
}

// New returns a store on client. It sends nothing to Redis.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: New: client is nil")
	}
	s := &Store{client: client, prefix: DefaultPrefix, now: time.Now}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Prefix returns the prefix of the store's Redis keys.
func (s *Store) Prefix() string { return s.prefix }

func (s *Store) rkey(key string) string { return s.prefix + key }

// short is how keys appear in errors: enough to correlate, never enough to
// hijack the session.
func short(key string) string {
	if len(key) > 6 {
		return key[:6] + "…"
	}
	return key
}

// ttl returns the time left until expiry in whole milliseconds, rounded up
// so a record never expires early; ok is false when expiry has passed.
// An expiry centuries ahead saturates (stores.TTLMillis) instead of
// wrapping round into a negative PX, which Redis refuses.
func (s *Store) ttl(expiry time.Time) (ms string, ok bool) {
	n, ok := stores.TTLMillis(expiry, s.now())
	if !ok {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}

// Load implements stores.Store with one GET.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("redisstore: load: %w (%w)", stores.ErrNotFound, err)
	}
	data, err := s.client.Get(ctx, s.rkey(key)).Bytes()
	if err != nil {
		if err == redis.Nil {
			return nil, stores.ErrNotFound
		}
		return nil, fmt.Errorf("redisstore: load %s: %w", short(key), err)
	}
	return data, nil
}

// Create implements stores.Store with one SET ... PX ms NX.
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("redisstore: create: %w", err)
	}
	ms, ok := s.ttl(expiry)
	if !ok {
		// Born expired: nothing to write, but a taken key is still taken.
		n, err := s.client.Exists(ctx, s.rkey(key)).Result()
		if err != nil {
			return fmt.Errorf("redisstore: create %s: %w", short(key), err)
		}
		if n > 0 {
			return fmt.Errorf("redisstore: create %s: %w", short(key), stores.ErrExists)
		}
		return nil
	}
	cmd := redis.NewBoolCmd(ctx, "set", s.rkey(key), data, "px", ms, "nx")
	_ = s.client.Process(ctx, cmd)
	set, err := cmd.Result()
	if err != nil {
		return fmt.Errorf("redisstore: create %s: %w", short(key), err)
	}
	if !set {
		return fmt.Errorf("redisstore: create %s: %w", short(key), stores.ErrExists)
	}
	return nil
}

// Update implements stores.Store with one SET ... PX ms XX, which never
// brings back a record that was deleted or has expired.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("redisstore: update: %w", err)
	}
	ms, ok := s.ttl(expiry)
	if !ok {
		return s.expireNow(ctx, "update", key)
	}
	cmd := redis.NewBoolCmd(ctx, "set", s.rkey(key), data, "px", ms, "xx")
	_ = s.client.Process(ctx, cmd)
	set, err := cmd.Result()
	if err != nil {
		return fmt.Errorf("redisstore: update %s: %w", short(key), err)
	}
	if !set {
		return fmt.Errorf("redisstore: update %s: %w", short(key), stores.ErrNotFound)
	}
	return nil
}

// Touch implements stores.Toucher with one PEXPIRE.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("redisstore: touch: %w", err)
	}
	ms, ok := s.ttl(expiry)
	if !ok {
		return s.expireNow(ctx, "touch", key)
	}
	cmd := redis.NewBoolCmd(ctx, "pexpire", s.rkey(key), ms)
	_ = s.client.Process(ctx, cmd)
	set, err := cmd.Result()
	if err != nil {
		return fmt.Errorf("redisstore: touch %s: %w", short(key), err)
	}
	if !set {
		return fmt.Errorf("redisstore: touch %s: %w", short(key), stores.ErrNotFound)
	}
	return nil
}

// expireNow is Update or Touch to an expiry already past: the record goes,
// and a record that was not there is ErrNotFound as for any update.
func (s *Store) expireNow(ctx context.Context, what, key string) error {
	n, err := s.client.Del(ctx, s.rkey(key)).Result()
	if err != nil {
		return fmt.Errorf("redisstore: %s %s: %w", what, short(key), err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: %s %s: %w", what, short(key), stores.ErrNotFound)
	}
	return nil
}

// Set stores a record whether or not one exists, with one SET ... PX ms (or
// DEL for an expiry already past). It is not part of stores.Store, whose
// writes are create-only or update-only; the cached_db store
// (stores/cachedstore) uses it to refresh its cache after the database has
// accepted a write.
func (s *Store) Set(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("redisstore: set: %w", err)
	}
	ms, ok := s.ttl(expiry)
	if !ok {
		if err := s.client.Del(ctx, s.rkey(key)).Err(); err != nil {
			return fmt.Errorf("redisstore: set %s: %w", short(key), err)
		}
		return nil
	}
	cmd := redis.NewStatusCmd(ctx, "set", s.rkey(key), data, "px", ms)
	_ = s.client.Process(ctx, cmd)
	if err := cmd.Err(); err != nil {
		return fmt.Errorf("redisstore: set %s: %w", short(key), err)
	}
	return nil
}

// Delete implements stores.Store with one DEL.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	if err := s.client.Del(ctx, s.rkey(key)).Err(); err != nil {
		return fmt.Errorf("redisstore: delete %s: %w", short(key), err)
	}
	return nil
}

// Exists implements stores.Store with one EXISTS.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := stores.CheckKey(key); err != nil {
		return false, fmt.Errorf("redisstore: exists: %w", err)
	}
	n, err := s.client.Exists(ctx, s.rkey(key)).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: exists %s: %w", short(key), err)
	}
	return n > 0, nil
}

// ClearExpired implements stores.Store; it does nothing, because Redis
// removes expired keys by itself.
func (s *Store) ClearExpired(context.Context) error { return nil }

var (
	_ stores.Store   = (*Store)(nil)
	_ stores.Toucher = (*Store)(nil)
)
