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

// What the two replies of the pipeline mean, including the interleavings a
// real server cannot be made to produce on cue: a key deleted between GET
// and PTTL, one without a TTL, a reply of the wrong type.
func TestLoadWithExpiryReadsEachPairOfReplies(t *testing.T) {
	nilErr := errors.New("nil reply")
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		replies []Reply
		want    time.Time
		wantErr error
		fails   bool
	}{
		{"a live key", []Reply{{Val: "d"}, {Val: int64(1500)}}, now.Add(1500 * time.Millisecond), nil, false},
		{"a missing key", []Reply{{Err: nilErr}, {Val: int64(-2)}}, time.Time{}, stores.ErrNotFound, false},
		{"deleted between GET and PTTL: unknown", []Reply{{Val: "d"}, {Val: int64(-2)}}, time.Time{}, nil, false},
		{"no TTL: saturated", []Reply{{Val: "d"}, {Val: int64(-1)}}, stores.MaxExpiry, nil, false},
		{"a failed PTTL", []Reply{{Val: "d"}, {Err: errors.New("down")}}, time.Time{}, nil, true},
		{"a reply of another type", []Reply{{Val: int64(3)}, {Val: int64(5)}}, time.Time{}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pipe := func(context.Context, ...[]any) []Reply { return tc.replies }
			s, err := New("x", nil, pipe, nilErr, []func(*Config) error{func(c *Config) error { return c.SetClock("x", func() time.Time { return now }) }})
			if err != nil {
				t.Fatal(err)
			}
			data, exp, err := s.LoadWithExpiry(context.Background(), stores.NewKey())
			switch {
			case tc.fails:
				if err == nil || errors.Is(err, stores.ErrNotFound) {
					t.Fatalf("err = %v, want a failure", err)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			default:
				if err != nil || string(data) != "d" || !exp.Equal(tc.want) {
					t.Fatalf("= %q, %v, %v; want d, %v", data, exp, err, tc.want)
				}
			}
		})
	}
}
