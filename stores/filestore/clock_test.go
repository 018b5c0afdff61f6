package filestore_test

import (
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/storetest"
)

func TestExpiryFollowsWithClock(t *testing.T) {
	storetest.RunClock(t, func(t *testing.T, now func() time.Time) stores.Store {
		return newStore(t, filestore.WithClock(now))
	})
	t.Run("WithDjangoMtime", func(t *testing.T) {
		storetest.RunClock(t, func(t *testing.T, now func() time.Time) stores.Store {
			return newStore(t, filestore.WithClock(now), filestore.WithDjangoMtime(14*24*time.Hour))
		})
	})
}

func TestWithClockNilIsAnErrorNamingTheFix(t *testing.T) {
	if _, err := filestore.New(t.TempDir(), filestore.WithClock(nil)); err == nil || err.Error() != "filestore: WithClock(nil): pass a function, or leave the option out for time.Now" {
		t.Fatalf("New(WithClock(nil)) = %v", err)
	}
}
