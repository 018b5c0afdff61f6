package stores

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Call names one call a store made by [Wrap] passes to its hook: the
// method ("Load", "CompareAndSwap", "IndexAdd", "Seal", ...) and the
// session key it is about, "" when there is none (ClearExpired, IndexList,
// Seal, Open). The key is a bearer credential: log it as [Redact] shows it.
type Call struct {
	Method string
	Key    string
}

// Hook runs around one call of a wrapped store. It calls next exactly once,
// with ctx or a context derived from it, and returns next's error or one of
// its own: a hook that only observes returns what next returned.
type Hook func(ctx context.Context, call Call, next func(context.Context) error) error

// Wrap returns s with hook around every call: the one way to add logging,
// metrics or tracing to a store. The store it returns has every capability
// s has ([Toucher], [Swapper], [TTLLoader], [Indexer],
// [ClientSide]), each call of one going through hook as well, so the
// middleware uses them as it would on s itself, and none passes by the
// hook.
//
// Its methods for a capability s lacks answer as a store without it would
// be treated: Touch, CompareAndSwap and CompareAndDelete return an error
// wrapping [errors.ErrUnsupported] (the middleware then saves in full, as
// for a store without the methods), LoadWithTTL returns Load's data with a
// time to live of 0 (unknown), and the Indexer methods
// an error wrapping [ErrNoIndex]. A ClientSide stays a ClientSide.
func Wrap(s Store, hook Hook) Store {
	w := &wrapped{inner: s, hook: hook}
	if _, ok := s.(ClientSide); ok {
		return wrappedClientSide{w}
	}
	return w
}

// wrapped is what Wrap returns for a server store.
type wrapped struct {
	inner Store
	hook  Hook
}

// wrappedClientSide is what Wrap returns for a ClientSide. Seal and Open
// take no context, so the hook gets context.Background().
type wrappedClientSide struct{ *wrapped }

var (
	_ Toucher    = (*wrapped)(nil)
	_ Swapper    = (*wrapped)(nil)
	_ TTLLoader  = (*wrapped)(nil)
	_ Indexer    = (*wrapped)(nil)
	_ ClientSide = wrappedClientSide{}
)

// Unwrap returns the store Wrap was given, so that the middleware names
// the store's kind (ginsession.Event.Store) by it.
func (w *wrapped) Unwrap() Store { return w.inner }

// DjangoOption is the wrapped store's ([SharedWithDjango]).
func (w *wrapped) DjangoOption() string { return SharedWithDjango(w.inner) }

// lacks is the error of method when the wrapped store has not its
// capability: one wrapping missing.
func (w *wrapped) lacks(method string, missing error) error {
	return fmt.Errorf("stores: %s: the wrapped store %T has no such method: %w", method, w.inner, missing)
}

// via runs f on the wrapped store as a C under the hook. When the store is
// not a C, it returns w.lacks(method, missing) without running the hook;
// Store's own methods pass a nil missing, as every wrapped store has them.
func via[C, T any](w *wrapped, ctx context.Context, method, key string, missing error, f func(context.Context, C) (T, error)) (v T, err error) {
	c, ok := w.inner.(C)
	if !ok {
		return v, w.lacks(method, missing)
	}
	err = w.hook(ctx, Call{Method: method, Key: key}, func(ctx context.Context) error {
		v, err = f(ctx, c)
		return err
	})
	return v, err
}

// do is via for a method that returns only an error.
func do[C any](w *wrapped, ctx context.Context, method, key string, missing error, f func(context.Context, C) error) error {
	_, err := via(w, ctx, method, key, missing, func(ctx context.Context, c C) (struct{}, error) { return struct{}{}, f(ctx, c) })
	return err
}

func (w *wrapped) Load(ctx context.Context, key string) ([]byte, error) {
	return via(w, ctx, "Load", key, nil, func(ctx context.Context, s Store) ([]byte, error) { return s.Load(ctx, key) })
}

func (w *wrapped) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	return do(w, ctx, "Create", key, nil, func(ctx context.Context, s Store) error { return s.Create(ctx, key, data, expiry) })
}

func (w *wrapped) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	return do(w, ctx, "Update", key, nil, func(ctx context.Context, s Store) error { return s.Update(ctx, key, data, expiry) })
}

func (w *wrapped) Delete(ctx context.Context, key string) error {
	return do(w, ctx, "Delete", key, nil, func(ctx context.Context, s Store) error { return s.Delete(ctx, key) })
}

func (w *wrapped) Exists(ctx context.Context, key string) (bool, error) {
	return via(w, ctx, "Exists", key, nil, func(ctx context.Context, s Store) (bool, error) { return s.Exists(ctx, key) })
}

func (w *wrapped) ClearExpired(ctx context.Context) error {
	return do(w, ctx, "ClearExpired", "", nil, func(ctx context.Context, s Store) error { return s.ClearExpired(ctx) })
}

func (w *wrapped) Touch(ctx context.Context, key string, expiry time.Time) error {
	return do(w, ctx, "Touch", key, errors.ErrUnsupported, func(ctx context.Context, t Toucher) error { return t.Touch(ctx, key, expiry) })
}

func (w *wrapped) LoadWithTTL(ctx context.Context, key string) (data []byte, ttl time.Duration, err error) {
	if _, ok := w.inner.(TTLLoader); !ok {
		data, err = w.Load(ctx, key)
		return data, 0, err
	}
	err = do(w, ctx, "LoadWithTTL", key, nil, func(ctx context.Context, tl TTLLoader) (err error) {
		data, ttl, err = tl.LoadWithTTL(ctx, key)
		return err
	})
	return data, ttl, err
}

func (w *wrapped) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	return via(w, ctx, "CompareAndSwap", key, errors.ErrUnsupported, func(ctx context.Context, sw Swapper) ([]byte, error) {
		return sw.CompareAndSwap(ctx, key, old, data, expiry)
	})
}

func (w *wrapped) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	return via(w, ctx, "CompareAndDelete", key, errors.ErrUnsupported, func(ctx context.Context, sw Swapper) ([]byte, error) {
		return sw.CompareAndDelete(ctx, key, old)
	})
}

func (w *wrapped) CheckIndex() error {
	ix, ok := w.inner.(Indexer)
	if !ok {
		return w.lacks("CheckIndex", ErrNoIndex)
	}
	return ix.CheckIndex()
}

func (w *wrapped) IndexAdd(ctx context.Context, userID string, e IndexEntry) error {
	return do(w, ctx, "IndexAdd", e.Key, ErrNoIndex, func(ctx context.Context, ix Indexer) error { return ix.IndexAdd(ctx, userID, e) })
}

func (w *wrapped) IndexAddLimited(ctx context.Context, userID string, e IndexEntry, max int, evict bool) ([]string, error) {
	return via(w, ctx, "IndexAddLimited", e.Key, ErrNoIndex, func(ctx context.Context, ix Indexer) ([]string, error) {
		return ix.IndexAddLimited(ctx, userID, e, max, evict)
	})
}

func (w *wrapped) IndexTouch(ctx context.Context, userID, key string, lastActive, expiry time.Time) error {
	return do(w, ctx, "IndexTouch", key, ErrNoIndex, func(ctx context.Context, ix Indexer) error {
		return ix.IndexTouch(ctx, userID, key, lastActive, expiry)
	})
}

func (w *wrapped) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, expiry time.Time) error {
	return do(w, ctx, "IndexMove", oldKey, ErrNoIndex, func(ctx context.Context, ix Indexer) error {
		return ix.IndexMove(ctx, userID, oldKey, newKey, lastActive, expiry)
	})
}

func (w *wrapped) IndexRemove(ctx context.Context, userID string, keys ...string) error {
	return do(w, ctx, "IndexRemove", "", ErrNoIndex, func(ctx context.Context, ix Indexer) error { return ix.IndexRemove(ctx, userID, keys...) })
}

func (w *wrapped) IndexList(ctx context.Context, userID string) ([]IndexEntry, error) {
	return via(w, ctx, "IndexList", "", ErrNoIndex, func(ctx context.Context, ix Indexer) ([]IndexEntry, error) { return ix.IndexList(ctx, userID) })
}

func (w wrappedClientSide) Seal(data []byte, keys [][]byte) (string, error) {
	return via(w.wrapped, context.Background(), "Seal", "", nil, func(_ context.Context, cs ClientSide) (string, error) { return cs.Seal(data, keys) })
}

func (w wrappedClientSide) Open(value string, keys [][]byte) (data []byte, sealed time.Time, err error) {
	err = do(w.wrapped, context.Background(), "Open", "", nil, func(_ context.Context, cs ClientSide) (err error) {
		data, sealed, err = cs.Open(value, keys)
		return err
	})
	return data, sealed, err
}
