package ginsession

import (
	"context"
	"log/slog"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// RunJanitor is [stores.StartJanitor] that blocks until ctx ends; it panics
// with StartJanitor's error for an interval that is not positive.
//
// Deprecated: use stores.StartJanitor, which returns an error and a stop
// function instead.
func RunJanitor(ctx context.Context, store stores.Backend, interval time.Duration, log *slog.Logger) {
	stop, err := stores.StartJanitor(ctx, store, interval, log)
	if err != nil {
		panic("ginsession: RunJanitor: " + err.Error())
	}
	defer stop()
	<-ctx.Done()
}
