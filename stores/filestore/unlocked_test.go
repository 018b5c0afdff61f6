package filestore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/filestore"
)

// djangoWrite puts a live record at path as Django's file engine does: no
// lock, a temporary file renamed over the name.
func djangoWrite(t *testing.T, path, data string) {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), 0o600); err != nil {
		t.Error(err)
		return
	}
	if err := os.Chtimes(tmp, time.Time{}, time.Now().Add(time.Hour)); err != nil {
		t.Error(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Error(err)
	}
}

// removers are the two writes that remove an expired record: ClearExpired,
// and Create of its key.
var removers = []struct {
	name   string
	remove func(ctx context.Context, s *filestore.Store, key string) error
	want   error
}{
	{"ClearExpired", func(ctx context.Context, s *filestore.Store, _ string) error { return s.ClearExpired(ctx) }, nil},
	{"Create over an expired record", func(ctx context.Context, s *filestore.Store, key string) error {
		return s.Create(ctx, key, []byte("ours"), later())
	}, stores.ErrExists},
}

// The clock, read in the look at the expired record, is the barrier: the
// live record arrives between that look and the removal.
func TestALiveRecordWrittenWithoutALockDuringARemovalStays(t *testing.T) {
	for _, tc := range removers {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			key := stores.NewKey()
			var armed atomic.Bool
			s, err := filestore.New(dir, filestore.WithClock(func() time.Time {
				if armed.CompareAndSwap(true, false) {
					djangoWrite(t, filepath.Join(dir, "sessionid"+key), "django")
				}
				return time.Now()
			}))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Create(ctx, key, []byte("old"), time.Now().Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			armed.Store(true)
			if err := tc.remove(ctx, s, key); !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
				t.Fatalf("= %v, want %v", err, tc.want)
			}
			if armed.Load() {
				t.Fatal("the clock was not read between the look and the removal")
			}
			if got, err := s.Load(ctx, key); err != nil || string(got) != "django" {
				t.Fatalf("Load = %q, %v; want the record written meanwhile", got, err)
			}
		})
	}
}

func TestALiveRecordWrittenWithoutALockDuringARemovalStaysUnderRaces(t *testing.T) {
	for _, tc := range removers {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t)
			for range 100 {
				key := stores.NewKey()
				if err := s.Create(ctx, key, []byte("old"), time.Now().Add(-time.Hour)); err != nil {
					t.Fatal(err)
				}
				var wg sync.WaitGroup
				wg.Go(func() { djangoWrite(t, filepath.Join(s.Dir(), "sessionid"+key), "django") })
				if err := tc.remove(ctx, s, key); err != nil && !errors.Is(err, stores.ErrExists) {
					t.Fatal(err)
				}
				wg.Wait()
				// Whichever came first, the record written last is Django's.
				if got, err := s.Load(ctx, key); err != nil || string(got) != "django" {
					t.Fatalf("Load = %q, %v; the record written meanwhile is lost", got, err)
				}
			}
		})
	}
}
