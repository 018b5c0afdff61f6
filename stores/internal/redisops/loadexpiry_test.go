package redisops

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

func TestLoadWithExpiryReadsTheTTLByTheStoresClock(t *testing.T) {
	eachClient(t, testLoadWithExpiryReadsTheTTLByTheStoresClock)
}

// The expiry comes back as the store's clock plus the key's PTTL: with a
// clock a year off, Create and LoadWithExpiry still agree with each other,
// and a key written without a TTL saturates at stores.MaxExpiry.
func testLoadWithExpiryReadsTheTTLByTheStoresClock(t *testing.T, s *Store) {
	ctx := context.Background()
	shifted := time.Now().AddDate(1, 0, 0)
	s.SetClock(func() time.Time { return shifted })
	k := stores.NewKey()
	exp := shifted.Add(10 * time.Minute)
	if err := s.Create(ctx, k, []byte("d"), exp); err != nil {
		t.Fatal(err)
	}
	data, got, err := s.LoadWithExpiry(ctx, k)
	if err != nil || string(data) != "d" {
		t.Fatalf("LoadWithExpiry = %q, %v", data, err)
	}
	if got.After(exp) || got.Before(exp.Add(-2*time.Second)) {
		t.Errorf("expiry %v, want %v less the time the command took", got, exp)
	}

	raw := testenv.Redis(t)
	forever := stores.NewKey()
	if err := raw.Set(ctx, s.Prefix()+forever, "no ttl", 0).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Del(context.Background(), s.Prefix()+forever) })
	if _, got, err := s.LoadWithExpiry(ctx, forever); err != nil || !got.Equal(stores.MaxExpiry) {
		t.Errorf("a key without a TTL: expiry %v, %v; want stores.MaxExpiry", got, err)
	}
	if _, _, err := s.LoadWithExpiry(ctx, stores.NewKey()); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("an unknown key: %v, want ErrNotFound", err)
	}
}
