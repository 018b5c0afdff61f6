package redisops

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

func TestLoadWithTTLReadsTheKeysPTTL(t *testing.T) { eachClient(t, testLoadWithTTLReadsTheKeysPTTL) }

// The time to live is the key's PTTL, whatever the store's clock says
// (here a year off: it only turns an expiry into a PX), and a key written
// without a TTL saturates at stores.MaxExpiry.
func testLoadWithTTLReadsTheKeysPTTL(t *testing.T, s *Store) {
	ctx := context.Background()
	shifted := time.Now().AddDate(1, 0, 0)
	s.now = func() time.Time { return shifted }
	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte("d"), shifted.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	data, ttl, err := s.LoadWithTTL(ctx, k)
	if err != nil || string(data) != "d" {
		t.Fatalf("LoadWithTTL = %q, %v", data, err)
	}
	if ttl > 10*time.Minute || ttl < 10*time.Minute-2*time.Second {
		t.Errorf("time to live %v, want 10m less the time the commands took", ttl)
	}

	raw := testenv.Redis(t)
	forever := stores.NewKey()
	if err := raw.Set(ctx, s.Prefix()+forever, "no ttl", 0).Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Del(context.Background(), s.Prefix()+forever) })
	if _, ttl, err := s.LoadWithTTL(ctx, forever); err != nil || ttl != stores.MaxExpiry().Sub(shifted) {
		t.Errorf("a key without a TTL: %v, %v; want the time to stores.MaxExpiry()", ttl, err)
	}
	if _, _, err := s.LoadWithTTL(ctx, stores.NewKey()); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("an unknown key: %v, want ErrNotFound", err)
	}
}

// What the two replies of the pipeline mean, including the interleavings a
// real server cannot be made to produce on cue: a key deleted between GET
// and PTTL, one without a TTL, a reply of the wrong type.
func TestLoadWithTTLReadsEachPairOfReplies(t *testing.T) {
	nilErr := errors.New("nil reply")
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		replies []Reply
		want    time.Duration
		wantErr error
		fails   bool
	}{
		{"a live key", []Reply{{Val: "d"}, {Val: int64(1500)}}, 1500 * time.Millisecond, nil, false},
		{"a missing key", []Reply{{Err: nilErr}, {Val: int64(-2)}}, 0, stores.ErrNotFound, false},
		{"deleted between GET and PTTL: unknown", []Reply{{Val: "d"}, {Val: int64(-2)}}, 0, nil, false},
		{"no TTL: saturated", []Reply{{Val: "d"}, {Val: int64(-1)}}, stores.MaxExpiry().Sub(now), nil, false},
		{"a failed PTTL", []Reply{{Val: "d"}, {Err: errors.New("down")}}, 0, nil, true},
		{"a reply of another type", []Reply{{Val: int64(3)}, {Val: int64(5)}}, 0, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pipe := func(context.Context, []any, []any) (Reply, Reply) { return tc.replies[0], tc.replies[1] }
			s, err := New("x", nil, pipe, nilErr, []func(*Config){func(c *Config) { c.Now = func() time.Time { return now } }})
			if err != nil {
				t.Fatal(err)
			}
			data, ttl, err := s.LoadWithTTL(context.Background(), stores.NewKey())
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
				if err != nil || string(data) != "d" || ttl != tc.want {
					t.Fatalf("= %q, %v, %v; want d, %v", data, ttl, err, tc.want)
				}
			}
		})
	}
}
