// Package redisstore keeps sessions in Redis, as Django's cache session
// engine does with a Redis cache: each record is one string value whose
// Redis TTL is the session's expiry, so Redis itself forgets expired
// sessions and ClearExpired has nothing to do.
//
// Any github.com/go-redis/redis/v8 UniversalClient works: a standalone
// *redis.Client, a Sentinel-backed failover client, or a *redis.ClusterClient.
// Every operation is a single command on a single key (LoadWithTTL: two,
// pipelined), so each is one round trip and Cluster routes it to the key's
// slot without cross-slot concerns.
//
// With Redis 7 or later, a go-redis v8 ClusterClient needs
// [Redis7ClusterOptions]: v8 cannot parse the CLUSTER SLOTS and COMMAND
// replies Redis 7 sends, and without the fix every command costs several
// round trips or fails.
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
// CompareAndSwap and CompareAndDelete (stores.Swapper) are one Lua script
// each on the one key, so Redis runs the compare and the write as one step
// against every other client, Cluster included; the reply of a conflict
// carries the record's current data, so a conflict costs no extra round
// trip. A script is sent by its SHA-1, and in full (EVAL) only when a
// server answers NOSCRIPT.
//
// An expiry that has already passed is never sent as a PX (Redis rejects a
// non-positive one): Create then only checks the key is free (EXISTS), and
// Update and Touch delete the record (DEL), reporting ErrNotFound when there
// was none, so in every case the record is absent afterwards, as it would be
// a moment later anyway.
//
// # Contexts
//
// The store hands go-redis a call's deadline and values, not its
// cancellation (a context whose Done is nil): v8 bounds each socket read
// and write by the deadline, and runs the command in the calling goroutine,
// where for a context that can be cancelled it would start a goroutine per
// command. A command is not sent once its context has ended; once sent, it
// ends when Redis answers or at its deadline (plus the client's retry
// backoff, MaxRetries), never later, and a cancellation meanwhile (a
// request whose client went away) does not end it sooner. The middleware
// gives every store call a deadline (ginsession.WithStoreTimeout); callers
// outside it should pass a context with a deadline too, or the client's
// ReadTimeout (3 s by default) is the bound.
//
// Records written here are the session bytes as they are; Django's own cache
// engine stores pickled dicts, so sessions are not shared with Django
// through this store (use sqlstore for that).
package redisstore

import (
	"context"
	"errors"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/internal/redisops"
)

// DefaultPrefix is prepended to session keys to make Redis keys.
const DefaultPrefix = redisops.DefaultPrefix

// Store is a stores.Store on Redis. It is safe for concurrent use; it does
// not own the client, which the caller closes.
//
// Its methods (Load, Create, Update, Touch, CompareAndSwap,
// CompareAndDelete, Set, Delete, Exists, ClearExpired) send the commands listed in the package documentation; the
// code is shared with stores/redis9store, so the two stores read and write
// the same records.
type Store struct {
	*core
}

type core = redisops.Store

// Option configures a Store.
type Option func(*redisops.Config) error

// WithPrefix sets the prefix of Redis keys, DefaultPrefix by default. Give
// applications that share a Redis different prefixes.
func WithPrefix(p string) Option {
	return func(c *redisops.Config) error { return c.SetPrefix("redisstore", p) }
}

// New returns a store on client. It sends nothing to Redis.
func New(client redis.UniversalClient, opts ...Option) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: New: client is nil")
	}
	do := func(ctx context.Context, args ...any) (any, error) { return client.Do(ctx, args...).Result() }
	s, err := redisops.New("redisstore", redisops.Bounded(do), redisops.BoundedPipe(pipe(client)), redis.Nil, opts)
	if err != nil {
		return nil, err
	}
	return &Store{s}, nil
}

var (
	_ stores.Store     = (*Store)(nil)
	_ stores.Toucher   = (*Store)(nil)
	_ stores.Swapper   = (*Store)(nil)
	_ stores.TTLLoader = (*Store)(nil)
)
