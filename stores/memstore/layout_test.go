package memstore_test

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"
	"weak"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// These tests pin the store's layout: what a key that only looks like a
// stored one finds, what a write allocates, and what a write keeps alive.

// lookalikeFindsNothing checks that every operation on other, a key that is
// not key, misses, and that key's record is left exactly as it was. It
// checks with one shard too, where other cannot miss merely by hashing to
// another shard than key.
func lookalikeFindsNothing(t *testing.T, key, other string) {
	t.Helper()
	for _, shards := range []int{1, memstore.DefaultShards} {
		lookalikeFindsNothingIn(t, mustNew(memstore.New(memstore.WithShards(shards))), key, other)
	}
}

func lookalikeFindsNothingIn(t *testing.T, s *memstore.Store, key, other string) {
	t.Helper()
	ctx := context.Background()
	data := []byte("the record under the stored key")
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := s.Create(ctx, key, data, exp); err != nil {
		t.Fatal(err)
	}
	soon := time.Now().Add(time.Minute)
	if _, err := s.Load(ctx, other); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Load: %v, want ErrNotFound", err)
	}
	if _, _, err := s.LoadWithTTL(ctx, other); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("LoadWithTTL: %v, want ErrNotFound", err)
	}
	if ok, err := s.Exists(ctx, other); ok || err != nil {
		t.Errorf("Exists = %v, %v, want false, nil", ok, err)
	}
	if err := s.Update(ctx, other, []byte("overwritten"), soon); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Update: %v, want ErrNotFound", err)
	}
	if err := s.Touch(ctx, other, soon); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Touch: %v, want ErrNotFound", err)
	}
	if ok, err := s.TouchUnless(ctx, other, soon, nil); ok || err != nil {
		t.Errorf("TouchUnless = %v, %v, want false, nil", ok, err)
	}
	if cur, err := s.CompareAndSwap(ctx, other, data, []byte("overwritten"), soon); !errors.Is(err, stores.ErrNotFound) || cur != nil {
		t.Errorf("CompareAndSwap = %q, %v, want nil, ErrNotFound", cur, err)
	}
	if cur, err := s.CompareAndDelete(ctx, other, data); !errors.Is(err, stores.ErrNotFound) || cur != nil {
		t.Errorf("CompareAndDelete = %q, %v, want nil, ErrNotFound", cur, err)
	}
	_ = s.Delete(ctx, other) // refused for an invalid key; either way key stays
	got, ttl, err := s.LoadWithTTL(ctx, key)
	if err != nil {
		t.Fatalf("the stored key after the lookalike's calls: %v", err)
	}
	if !bytes.Equal(got, data) {
		t.Errorf("the stored key's data = %q, want %q", got, data)
	}
	if d := time.Until(exp) - ttl; d < -time.Second || d > time.Second {
		t.Errorf("the stored key's TTL = %v, want about %v (its expiry moved)", ttl, time.Until(exp))
	}
}

func TestAKeyLongerThanTheLimitIsNotTheKeyItStartsWith(t *testing.T) {
	key := strings.Repeat("k", stores.MaxKeyLength-1) + "z"
	for _, other := range []string{key + "a", key + "\x00", key + strings.Repeat("z", 100)} {
		lookalikeFindsNothing(t, key, other)
		// The miss is the one an invalid key always got.
		s := mustNew(memstore.New())
		if _, err := s.Load(context.Background(), other); !errors.Is(err, stores.ErrInvalidKey) {
			t.Errorf("Load(%d characters): %v, want it to wrap ErrInvalidKey", len(other), err)
		}
	}
}

func TestAKeyWithATrailingNULIsNotTheShorterKey(t *testing.T) {
	for _, n := range []int{stores.MinKeyLength, stores.KeyLength, stores.MaxKeyLength - 1} {
		key := strings.Repeat("n", n)
		lookalikeFindsNothing(t, key, key+"\x00")
		lookalikeFindsNothing(t, key, key+"\x00\x00")
	}
}

// A small record is one allocation with room for its data (newRecord):
// Create allocates that and nothing else, and a same-size Update or a Touch
// allocates nothing.
func TestAllocations(t *testing.T) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	data := bytes.Repeat([]byte("x"), 100)
	// One shard, already holding many records: the map growth the measured
	// Creates cause is a few allocations over a thousand runs, which
	// AllocsPerRun's integer average does not count.
	const filled, runs = 1 << 13, 1000
	keys := make([]string, filled+runs+1)
	for i := range keys {
		keys[i] = stores.NewKey()
	}
	s := mustNew(memstore.New(memstore.WithShards(1)))
	for _, k := range keys[:filled] {
		if err := s.Create(ctx, k, data, exp); err != nil {
			t.Fatal(err)
		}
	}
	next := filled
	create := testing.AllocsPerRun(runs, func() {
		if err := s.Create(ctx, keys[next], data, exp); err != nil {
			t.Fatal(err)
		}
		next++
	})
	if create != 1 {
		t.Errorf("Create of a new key: %v allocations, want 1 (the record with its data)", create)
	}
	i := 0
	update := testing.AllocsPerRun(runs, func() {
		if err := s.Update(ctx, keys[i%filled], data, exp); err != nil {
			t.Fatal(err)
		}
		i++
	})
	if update != 0 {
		t.Errorf("Update at the same size: %v allocations, want 0", update)
	}
	touch := testing.AllocsPerRun(runs, func() {
		if err := s.Touch(ctx, keys[i%filled], exp); err != nil {
			t.Fatal(err)
		}
		i++
	})
	if touch != 0 {
		t.Errorf("Touch: %v allocations, want 0", touch)
	}
}

// cookieKey returns key as a substring of a large string, the way a key
// parsed from a request's Cookie header shares that header's memory, and a
// weak pointer to the large string.
//
//go:noinline
func cookieKey(key string) (string, weak.Pointer[byte]) {
	header := strings.Repeat("x", 1<<20) + "; sessionid=" + key
	return header[len(header)-len(key):], weak.Make(unsafe.StringData(header))
}

// A write to an existing record changes it in place and never re-stores
// the map key: after it, the caller's key string (and the Cookie header it
// points into) can be collected. (Create and a Set of a new key keep the
// key string they are given, as any map does.)
func TestWritesDoNotKeepTheCallersKeyAlive(t *testing.T) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	writes := []struct {
		name  string
		write func(s *memstore.Store, key string) error
	}{
		{"Update", func(s *memstore.Store, key string) error {
			return s.Update(ctx, key, []byte("updated"), exp)
		}},
		{"Update outgrowing the record's room", func(s *memstore.Store, key string) error {
			return s.Update(ctx, key, bytes.Repeat([]byte("u"), 200), exp)
		}},
		{"Update outgrowing the largest room", func(s *memstore.Store, key string) error {
			return s.Update(ctx, key, bytes.Repeat([]byte("v"), 2000), exp)
		}},
		{"Touch", func(s *memstore.Store, key string) error { return s.Touch(ctx, key, exp) }},
		{"Set", func(s *memstore.Store, key string) error {
			return s.Set(ctx, key, []byte("set"), exp)
		}},
		{"Set, small again", func(s *memstore.Store, key string) error {
			return s.Set(ctx, key, []byte("small"), exp)
		}},
		{"Set outgrowing the record's room", func(s *memstore.Store, key string) error {
			return s.Set(ctx, key, bytes.Repeat([]byte("s"), 100), exp)
		}},
		{"SetUnless", func(s *memstore.Store, key string) error {
			_, err := s.SetUnless(ctx, key, []byte("set unless"), exp, []byte("a guard"))
			return err
		}},
		{"TouchUnless", func(s *memstore.Store, key string) error {
			_, err := s.TouchUnless(ctx, key, exp, []byte("a guard"))
			return err
		}},
		{"CompareAndSwap", func(s *memstore.Store, key string) error {
			cur, err := s.Load(ctx, key)
			if err != nil {
				return err
			}
			_, err = s.CompareAndSwap(ctx, key, cur, []byte("swapped"), exp)
			return err
		}},
	}
	s := mustNew(memstore.New())
	const key = "cookiekeycookiekeycookiekeycooki"
	if err := s.Create(ctx, strings.Clone(key), []byte("created"), exp); err != nil {
		t.Fatal(err)
	}
	for _, w := range writes {
		k, header := cookieKey(key)
		if err := w.write(s, k); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		k = ""
		collected := false
		for range 10 {
			runtime.GC()
			if header.Value() == nil {
				collected = true
				break
			}
		}
		if !collected {
			t.Errorf("%s: the header the key was cut from is still reachable", w.name)
		}
	}
	if got := mustLoad(t, s, key); string(got) != "swapped" {
		t.Errorf("Load = %q, want %q", got, "swapped")
	}
	runtime.KeepAlive(s)
}

// TestEverySizeOfDataRoundTrips: data written at every size a record has
// room for, at the edges of each room and past the largest, in every order
// (growing from a small record to one of its own array and back), loads
// back byte for byte, and a Load's copy never changes with later writes.
func TestEverySizeOfDataRoundTrips(t *testing.T) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	sizes := []int{0, 1, 31, 32, 33, 95, 96, 97, 223, 224, 225, 1023, 1024, 5000}
	s := mustNew(memstore.New())
	for i, first := range sizes {
		key := stores.NewKey()
		data := bytes.Repeat([]byte{byte('a' + i)}, first)
		if err := s.Create(ctx, key, data, exp); err != nil {
			t.Fatal(err)
		}
		prev, want := mustLoad(t, s, key), data
		for j, n := range append(append([]int(nil), sizes...), first) {
			if !bytes.Equal(prev, want) {
				t.Fatalf("from %d bytes: a loaded copy changed with a later write", first)
			}
			want = bytes.Repeat([]byte{byte('A' + j%26)}, n)
			var err error
			switch j % 3 {
			case 0:
				err = s.Update(ctx, key, want, exp)
			case 1:
				err = s.Set(ctx, key, want, exp)
			default:
				_, err = s.CompareAndSwap(ctx, key, prev, want, exp)
			}
			if err != nil {
				t.Fatalf("from %d bytes, writing %d: %v", first, n, err)
			}
			got := mustLoad(t, s, key)
			if !bytes.Equal(got, want) {
				t.Fatalf("from %d bytes, wrote %d, loaded %d: %.40q", first, n, len(got), got)
			}
			shared, _, err := s.LoadShared(ctx, key)
			if err != nil || !bytes.Equal(shared, want) {
				t.Fatalf("from %d bytes, wrote %d: LoadShared %d bytes, %v", first, n, len(shared), err)
			}
			prev = got
		}
	}
}
