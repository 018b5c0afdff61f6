package ginsession

import (
	"context"
	"log/slog"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// RunJanitor calls store.ClearExpired every interval until ctx ends, logging
// failures: the purge job Django leaves to a cron'd clearsessions. Run it in
// a goroutine of your own: go ginsession.RunJanitor(ctx, store, time.Hour, nil).
func RunJanitor(ctx context.Context, store stores.Backend, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := store.ClearExpired(ctx); err != nil && ctx.Err() == nil {
				log.Error("ginsession: clear expired sessions", slog.String("error", err.Error()))
			}
		}
	}
}
