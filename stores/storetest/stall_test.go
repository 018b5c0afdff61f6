package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// stallingStore stalls the first Load, Update or Touch after the first
// Create for stall, as a loaded machine can stall a test between two store
// calls.
type stallingStore struct {
	*memstore.Store
	stall   time.Duration
	mu      sync.Mutex
	created bool
	stalled bool
}

func (s *stallingStore) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	s.mu.Lock()
	s.created = true
	s.mu.Unlock()
	return s.Store.Create(ctx, key, data, expiry)
}

func (s *stallingStore) maybeStall() {
	s.mu.Lock()
	due := s.created && !s.stalled
	s.stalled = s.stalled || due
	s.mu.Unlock()
	if due {
		time.Sleep(s.stall)
	}
}

func (s *stallingStore) Load(ctx context.Context, key string) ([]byte, error) {
	s.maybeStall()
	return s.Store.Load(ctx, key)
}

func (s *stallingStore) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	s.maybeStall()
	return s.Store.Update(ctx, key, data, expiry)
}

func (s *stallingStore) Touch(ctx context.Context, key string, expiry time.Time) error {
	s.maybeStall()
	return s.Store.Touch(ctx, key, expiry)
}

var _ stores.Toucher = (*stallingStore)(nil)

// TestAStallPastAShortExpiryIsNotAFailure stalls each test with a record of
// a few seconds' life past that life between the Create and the call that
// needs the record alive: the tests start again instead of failing.
func TestAStallPastAShortExpiryIsNotAFailure(t *testing.T) {
	for name, fn := range map[string]func(*testing.T, stores.Store){
		"Update": testUpdate, "ExpiryToTheSecond": testExpiryToTheSecond, "Touch": testTouch,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := memstore.New()
			if err != nil {
				t.Fatal(err)
			}
			s := &stallingStore{Store: m, stall: 2100 * time.Millisecond}
			fn(t, s)
			if !s.stalled {
				t.Fatal("the store never stalled: the test proves nothing")
			}
		})
	}
}
