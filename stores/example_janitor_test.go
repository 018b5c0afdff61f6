package stores_test

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

func ExampleStartJanitor() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}

	// Expired records are invisible at once but hold memory (or rows, or
	// files) until cleared; the janitor clears them every minute until ctx
	// ends or stop is called, and logs a sweep that fails.
	stop, err := stores.StartJanitor(ctx, store, time.Minute, slog.Default())
	if err != nil {
		panic(err) // only a non-positive interval
	}
	defer stop()

	_ = store.Create(ctx, stores.NewKey(), []byte(`{}`), time.Now().Add(-time.Second))
	fmt.Println("held before a sweep:", store.Len())
	_ = store.ClearExpired(ctx) // what the janitor does on each tick
	fmt.Println("held after a sweep:", store.Len())
	// Output:
	// held before a sweep: 1
	// held after a sweep: 0
}
