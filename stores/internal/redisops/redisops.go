// Package redisops is the session store both Redis stores share: the key
// layout, the commands and what their replies mean, written once against
// the handful of commands a store sends. stores/redisstore (go-redis v8) and
// stores/redis9store (go-redis v9) each hand it their client's Do, so the
// two cannot drift apart and a deployment can move from one to the
// other without losing a session.
package redisops

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// DefaultPrefix is prepended to session keys to make Redis keys.
const DefaultPrefix = "ginsession:"

// MaxPrefix is the longest prefix accepted, in bytes.
const MaxPrefix = 512

// Do sends one command and returns its reply as go-redis's Cmd.Result does
// (a string for a bulk or status reply, an int64 for an integer), with
// nilErr (the client's redis.Nil) for a nil reply. Both go-redis majors
// give one: func(ctx, args...) { return client.Do(ctx, args...).Result() }.
type Do func(ctx context.Context, args ...any) (any, error)

// Store is a stores.Store on a Client. It is safe for concurrent use.
type Store struct {
	do     Do
	pipe   Pipe
	nilErr error
	name   string // the public package, which starts every error
	prefix string
	now    func() time.Time
}

// Config is what a store's options set.
type Config struct {
	prefix string
	now    func() time.Time
}

// SetClock is WithClock's work: where the store reads the current time,
// which turns an expiry into a time to live and back. nil is refused.
func (c *Config) SetClock(name string, now func() time.Time) error {
	if now == nil {
		return fmt.Errorf("%s: WithClock(nil): pass a function, or leave the option out for time.Now", name)
	}
	c.now = now
	return nil
}

// SetPrefix is WithPrefix's work: the prefix, checked with CheckPrefix.
func (c *Config) SetPrefix(name, p string) error {
	c.prefix = p
	return CheckPrefix(name, p)
}

// New returns a store that sends its commands with do (and pipelines with
// pipe), whose errors start with name, configured by opts (each package's
// Option type).
func New[O ~func(*Config) error](name string, do Do, pipe Pipe, nilErr error, opts []O) (*Store, error) {
	c := Config{prefix: DefaultPrefix, now: time.Now}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	return &Store{do: do, pipe: pipe, nilErr: nilErr, name: name, prefix: c.prefix, now: c.now}, nil
}

// errReply is a reply of a type the command never sends: a client or proxy
// that is not Redis.
var errReply = errors.New("unexpected reply type")

// get sends GET and returns the record's data; found is false for a nil
// reply.
func (s *Store) get(ctx context.Context, key string) (data []byte, found bool, err error) {
	v, err := s.do(ctx, "get", key)
	if err != nil {
		if err == s.nilErr {
			return nil, false, nil
		}
		return nil, false, err
	}
	str, ok := v.(string)
	if !ok {
		return nil, false, fmt.Errorf("GET: %w %T", errReply, v)
	}
	return []byte(str), true, nil
}

// set sends SET key data PX ms, with NX or XX when cond is given; set is
// false for a nil reply (the condition did not hold).
func (s *Store) set(ctx context.Context, key string, data []byte, ms, cond string) (set bool, err error) {
	if cond == "" {
		_, err = s.do(ctx, "set", key, data, "px", ms)
	} else {
		_, err = s.do(ctx, "set", key, data, "px", ms, cond)
	}
	if err == s.nilErr {
		return false, nil
	}
	return err == nil, err
}

// count sends a command whose reply is an integer: DEL, EXISTS, PEXPIRE.
func (s *Store) count(ctx context.Context, args ...any) (int64, error) {
	v, err := s.do(ctx, args...)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("%s: %w %T", args[0], errReply, v)
	}
	return n, nil
}

// CheckPrefix returns an error naming the problem when p cannot be a prefix.
func CheckPrefix(name, p string) error {
	if len(p) > MaxPrefix {
		return fmt.Errorf("%s: WithPrefix: %d bytes is too long (at most %d)", name, len(p), MaxPrefix)
	}
	return nil
}

// Prefix returns the prefix of the store's Redis keys.
func (s *Store) Prefix() string { return s.prefix }

// SetClock replaces time.Now, for tests of expiry arithmetic.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

func (s *Store) rkey(key string) string { return s.prefix + key }

// fail wraps err for operation op on key, naming only the key's first six
// characters: enough to correlate, never enough to hijack the session.
func (s *Store) fail(op, key string, err error) error {
	return fmt.Errorf("%s: %s %s: %w", s.name, op, stores.Redact(key), err)
}

// PX returns the time from now until expiry in whole milliseconds, rounded
// up so a record never expires early, with an expiry centuries ahead
// saturated at stores.MaxExpiry (stores.ClampExpiry: the rule every store
// follows); ok is false when expiry has passed (Redis rejects a PX that is
// not positive).
func PX(now, expiry time.Time) (ms string, ok bool) {
	n, ok := ttlMillis(expiry, now)
	if !ok {
		return "", false
	}
	return strconv.FormatInt(n, 10), true
}

// ttlMillis is PX as a number.
func ttlMillis(expiry, now time.Time) (ms int64, ok bool) {
	d := stores.ClampExpiry(expiry).Sub(now)
	if d <= 0 {
		return 0, false
	}
	ms = int64(d / time.Millisecond)
	if d%time.Millisecond != 0 && ms < math.MaxInt64 {
		ms++
	}
	return ms, true
}

// Load implements stores.Store with one GET.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	if err := stores.CheckKey(key); err != nil {
		return nil, fmt.Errorf("%s: load: %w (%w)", s.name, stores.ErrNotFound, err)
	}
	data, found, err := s.get(ctx, s.rkey(key))
	if err != nil {
		return nil, s.fail("load", key, err)
	}
	if !found {
		return nil, stores.ErrNotFound
	}
	return data, nil
}

// Create implements stores.Store with one SET ... PX ms NX.
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("%s: create: %w", s.name, err)
	}
	ms, ok := PX(s.now(), expiry)
	if !ok {
		// Born expired: nothing to write, but a taken key is still taken.
		n, err := s.count(ctx, "exists", s.rkey(key))
		if err != nil {
			return s.fail("create", key, err)
		}
		if n > 0 {
			return s.fail("create", key, stores.ErrExists)
		}
		return nil
	}
	set, err := s.set(ctx, s.rkey(key), data, ms, "nx")
	if err != nil {
		return s.fail("create", key, err)
	}
	if !set {
		return s.fail("create", key, stores.ErrExists)
	}
	return nil
}

// Update implements stores.Store with one SET ... PX ms XX, which never
// brings back a record that was deleted or has expired.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("%s: update: %w", s.name, err)
	}
	ms, ok := PX(s.now(), expiry)
	if !ok {
		return s.expireNow(ctx, "update", key)
	}
	set, err := s.set(ctx, s.rkey(key), data, ms, "xx")
	if err != nil {
		return s.fail("update", key, err)
	}
	if !set {
		return s.fail("update", key, stores.ErrNotFound)
	}
	return nil
}

// Touch implements stores.Toucher with one PEXPIRE.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("%s: touch: %w", s.name, err)
	}
	ms, ok := PX(s.now(), expiry)
	if !ok {
		return s.expireNow(ctx, "touch", key)
	}
	n, err := s.count(ctx, "pexpire", s.rkey(key), ms)
	if err != nil {
		return s.fail("touch", key, err)
	}
	if n == 0 {
		return s.fail("touch", key, stores.ErrNotFound)
	}
	return nil
}

// expireNow is Update or Touch to an expiry already past: the record goes,
// and a record that was not there is ErrNotFound as for any update.
func (s *Store) expireNow(ctx context.Context, op, key string) error {
	n, err := s.count(ctx, "del", s.rkey(key))
	if err != nil {
		return s.fail(op, key, err)
	}
	if n == 0 {
		return s.fail(op, key, stores.ErrNotFound)
	}
	return nil
}

// Set stores a record whether or not one exists, with one SET ... PX ms (or
// DEL for an expiry already past). It is not part of stores.Store, whose
// writes are create-only or update-only; the cached_db store
// (stores/cachedstore) uses it to refresh its cache after the database has
// accepted a write, and to write its tombstones.
func (s *Store) Set(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("%s: set: %w", s.name, err)
	}
	ms, ok := PX(s.now(), expiry)
	if !ok {
		if _, err := s.count(ctx, "del", s.rkey(key)); err != nil {
			return s.fail("set", key, err)
		}
		return nil
	}
	if _, err := s.set(ctx, s.rkey(key), data, ms, ""); err != nil {
		return s.fail("set", key, err)
	}
	return nil
}

// Delete implements stores.Store with one DEL.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("%s: delete: %w", s.name, err)
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
)
