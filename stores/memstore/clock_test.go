package memstore_test

import (
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

func TestExpiryFollowsWithClock(t *testing.T) {
	storetest.RunClock(t, func(t *testing.T, now func() time.Time) stores.Store {
		return testenv.Must(memstore.New(memstore.WithClock(now)))
	})
}

func TestWithClockNilIsAnErrorNamingTheFix(t *testing.T) {
	if _, err := memstore.New(memstore.WithClock(nil)); err == nil || err.Error() != "memstore: WithClock(nil): pass a function, or leave the option out for time.Now" {
		t.Fatalf("New(WithClock(nil)) = %v", err)
	}
}
