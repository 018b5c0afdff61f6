package memstore

import (
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/storetest"
)

func TestGuardedWritesLeaveTheGuardAlone(t *testing.T) { storetest.Guarded(t, testenv.Must(New())) }
