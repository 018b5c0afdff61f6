package memstore_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// benchData is about the size of a logged-in Django session in JSON.
const benchSessions = 1 << 10

var benchData = bytes.Repeat([]byte(`{"_auth_user_id":"42"}`), 6)

// benchKeys returns n distinct valid keys, made cheaply so that generating
// them is not what the benchmark measures.
func benchKeys(n int) []string {
	keys := make([]string, n)
	for i := range keys {
		s := strconv.FormatUint(uint64(i), 36)
		keys[i] = strings.Repeat("0", stores.KeyLength-len(s)) + s
	}
	return keys
}

func filled(b *testing.B, n int) (*memstore.Store, []string) {
	b.Helper()
	s := testenv.Must(memstore.New())
	keys := benchKeys(n)
	for _, k := range keys {
		if err := s.Create(context.Background(), k, benchData, time.Now().Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	return s, keys
}

func BenchmarkLoad(b *testing.B) {
	s, keys := filled(b, benchSessions)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Load(ctx, keys[i&(len(keys)-1)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadMissing(b *testing.B) {
	s, _ := filled(b, 1<<16)
	missing := stores.NewKey()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.Load(ctx, missing); err != stores.ErrNotFound {
			b.Fatal(err)
		}
	}
}

func BenchmarkCreate(b *testing.B) {
	const batch = 1 << 16 // a fresh store every batch keeps memory bounded
	keys := benchKeys(batch)
	exp := time.Now().Add(time.Hour)
	ctx := context.Background()
	s := testenv.Must(memstore.New())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%batch == 0 && i > 0 {
			b.StopTimer()
			s = testenv.Must(memstore.New())
			b.StartTimer()
		}
		if err := s.Create(ctx, keys[i%batch], benchData, exp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUpdate(b *testing.B) {
	s, keys := filled(b, benchSessions)
	exp := time.Now().Add(time.Hour)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Update(ctx, keys[i&(len(keys)-1)], benchData, exp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompareAndSwap is BenchmarkUpdate's write made conditional: each
// swap matches (the data is compared, then replaced).
func BenchmarkCompareAndSwap(b *testing.B) {
	s, keys := filled(b, benchSessions)
	exp := time.Now().Add(time.Hour)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.CompareAndSwap(ctx, keys[i&(len(keys)-1)], benchData, benchData, exp); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTouch(b *testing.B) {
	s, keys := filled(b, benchSessions)
	exp := time.Now().Add(time.Hour)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.Touch(ctx, keys[i&(len(keys)-1)], exp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParallel runs a request-like mix (nine Loads to one Update) on
// every CPU.
func BenchmarkParallel(b *testing.B) {
	s, keys := filled(b, 1<<16)
	exp := time.Now().Add(time.Hour)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(time.Now().UnixNano()) // spread goroutines over the keys
		for pb.Next() {
			i++
			k := keys[i&(len(keys)-1)]
			if i%10 == 0 {
				if err := s.Update(ctx, k, benchData, exp); err != nil {
					b.Error(err)
					return
				}
				continue
			}
			if _, err := s.Load(ctx, k); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
