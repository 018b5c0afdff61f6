package filestore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/filestore"
)

// benchData is about the size of a logged-in Django session in JSON.
var benchData = bytes.Repeat([]byte(`{"_auth_user_id":"42"}`), 6)

func benchStore(b *testing.B, opts ...filestore.Option) *filestore.Store {
	b.Helper()
	s, err := filestore.New(b.TempDir(), opts...)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkLoad(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	key := stores.NewKey()
	if err := s.Create(ctx, key, benchData, time.Now().Add(time.Hour)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Load(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadMissing(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	key := stores.NewKey()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Load(ctx, key); err != stores.ErrNotFound {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreate(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
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
}

func BenchmarkUpdate(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	key := stores.NewKey()
	if err := s.Create(ctx, key, benchData, exp); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Update(ctx, key, benchData, exp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTouch(b *testing.B) {
	s := benchStore(b)
	ctx := context.Background()
	key := stores.NewKey()
	if err := s.Create(ctx, key, benchData, time.Now().Add(time.Hour)); err != nil {
		b.Fatal(err)
	}
	exp := time.Now().Add(2 * time.Hour)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Touch(ctx, key, exp); err != nil {
			b.Fatal(err)
		}
	}
}
