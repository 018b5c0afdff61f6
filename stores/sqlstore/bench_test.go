package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// benchData is a typical logged-in session in JSONCodec's form.
var benchData = []byte(`{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"8f14e45fceea167a5a36dedd4bea2543b2f1b8f0c9d6a3c4b5e6f7a8b9c0d1e2","cart":[1,2,3]}`)

func BenchmarkStore(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) *sqlx.DB
	}{
		{"mysql", func(t testing.TB) *sqlx.DB { return testenv.MySQL(t) }},
		{"postgres", func(t testing.TB) *sqlx.DB { return testenv.Postgres(t) }},
	} {
		b.Run(db.name, func(b *testing.B) {
			s := newStore(b, db.open(b))
			benchOps(b, s)
		})
	}
}

func benchOps(b *testing.B, s stores.Store) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	b.Run("Load", func(b *testing.B) {
		k := stores.NewKey()
		if err := s.Create(ctx, k, benchData, exp); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := s.Load(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Create", func(b *testing.B) {
		keys := make([]string, b.N)
		for i := range keys {
			keys[i] = stores.NewKey()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := s.Create(ctx, keys[i], benchData, exp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Update", func(b *testing.B) {
		k := stores.NewKey()
		if err := s.Create(ctx, k, benchData, exp); err != nil {
			b.Fatal(err)
		}
		// Alternate two values so every UPDATE changes the row.
		other := append([]byte(nil), benchData...)
		other[len(other)-3] = '9'
		data := [2][]byte{benchData, other}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := s.Update(ctx, k, data[i%2], exp); err != nil {
				b.Fatal(err)
			}
		}
	})
}
