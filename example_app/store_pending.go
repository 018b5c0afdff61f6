package main

import (
	"fmt"

	"github.com/ginsession/ginsession/stores"
)

// openRedisBacked opens the Redis or cache+database store.
func openRedisBacked(cfg config) (stores.Store, []func() error, error) {
	return nil, nil, fmt.Errorf("store %q is not available in this build", cfg.Store)
}
