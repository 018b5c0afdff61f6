package sqlstore

import (
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/storetest"
)

func BenchmarkStore(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *sqlx.DB
	}{
		{"mysql", func(t testing.TB) *sqlx.DB { return testenv.MySQL(t) }},
		{"postgres", func(t testing.TB) *sqlx.DB { return testenv.Postgres(t) }},
	} {
		b.Run(db.name, func(b *testing.B) {
			storetest.Bench(b, newStore(b, db.open(b)))
		})
	}
}
