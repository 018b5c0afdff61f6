// Package redisops is the session store both Redis stores share, written
// once: stores/redisstore (go-redis v8) and stores/redis9store (go-redis v9)
// each hand it their client's Do, so the two cannot drift apart and a
// deployment can move between them without losing a session.
package redisops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// DefaultPrefix is prepended to session keys to make Redis keys.
const DefaultPrefix = "ginsession:"

// MaxPrefix is the longest prefix accepted, in bytes.
const MaxPrefix = 512

// Do sends one command and returns its reply as go-redis's Cmd.Result does
// (a string, an int64, ...), with the client's redis.Nil for a nil reply.
type Do func(ctx context.Context, args ...any) (any, error)

// Pipe sends two commands in one round trip, as a pipeline (not a
// transaction: another client's command may come between them), and
// returns each one's reply as Do would; [PipeOf] makes one.
type Pipe func(ctx context.Context, first, second []any) (Reply, Reply)

// Reply is one pipelined command's reply and error, as Do returns them.
type Reply struct {
	Val any
	Err error
}

// PipeOf is the Pipe of a go-redis client of either major, given its
// Pipeline method, its Cmd type and how to run a pipeline:
//
//	redisops.PipeOf[*redis.Cmd](client.Pipeline, func(p redis.Pipeliner, ctx context.Context) { p.Exec(ctx) })
//
// Each command keeps its own reply and error, redis.Nil included, so exec's
// is not needed. Under Cluster both go to their key's node: one round trip.
func PipeOf[C interface{ Result() (any, error) }, P interface {
	Do(ctx context.Context, args ...any) C
}](pipeline func() P, exec func(P, context.Context)) Pipe {
	return func(ctx context.Context, first, second []any) (ra, rb Reply) {
		p := pipeline()
		a, b := p.Do(ctx, first...), p.Do(ctx, second...)
		exec(p, ctx)
		ra.Val, ra.Err = a.Result()
		rb.Val, rb.Err = b.Result()
		return ra, rb
	}
}

// Store is a stores.Store on Redis. It is safe for concurrent use.
type Store struct {
	do     Do
	pipe   Pipe
	nilErr error
	name   string // the public package, which starts every error
	prefix string
	now    func() time.Time
}

// Config is what a store's options (WithPrefix, WithClock) set; New checks it.
type Config struct {
	Prefix string
	Now    func() time.Time
}

// New returns a store that sends its commands with do and pipe, whose
// errors start with name, configured by opts (each package's Option type).
// A command is not sent once its context has ended, and is sent with the
// context's deadline and values only (deadlineOnly).
func New[O ~func(*Config)](name string, do Do, pipe Pipe, nilErr error, opts []O) (*Store, error) {
	c := Config{Prefix: DefaultPrefix, Now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	if len(c.Prefix) > MaxPrefix {
		return nil, fmt.Errorf("%s: WithPrefix: %d bytes is too long (at most %d)", name, len(c.Prefix), MaxPrefix)
	}
	if c.Now == nil {
		return nil, fmt.Errorf("%s: WithClock(nil): pass a function, or leave the option out for time.Now", name)
	}
	s := &Store{nilErr: nilErr, name: name, prefix: c.Prefix, now: c.Now}
	s.do = func(ctx context.Context, args ...any) (any, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return do(deadlineOnly{ctx}, args...)
	}
	s.pipe = func(ctx context.Context, first, second []any) (Reply, Reply) {
		if err := ctx.Err(); err != nil {
			return Reply{Err: err}, Reply{Err: err}
		}
		return pipe(deadlineOnly{ctx}, first, second)
	}
	return s, nil
}

// deadlineOnly is a context's deadline and values without its
// cancellation: go-redis bounds each socket read and write by the deadline,
// and v8 runs a command in the calling goroutine only when Done is nil (for
// any other context it starts a goroutine per command to watch it). A call
// whose caller gave up meanwhile runs on until Redis answers or the deadline
// passes: the package docs of both stores say so.
type deadlineOnly struct{ context.Context }

func (deadlineOnly) Done() <-chan struct{} { return nil }
func (deadlineOnly) Err() error            { return nil }

// errReply is a reply of a type the command never sends: a client or proxy
// that is not Redis.
var errReply = errors.New("unexpected reply type")

// set sends SET key data PX ms, then cond (NX or XX) if given; set is false
// for a nil reply (the condition did not hold).
func (s *Store) set(ctx context.Context, key string, data []byte, ms string, cond ...any) (set bool, err error) {
	_, err = s.do(ctx, append([]any{"set", s.rkey(key), data, "px", ms}, cond...)...)
	if err == s.nilErr {
		return false, nil
	}
	return err == nil, err
}

// count sends a command whose reply is an integer: DEL, EXISTS, PEXPIRE.
func (s *Store) count(ctx context.Context, args ...any) (int64, error) {
	return integer(s.do(ctx, args...))
}

// integer reads a reply that must be an integer.
func integer(v any, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("%w %T", errReply, v)
	}
	return n, nil
}

// Prefix returns the prefix of the store's Redis keys.
func (s *Store) Prefix() string { return s.prefix }

func (s *Store) rkey(key string) string { return s.prefix + key }

// fail wraps err for operation op on key, naming only the key's first six
// characters: enough to correlate, never enough to hijack the session.
func (s *Store) fail(op, key string, err error) error {
	return fmt.Errorf("%s: %s %s: %w", s.name, op, stores.Redact(key), err)
}

// checkKey is the error of a write given a key that breaks the key rules.
func (s *Store) checkKey(op, key string) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("%s: %s: %w", s.name, op, err)
	}
	return nil
}

// PX returns the time from now until expiry in whole milliseconds, rounded
// up so a record never expires early, and saturated as stores.ClampExpiry
// says; ok is false when expiry has passed (Redis rejects a PX that is not
// positive).
func PX(now, expiry time.Time) (ms string, ok bool) {
	d := stores.ClampExpiry(expiry).Sub(now)
	if d <= 0 {
		return "", false
	}
	n := int64(d / time.Millisecond)
	if d%time.Millisecond != 0 {
		n++
	}
	return strconv.FormatInt(n, 10), true
}

// Load implements stores.Store with one GET.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("%s: load: %w (%w)", s.name, stores.ErrNotFound, err)
	}
	v, err := s.do(ctx, "get", s.rkey(key))
	if err == s.nilErr {
		return nil, stores.ErrNotFound
	} else if err != nil {
		return nil, s.fail("load", key, err)
	}
	str, ok := v.(string)
	if !ok {
		return nil, s.fail("load", key, fmt.Errorf("GET: %w %T", errReply, v))
	}
	return []byte(str), nil
}

// LoadWithTTL implements stores.TTLLoader with GET and PTTL in one
// pipeline: one round trip, as Load's GET (a Lua script doing both costs
// the server several times a GET). The time to live is Redis's own, to
// the millisecond, less the time the reply took to come back. A key
// deleted between the two commands returns its data with a time to live of
// 0 (unknown), as a Load just before the delete would have.
func (s *Store) LoadWithTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, 0, fmt.Errorf("%s: load: %w (%w)", s.name, stores.ErrNotFound, err)
	}
	rk := any(s.rkey(key))
	get, pttl := s.pipe(ctx, []any{"get", rk}, []any{"pttl", rk})
	switch {
	case get.Err == s.nilErr:
		return nil, 0, stores.ErrNotFound
	case get.Err != nil:
		return nil, 0, s.fail("load", key, get.Err)
	case pttl.Err != nil:
		return nil, 0, s.fail("load", key, pttl.Err)
	}
	str, ok1 := get.Val.(string)
	ms, ok2 := pttl.Val.(int64)
	if !ok1 || !ok2 {
		return nil, 0, s.fail("load", key, fmt.Errorf("GET, PTTL: %w %T, %T", errReply, get.Val, pttl.Val))
	}
	data := []byte(str)
	switch {
	case ms == -1 || ms > int64(stores.MaxExpiry().Sub(s.now())/time.Millisecond):
		// Written without a TTL, or one beyond what a store keeps, by
		// something else: it saturates as every expiry does.
		return data, stores.MaxExpiry().Sub(s.now()), nil
	case ms < 0:
		return data, 0, nil
	}
	return data, time.Duration(ms) * time.Millisecond, nil
}

// Create implements stores.Store with one SET ... PX ms NX. For an expiry
// already past there is nothing to write, but a taken key is still taken:
// one EXISTS.
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	return s.write("create", key, expiry, stores.ErrExists,
		func(ms string) (bool, error) { return s.set(ctx, key, data, ms, "nx") },
		func() (bool, error) { n, err := s.count(ctx, "exists", s.rkey(key)); return n == 0, err })
}

// Update implements stores.Store with one SET ... PX ms XX, which never
// brings back a record that was deleted or has expired (DEL for an expiry
// already past).
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	return s.write("update", key, expiry, stores.ErrNotFound,
		func(ms string) (bool, error) { return s.set(ctx, key, data, ms, "xx") }, s.del(ctx, key))
}

// Touch implements stores.Toucher with one PEXPIRE (DEL for an expiry
// already past).
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	return s.write("touch", key, expiry, stores.ErrNotFound, func(ms string) (bool, error) {
		n, err := s.count(ctx, "pexpire", s.rkey(key), ms)
		return n > 0, err
	}, s.del(ctx, key))
}

// Set stores a record whether or not one exists, with one SET ... PX ms (or
// DEL for an expiry already past). It is not part of stores.Store, whose
// writes are create-only or update-only; stores/cachedstore writes its
// tombstones with it.
func (s *Store) Set(ctx context.Context, key string, data []byte, expiry time.Time) error {
	return s.write("set", key, expiry, nil,
		func(ms string) (bool, error) { return s.set(ctx, key, data, ms) }, s.del(ctx, key))
}

// write is the write op on key: ahead(ms) for an expiry ms milliseconds
// ahead, past() for one already past (Redis rejects a PX that is not
// positive); either reporting false is the error miss, when not nil.
func (s *Store) write(op, key string, expiry time.Time, miss error, ahead func(ms string) (bool, error), past func() (bool, error)) error {
	if err := s.checkKey(op, key); err != nil {
		return err
	}
	var done bool
	var err error
	if ms, ok := PX(s.now(), expiry); ok {
		done, err = ahead(ms)
	} else {
		done, err = past()
	}
	if err == nil && !done {
		err = miss
	}
	if err != nil {
		return s.fail(op, key, err)
	}
	return nil
}

// del is a DEL of key that reports whether there was a record.
func (s *Store) del(ctx context.Context, key string) func() (bool, error) {
	return func() (bool, error) {
		n, err := s.count(ctx, "del", s.rkey(key))
		return n > 0, err
	}
}

// Delete implements stores.Store with one DEL.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.checkKey("delete", key); err != nil {
		return err
	}
	if _, err := s.count(ctx, "del", s.rkey(key)); err != nil {
		return s.fail("delete", key, err)
	}
	return nil
}

// Exists implements stores.Store with one EXISTS; an invalid key is absent,
// without a command.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if !stores.ValidKey(key) {
		return false, nil
	}
	n, err := s.count(ctx, "exists", s.rkey(key))
	if err != nil {
		return false, s.fail("exists", key, err)
	}
	return n > 0, nil
}

// ClearExpired implements stores.Store; it does nothing, because Redis
// removes expired keys by itself.
func (s *Store) ClearExpired(context.Context) error { return nil }

var (
	_ stores.Store     = (*Store)(nil)
	_ stores.Toucher   = (*Store)(nil)
	_ stores.TTLLoader = (*Store)(nil)
	_ stores.Swapper   = (*Store)(nil)
	_ stores.Indexer   = (*Store)(nil)
)
