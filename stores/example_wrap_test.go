package stores_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// Wrap puts a hook around every call of a store, here one that prints the
// calls; the wrapped store keeps its capabilities, so the middleware still
// touches and swaps through the hook.
func ExampleWrap() {
	inner, err := memstore.New()
	if err != nil {
		panic(err)
	}
	store := stores.Wrap(inner, func(ctx context.Context, call stores.Call, next func(context.Context) error) error {
		err := next(ctx)
		fmt.Printf("%s %s: %v\n", call.Method, stores.Redact(call.Key), err)
		return err
	})
	ctx, key := context.Background(), "abcdefghijklmnopqrstuvwxyz012345"
	_ = store.Create(ctx, key, []byte(`{"user":"alice"}`), time.Now().Add(time.Hour))
	_ = store.(stores.Toucher).Touch(ctx, key, time.Now().Add(2*time.Hour))
	// Output:
	// Create abcdef…: <nil>
	// Touch abcdef…: <nil>
}
