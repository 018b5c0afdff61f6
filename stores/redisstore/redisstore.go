// Package redisstore keeps sessions in Redis through go-redis v8
// (github.com/go-redis/redis/v8), for codebases still on v8; new code
// takes stores/redis9store. The two are one store over two clients
// (stores/internal/redisops): the same commands, one round trip each,
// key layout, records, options and behaviour, which redis9store's
// documentation lists, so a deployment can move between them without
// losing a session.
//
// Any v8 UniversalClient works: a standalone *redis.Client, a
// Sentinel-backed failover client, or a *redis.ClusterClient, which with
// Redis 7 or later needs [Redis7ClusterOptions].
//
// # Contexts
//
// The store hands go-redis a call's deadline and values, not its
// cancellation: v8 then runs the command in the calling goroutine, where
// for a context that can be cancelled it would start a goroutine per
// command. A command is not sent once its context has ended; once sent, it
// ends when Redis answers or at its deadline (plus the client's retry
// backoff), and a request whose client went away does not end it sooner.
// The middleware gives every store call a deadline
// (ginsession.WithStoreTimeout); other callers should too, or the client's
// ReadTimeout (3 s by default) is the bound.
package redisstore

import (
	"context"
	"errors"
	"time"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/stores/internal/redisops"
)

// DefaultPrefix is prepended to session keys to make Redis keys.
const DefaultPrefix = redisops.DefaultPrefix

// Store is a stores.Store on Redis, with stores.Toucher, stores.Swapper,
// stores.TTLLoader and stores.Indexer. It is safe for concurrent
// use; it does not own the client, which the caller closes.
type Store struct {
	*core
}

type core = redisops.Store

// Option configures a Store.
type Option func(*redisops.Config)

// WithPrefix sets the prefix of Redis keys, DefaultPrefix by default. Give
// applications that share a Redis different prefixes.
func WithPrefix(p string) Option {
	return func(c *redisops.Config) { c.Prefix = p }
}

// WithClock sets where the store reads the current time, which turns a
// session's expiry into the time to live Redis keeps. Optional. Default
// value is time.Now; tests pass a clock they move (and the same one to
// ginsession.WithClock). Redis still expires keys by its own clock. New
// refuses nil.
func WithClock(now func() time.Time) Option {
	return func(c *redisops.Config) { c.Now = now }
}

// New returns a store on client. It sends nothing to Redis.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: New: client is nil")
	}
	do := func(ctx context.Context, args ...any) (any, error) { return client.Do(ctx, args...).Result() }
	pipe := redisops.PipeOf[*redis.Cmd](client.Pipeline, func(p redis.Pipeliner, ctx context.Context) { _, _ = p.Exec(ctx) })
	s, err := redisops.New("redisstore", do, pipe, redis.Nil, opts)
	if err != nil {
		return nil, err
	}
	return &Store{s}, nil
}
