package cachedstore

import (
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/storetest"
)

// BenchmarkStore measures Redis over MariaDB: Load is a cache hit; Create
// and Update write the database and then the cache.
func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, newStore(b, newCache(b, testenv.Redis(b)), newDB(b, testenv.MySQL(b))))
}
