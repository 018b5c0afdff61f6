package redis9store

import (
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/storetest"
)

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, newStore(b, testenv.Redis9(b)))
}
