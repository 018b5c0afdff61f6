package stores_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

// calls counts what a hook saw, by method.
type calls struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) hook(ctx context.Context, call stores.Call, next func(context.Context) error) error {
	c.mu.Lock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[call.Method]++
	c.mu.Unlock()
	return next(ctx)
}

func (c *calls) seen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for m := range c.n {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

func newMem(t *testing.T) *memstore.Store {
	t.Helper()
	s, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A wrapped store passes the whole conformance suite, its capabilities
// included, and every method of every capability goes through the hook.
func TestAWrappedStoreKeepsEveryCapabilityThroughTheHook(t *testing.T) {
	c := new(calls)
	storetest.Run(t, func(t *testing.T) stores.Store { return stores.Wrap(newMem(t), c.hook) })
	want := []string{"ClearExpired", "CompareAndDelete", "CompareAndSwap", "Create", "Delete", "Exists",
		"IndexAdd", "IndexAddLimited", "IndexList", "IndexMove", "IndexRemove", "IndexTouch", "Load", "LoadWithTTL", "Touch", "Update"}
	if got := c.seen(); !slices.Equal(got, want) {
		t.Errorf("the hook saw %v, want %v", got, want)
	}
}

// A capability the wrapped store lacks answers as the middleware treats a
// store without it, and never reaches the hook.
func TestAWrappedStoreWithoutCapabilitiesSaysSo(t *testing.T) {
	c := new(calls)
	plain := struct{ stores.Store }{newMem(t)}
	w := stores.Wrap(plain, c.hook)
	ctx, key, exp := context.Background(), stores.NewKey(), time.Now().Add(time.Hour)
	if err := w.Create(ctx, key, []byte("d"), exp); err != nil {
		t.Fatal(err)
	}
	if err := w.(stores.Toucher).Touch(ctx, key, exp); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Touch = %v, want errors.ErrUnsupported", err)
	}
	if _, err := w.(stores.Swapper).CompareAndSwap(ctx, key, []byte("d"), []byte("e"), exp); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("CompareAndSwap = %v, want errors.ErrUnsupported", err)
	}
	if _, err := w.(stores.Swapper).CompareAndDelete(ctx, key, []byte("d")); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("CompareAndDelete = %v, want errors.ErrUnsupported", err)
	}
	if data, ttl, err := w.(stores.TTLLoader).LoadWithTTL(ctx, key); string(data) != "d" || ttl != 0 || err != nil {
		t.Errorf("LoadWithTTL = %q, %v, %v; want d, 0 (unknown), nil", data, ttl, err)
	}
	ix := w.(stores.Indexer)
	if err := ix.CheckIndex(); !errors.Is(err, stores.ErrNoIndex) {
		t.Errorf("CheckIndex = %v, want ErrNoIndex", err)
	}
	if _, err := ix.IndexList(ctx, "alice"); !errors.Is(err, stores.ErrNoIndex) {
		t.Errorf("IndexList = %v, want ErrNoIndex", err)
	}
	if got, want := c.seen(), []string{"Create", "Load"}; !slices.Equal(got, want) {
		t.Errorf("the hook saw %v, want %v", got, want)
	}
}

// A wrapped cookie store is still a cookie store, its Seal and Open
// through the hook.
func TestAWrappedCookieStoreStaysClientSide(t *testing.T) {
	c := new(calls)
	cs, err := cookiestore.New()
	if err != nil {
		t.Fatal(err)
	}
	w, ok := stores.Wrap(cs, c.hook).(stores.ClientSide)
	if !ok {
		t.Fatal("Wrap of a cookie store is not a stores.ClientSide")
	}
	keys := [][]byte{[]byte("a secret of at least thirty-two bytes, for the test")}
	v, err := w.Seal([]byte(`{"a":1}`), keys)
	if err != nil {
		t.Fatal(err)
	}
	if data, _, err := w.Open(v, keys); string(data) != `{"a":1}` || err != nil {
		t.Fatalf("Open = %q, %v", data, err)
	}
	if got, want := c.seen(), []string{"Open", "Seal"}; !slices.Equal(got, want) {
		t.Errorf("the hook saw %v, want %v", got, want)
	}
}

// A hook's own error is the call's, and a hook can bound each call.
func TestAHookDecidesTheCallsOutcome(t *testing.T) {
	refuse := errors.New("refused by the hook")
	w := stores.Wrap(newMem(t), func(ctx context.Context, call stores.Call, next func(context.Context) error) error {
		if call.Method == "Delete" {
			return refuse
		}
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		return next(ctx)
	})
	ctx, key := context.Background(), stores.NewKey()
	if err := w.Create(ctx, key, []byte("d"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := w.Delete(ctx, key); !errors.Is(err, refuse) {
		t.Fatalf("Delete = %v, want the hook's error", err)
	}
	if ok, err := w.Exists(ctx, key); !ok || err != nil {
		t.Fatalf("Exists after a refused Delete = %v, %v; want true", ok, err)
	}
}
