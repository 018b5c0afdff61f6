package main

import (
	"fmt"

	"github.com/ginsession/ginsession/stores"
)

// openCached opens the cache+database store.
func openCached(cfg config) (stores.Store, []func() error, error) {
	return nil, nil, fmt.Errorf("store %q is not available in this build", cfg.Store)
}
