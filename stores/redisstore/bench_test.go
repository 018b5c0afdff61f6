package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// benchData is a typical logged-in session in JSONCodec's form.
var benchData = []byte(`{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"8f14e45fceea167a5a36dedd4bea2543b2f1b8f0c9d6a3c4b5e6f7a8b9c0d1e2","cart":[1,2,3]}`)

func BenchmarkStore(b *testing.B) {
	s := newStore(b, testenv.Redis(b))
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
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := s.Update(ctx, k, benchData, exp); err != nil {
				b.Fatal(err)
			}
		}
	})
}
