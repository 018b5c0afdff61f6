package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

func Example() {
	ctx := context.Background()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}

	key := stores.NewKey()
	if err := store.Create(ctx, key, []byte(`{"cart":3}`), time.Now().Add(time.Hour)); err != nil {
		fmt.Println(err)
		return
	}
	data, err := store.Load(ctx, key)
	fmt.Printf("%s %v\n", data, err)

	// Create never overwrites a live record: the caller picks a new key.
	err = store.Create(ctx, key, []byte(`{}`), time.Now().Add(time.Hour))
	fmt.Println(errors.Is(err, stores.ErrExists))

	// Update never brings back a deleted one.
	_ = store.Delete(ctx, key)
	err = store.Update(ctx, key, []byte(`{"cart":4}`), time.Now().Add(time.Hour))
	fmt.Println(errors.Is(err, stores.ErrNotFound))
	// Output:
	// {"cart":3} <nil>
	// true
	// true
}
