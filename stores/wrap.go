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
	if cs, ok := s.(ClientSide); ok {
		return &wrappedClientSide{w, cs}
	}
	return w
}

// wrapped is what Wrap returns for a server store.
type wrapped struct {
	inner Store
	hook  Hook
}

// Unwrap returns the store Wrap was given, so that the middleware names
// the store's kind (ginsession.Event.Store) by it.
func (w *wrapped) Unwrap() Store { return w.inner }

// call runs f under the hook.
func (w *wrapped) call(ctx context.Context, method, key string, f func(context.Context) error) error {
	return w.hook(ctx, Call{Method: method, Key: key}, f)
}

// callFor is call for a method that returns a value beside its error.
func callFor[T any](w *wrapped, ctx context.Context, method, key string, f func(context.Context) (T, error)) (v T, err error) {
	err = w.call(ctx, method, key, func(ctx context.Context) error {
		v, err = f(ctx)
		return err
	})
	return v, err
}

func (w *wrapped) Load(ctx context.Context, key string) ([]byte, error) {
	return callFor(w, ctx, "Load", key, func(ctx context.Context) ([]byte, error) { return w.inner.Load(ctx, key) })
}

func (w *wrapped) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	return w.call(ctx, "Create", key, func(ctx context.Context) error { return w.inner.Create(ctx, key, data, expiry) })
}

func (w *wrapped) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	return w.call(ctx, "Update", key, func(ctx context.Context) error { return w.inner.Update(ctx, key, data, expiry) })
}

func (w *wrapped) Delete(ctx context.Context, key string) error {
	return w.call(ctx, "Delete", key, func(ctx context.Context) error { return w.inner.Delete(ctx, key) })
}

func (w *wrapped) Exists(ctx context.Context, key string) (bool, error) {
	return callFor(w, ctx, "Exists", key, func(ctx context.Context) (bool, error) { return w.inner.Exists(ctx, key) })
}

func (w *wrapped) ClearExpired(ctx context.Context) error {
	return w.call(ctx, "ClearExpired", "", w.inner.ClearExpired)
}

// unsupported is the error of a capability the wrapped store lacks.
func (w *wrapped) unsupported(method string) error {
	return fmt.Errorf("stores: %s: the wrapped store %T has no such method: %w", method, w.inner, errors.ErrUnsupported)
}

func (w *wrapped) Touch(ctx context.Context, key string, expiry time.Time) error {
	t, ok := w.inner.(Toucher)
	if !ok {
		return w.unsupported("Touch")
	}
	return w.call(ctx, "Touch", key, func(ctx context.Context) error { return t.Touch(ctx, key, expiry) })
}

func (w *wrapped) LoadWithTTL(ctx context.Context, key string) (data []byte, ttl time.Duration, err error) {
	tl, ok := w.inner.(TTLLoader)
	if !ok {
		data, err = w.Load(ctx, key)
		return data, 0, err
	}
	err = w.call(ctx, "LoadWithTTL", key, func(ctx context.Context) error {
		data, ttl, err = tl.LoadWithTTL(ctx, key)
		return err
	})
	return data, ttl, err
}

func (w *wrapped) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	sw, ok := w.inner.(Swapper)
	if !ok {
		return nil, w.unsupported("CompareAndSwap")
	}
	return callFor(w, ctx, "CompareAndSwap", key, func(ctx context.Context) ([]byte, error) {
		return sw.CompareAndSwap(ctx, key, old, data, expiry)
	})
}

func (w *wrapped) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	sw, ok := w.inner.(Swapper)
	if !ok {
		return nil, w.unsupported("CompareAndDelete")
	}
	return callFor(w, ctx, "CompareAndDelete", key, func(ctx context.Context) ([]byte, error) { return sw.CompareAndDelete(ctx, key, old) })
}

// indexer returns the wrapped store's index, or why there is none.
func (w *wrapped) indexer() (Indexer, error) {
	if ix, ok := w.inner.(Indexer); ok {
		return ix, nil
	}
	return nil, fmt.Errorf("stores: the wrapped store %T: %w", w.inner, ErrNoIndex)
}

// index runs method of the wrapped store's index under the hook.
func (w *wrapped) index(ctx context.Context, method, key string, f func(context.Context, Indexer) error) error {
	ix, err := w.indexer()
	if err != nil {
		return err
	}
	return w.call(ctx, method, key, func(ctx context.Context) error { return f(ctx, ix) })
}

func (w *wrapped) CheckIndex() error {
	ix, err := w.indexer()
	if err != nil {
		return err
	}
	return ix.CheckIndex()
}

func (w *wrapped) IndexAdd(ctx context.Context, userID string, e IndexEntry) error {
	return w.index(ctx, "IndexAdd", e.Key, func(ctx context.Context, ix Indexer) error { return ix.IndexAdd(ctx, userID, e) })
}

func (w *wrapped) IndexAddLimited(ctx context.Context, userID string, e IndexEntry, max int, evict bool) (evicted []string, err error) {
	ix, ok := w.inner.(Indexer)
	if !ok {
		return nil, fmt.Errorf("stores: the wrapped store %T keeps no index: %w", w.inner, ErrNoIndex)
	}
	return callFor(w, ctx, "IndexAddLimited", e.Key, func(ctx context.Context) ([]string, error) {
		return ix.IndexAddLimited(ctx, userID, e, max, evict)
	})
}

func (w *wrapped) IndexTouch(ctx context.Context, userID, key string, lastActive, expiry time.Time) error {
	return w.index(ctx, "IndexTouch", key, func(ctx context.Context, ix Indexer) error {
		return ix.IndexTouch(ctx, userID, key, lastActive, expiry)
	})
}

func (w *wrapped) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, expiry time.Time) error {
	return w.index(ctx, "IndexMove", oldKey, func(ctx context.Context, ix Indexer) error {
		return ix.IndexMove(ctx, userID, oldKey, newKey, lastActive, expiry)
	})
}

func (w *wrapped) IndexRemove(ctx context.Context, userID string, keys ...string) error {
	return w.index(ctx, "IndexRemove", "", func(ctx context.Context, ix Indexer) error { return ix.IndexRemove(ctx, userID, keys...) })
}

func (w *wrapped) IndexList(ctx context.Context, userID string) (list []IndexEntry, err error) {
	err = w.index(ctx, "IndexList", "", func(ctx context.Context, ix Indexer) error {
		list, err = ix.IndexList(ctx, userID)
		return err
	})
	return list, err
}

// wrappedClientSide is what Wrap returns for a ClientSide. Seal and Open
// take no context, so the hook gets context.Background().
type wrappedClientSide struct {
	*wrapped
	cs ClientSide
}

func (w *wrappedClientSide) Seal(data []byte, keys [][]byte) (string, error) {
	return callFor(w.wrapped, context.Background(), "Seal", "", func(context.Context) (string, error) { return w.cs.Seal(data, keys) })
}

func (w *wrappedClientSide) Open(value string, keys [][]byte) (data []byte, sealed time.Time, err error) {
	err = w.call(context.Background(), "Open", "", func(context.Context) error {
		data, sealed, err = w.cs.Open(value, keys)
		return err
	})
	return data, sealed, err
}

var (
	_ Toucher    = (*wrapped)(nil)
	_ Swapper    = (*wrapped)(nil)
	_ TTLLoader  = (*wrapped)(nil)
	_ ClientSide = (*wrappedClientSide)(nil)
)

// DjangoOption is the wrapped store's ([SharedWithDjango]).
func (w *wrapped) DjangoOption() string { return SharedWithDjango(w.inner) }
