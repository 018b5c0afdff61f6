package redis9store

import (
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/storetest"
)

func TestGuardedWritesLeaveTheGuardAlone(t *testing.T) {
	storetest.Guarded(t, newStore(t, testenv.Redis9(t)))
}
