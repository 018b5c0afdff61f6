package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// benchData is a typical logged-in session as JSONCodec writes it.
var benchData = []byte(`{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"8f14e45fceea167a5a36dedd4bea2543b2f1b8f0c9d6a3c4b5e6f7a8b9c0d1e2","cart":[1,2,3]}`)

// Bench measures s's Load (of a live and of a missing key), Create, Update
// and, when s implements them, CompareAndSwap (stores.Swapper) and Touch
// (stores.Toucher), with a typical logged-in
// session, reporting allocations. Every store calls it, so their figures
// compare like for like.
func Bench(b *testing.B, s stores.Store) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	created := func(b *testing.B) string {
		k := stores.NewKey()
		if err := s.Create(ctx, k, benchData, exp); err != nil {
			b.Fatal(err)
		}
		return k
	}
	b.Run("Load", func(b *testing.B) {
		k := created(b)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := s.Load(ctx, k); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("LoadMissing", func(b *testing.B) {
		k := stores.NewKey()
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if _, err := s.Load(ctx, k); !errors.Is(err, stores.ErrNotFound) {
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
		for i := range b.N {
			if err := s.Create(ctx, keys[i], benchData, exp); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Writes alternate two values so every one really changes the record
	// (MySQL reports an unchanged row as not affected).
	other := append([]byte(nil), benchData...)
	other[len(other)-3] = '9'
	data := [2][]byte{benchData, other}
	b.Run("Update", func(b *testing.B) {
		k := created(b)
		b.ReportAllocs()
		b.ResetTimer()
		for i := range b.N {
			if err := s.Update(ctx, k, data[i%2], exp); err != nil {
				b.Fatal(err)
			}
		}
	})
	if sw, ok := s.(stores.Swapper); ok {
		b.Run("CompareAndSwap", func(b *testing.B) {
			// Each swap is from the value the record holds to the other:
			// every swap matches and writes.
			k := created(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if _, err := sw.CompareAndSwap(ctx, k, data[i%2], data[(i+1)%2], exp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	if t, ok := s.(stores.Toucher); ok {
		b.Run("Touch", func(b *testing.B) {
			k := created(b)
			later := exp.Add(time.Hour)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := t.Touch(ctx, k, later); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
