package memstore_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) stores.Store {
		s, err := memstore.New()
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func later() time.Time { return time.Now().Add(time.Hour) }

func mustLoad(t *testing.T, s *memstore.Store, key string) []byte {
	t.Helper()
	got, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return got
}

func TestDataIsCopied(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		mutate func(t *testing.T, s *memstore.Store, key string)
	}{
		{"changing the slice given to Create does not change the record", func(t *testing.T, s *memstore.Store, key string) {
			buf := []byte("original")
			if err := s.Create(ctx, key, buf, later()); err != nil {
				t.Fatal(err)
			}
			copy(buf, "XXXXXXXX")
		}},
		{"changing the slice given to Update does not change the record", func(t *testing.T, s *memstore.Store, key string) {
			if err := s.Create(ctx, key, []byte("first"), later()); err != nil {
				t.Fatal(err)
			}
			buf := []byte("original")
			if err := s.Update(ctx, key, buf, later()); err != nil {
				t.Fatal(err)
			}
			copy(buf, "XXXXXXXX")
		}},
		{"changing the slice Load returned does not change the record", func(t *testing.T, s *memstore.Store, key string) {
			if err := s.Create(ctx, key, []byte("original"), later()); err != nil {
				t.Fatal(err)
			}
			copy(mustLoad(t, s, key), "XXXXXXXX")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := testenv.Must(memstore.New())
			key := stores.NewKey()
			tc.mutate(t, s, key)
			if got := mustLoad(t, s, key); string(got) != "original" {
				t.Fatalf("record = %q, want %q", got, "original")
			}
		})
	}
}

// Update reuses the record's buffer when the new data fits; what an earlier
// Load returned must not change under the caller's feet.
func TestUpdateDoesNotChangeEarlierLoads(t *testing.T) {
	ctx := context.Background()
	s := testenv.Must(memstore.New())
	key := stores.NewKey()
	if err := s.Create(ctx, key, []byte("aaaaaaaaaaaaaaaa"), later()); err != nil {
		t.Fatal(err)
	}
	before := mustLoad(t, s, key)
	for _, next := range []string{"bbbbbbbbbbbbbbbb", "cc", "", "dddddddddddddddddddddddddddddddddddddddd"} {
		if err := s.Update(ctx, key, []byte(next), later()); err != nil {
			t.Fatal(err)
		}
		if got := mustLoad(t, s, key); string(got) != next {
			t.Fatalf("after Update(%q) Load = %q", next, got)
		}
		if string(before) != "aaaaaaaaaaaaaaaa" {
			t.Fatalf("an earlier Load's result changed to %q", before)
		}
	}
}

func TestCreate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		key     string
		setup   func(s *memstore.Store, key string) error
		wantErr error
	}{
		{"an expired record does not block Create", stores.NewKey(), func(s *memstore.Store, key string) error {
			return s.Create(ctx, key, []byte("old"), time.Now().Add(-time.Second))
		}, nil},
		{"a live record blocks Create", stores.NewKey(), func(s *memstore.Store, key string) error {
			return s.Create(ctx, key, []byte("old"), later())
		}, stores.ErrExists},
		{"an uppercase key is refused", "ABCDEFGHIJ", nil, stores.ErrInvalidKey},
		{"a path-like key is refused", "../../etc/passwd", nil, stores.ErrInvalidKey},
		{"a seven-character key is refused", "abcdefg", nil, stores.ErrInvalidKey},
		{"a forty-one-character key is refused", string(bytes.Repeat([]byte("a"), 41)), nil, stores.ErrInvalidKey},
		{"a forty-character key is accepted", string(bytes.Repeat([]byte("a"), 40)), nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := testenv.Must(memstore.New())
			if tc.setup != nil {
				if err := tc.setup(s, tc.key); err != nil {
					t.Fatal(err)
				}
			}
			err := s.Create(ctx, tc.key, []byte("new"), later())
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("Create = %v, want nil", err)
				}
				if got := mustLoad(t, s, tc.key); string(got) != "new" {
					t.Fatalf("Load = %q, want %q", got, "new")
				}
				if n := s.Len(); n != 1 {
					t.Fatalf("Len = %d, want 1", n)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Create = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestExpiredRecordsAreAbsent(t *testing.T) {
	ctx := context.Background()
	s := testenv.Must(memstore.New())
	key := stores.NewKey()
	if err := s.Create(ctx, key, []byte("x"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Load = %v, want ErrNotFound", err)
	}
	if ok, err := s.Exists(ctx, key); ok || err != nil {
		t.Errorf("Exists = %v, %v; want false, nil", ok, err)
	}
	if err := s.Update(ctx, key, []byte("y"), later()); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Update = %v, want ErrNotFound (no resurrection)", err)
	}
	if err := s.Touch(ctx, key, later()); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Touch = %v, want ErrNotFound (no resurrection)", err)
	}
}

func TestExpiryExtremes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		expiry time.Time
		live   bool
	}{
		{"the zero time is long past", time.Time{}, false},
		{"the year 1 BC is long past", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"the year 3000 is far ahead", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"the year 292277026596 is far ahead", time.Unix(1<<63-1, 0), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := testenv.Must(memstore.New())
			key := stores.NewKey()
			if err := s.Create(ctx, key, []byte("x"), tc.expiry); err != nil {
				t.Fatal(err)
			}
			if ok, _ := s.Exists(ctx, key); ok != tc.live {
				t.Fatalf("Exists = %v, want %v", ok, tc.live)
			}
		})
	}
}

func TestClearExpiredFreesMemory(t *testing.T) {
	ctx := context.Background()
	s := testenv.Must(memstore.New())
	live := make([]string, 100)
	for i := range live {
		live[i] = stores.NewKey()
		if err := s.Create(ctx, live[i], []byte("live"), later()); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, stores.NewKey(), []byte("dead"), time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Len(); n != 200 {
		t.Fatalf("Len before ClearExpired = %d, want 200 (expired records still held)", n)
	}
	if err := s.ClearExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if n := s.Len(); n != 100 {
		t.Fatalf("Len after ClearExpired = %d, want 100", n)
	}
	for _, k := range live {
		if got := mustLoad(t, s, k); string(got) != "live" {
			t.Fatalf("live record = %q", got)
		}
	}
}

func TestTwentyConcurrentCreatesOfOneKeyHaveOneWinner(t *testing.T) {
	ctx := context.Background()
	for _, expired := range []bool{false, true} {
		s := testenv.Must(memstore.New())
		key := stores.NewKey()
		if expired {
			if err := s.Create(ctx, key, []byte("expired"), time.Now().Add(-time.Second)); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, losses := 0, 0
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.Create(ctx, key, []byte("x"), later())
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.Is(err, stores.ErrExists):
					losses++
				default:
					t.Errorf("Create: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || losses != 19 {
			t.Errorf("over an expired record: %v: %d winners and %d ErrExists, want 1 and 19", expired, wins, losses)
		}
	}
}
