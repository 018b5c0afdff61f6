// Package redis9store keeps sessions in Redis through go-redis v9
// (github.com/redis/go-redis/v9), the maintained Redis client. Each record
// is one string value whose Redis TTL is the session's expiry, as with
// Django's cache session engine on Redis; ClearExpired has nothing to do.
// stores/redisstore is the same store for go-redis v8, from the same code
// (stores/internal/redisops): the same commands, key layout, options and
// behaviour, so a deployment can move between the two without losing a
// session.
//
// Any v9 UniversalClient works: a standalone *redis.Client, a Sentinel
// failover client (also a *redis.Client), a *redis.ClusterClient, a
// *redis.Ring, or a type of your own. Every operation is one command on one
// key (LoadWithTTL: two, pipelined): one round trip, which Cluster routes to
// the key's slot.
//
// # Commands
//
//	Load    GET key                   (LoadWithTTL: GET and PTTL, one pipeline)
//	Create  SET key data PX ms NX     (nil reply: the key is taken)
//	Update  SET key data PX ms XX     (nil reply: the record vanished)
//	Touch   PEXPIRE key ms            (0: the record vanished)
//	Delete  DEL key
//	Exists  EXISTS key
//	Set     SET key data PX ms        (not in stores.Store; see Store.Set)
//	CompareAndSwap    EVALSHA: GET, compare, SET key data PX ms
//	CompareAndDelete  EVALSHA: GET, compare, DEL
//
// CompareAndSwap and CompareAndDelete (stores.Swapper) are one Lua script,
// so Redis runs the compare and the write as one step; the reply of a
// conflict carries the record's current data, so a conflict costs no extra
// round trip. A script is sent by its SHA-1, and in full (EVAL) only when a
// server answers NOSCRIPT.
//
// An expiry already past is never sent as a PX (Redis rejects it): Create
// then only checks that the key is free (EXISTS), and Update and Touch
// delete the record (DEL), reporting ErrNotFound when there was none, so the
// record is absent afterwards, as it would be a moment later anyway.
//
// Records written here are the session bytes as they are; Django's own
// cache engine stores pickled dicts, so sessions are not shared with Django
// through this store (use stores/djangocache or sqlstore for that).
//
// # Deadlines
//
// go-redis v9 ignores a context's deadline for socket reads and writes
// unless the client's options set ContextTimeoutEnabled: a frozen Redis
// would then hold every request for the client's ReadTimeout (5 s by
// default), whatever ginsession.WithStoreTimeout says. New therefore
// refuses, with [ErrContextTimeoutDisabled], a client whose options it can
// read (*redis.Client, *redis.ClusterClient, *redis.Ring, and any type
// embedding one) and that leaves ContextTimeoutEnabled false. A client of
// another type is trusted to honour deadlines.
//
// The store hands go-redis a call's deadline and values, not its
// cancellation: a command is not sent once its context has ended; once
// sent, it ends when Redis answers or at its deadline (or ReadTimeout, if
// sooner; plus the client's retry backoff), and a request whose client hangs
// up does not end it sooner.
package redis9store

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/stores/internal/redisops"
)

// DefaultPrefix is prepended to session keys to make Redis keys; it is
// stores/redisstore's too.
const DefaultPrefix = redisops.DefaultPrefix

// ErrContextTimeoutDisabled is returned by New for a client whose options
// leave ContextTimeoutEnabled false.
var ErrContextTimeoutDisabled = errors.New("redis9store: the client ignores context deadlines: set ContextTimeoutEnabled: true in its options, or ginsession.WithStoreTimeout does not bound Redis calls")

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

// New returns a store on client. It sends nothing to Redis. It returns
// ErrContextTimeoutDisabled for a client that would ignore deadlines (see
// the package documentation).
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redis9store: New: client is nil")
	}
	if err := checkContextTimeouts(client); err != nil {
		return nil, err
	}
	do := func(ctx context.Context, args ...any) (any, error) { return client.Do(ctx, args...).Result() }
	pipe := redisops.PipeOf[*redis.Cmd](client.Pipeline, func(p redis.Pipeliner, ctx context.Context) { _, _ = p.Exec(ctx) })
	s, err := redisops.New("redis9store", do, pipe, redis.Nil, opts)
	if err != nil {
		return nil, err
	}
	return &Store{s}, nil
}

// checkContextTimeouts reads ContextTimeoutEnabled from the options of the
// client types that expose them. Interfaces rather than concrete types, so a
// wrapper that embeds a client is checked too.
func checkContextTimeouts(client redis.UniversalClient) error {
	enabled := true // a client of another type is trusted
	switch c := client.(type) {
	case interface{ Options() *redis.Options }:
		enabled = c.Options().ContextTimeoutEnabled
	case interface{ Options() *redis.ClusterOptions }:
		enabled = c.Options().ContextTimeoutEnabled
	case interface{ Options() *redis.RingOptions }:
		enabled = c.Options().ContextTimeoutEnabled
	}
	if !enabled {
		return ErrContextTimeoutDisabled
	}
	return nil
}
