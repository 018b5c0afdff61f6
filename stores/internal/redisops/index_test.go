package redisops

import (
	"context"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// TestTheUserIndexExpiresWithItsLastSession: the hash's TTL follows the
// longest expiry written, is never shortened, and so leaves nothing behind
// once the user's sessions are gone.
func TestTheUserIndexExpiresWithItsLastSession(t *testing.T) {
	eachClient(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		pttl := func() int64 {
			n, err := s.count(ctx, "pttl", s.ukey("7"))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		now := time.Now()
		add := func(exp time.Duration) {
			e := stores.IndexEntry{Key: stores.NewKey(), Created: now, LastActive: now, Expiry: now.Add(exp)}
			if err := s.IndexAdd(ctx, "7", e); err != nil {
				t.Fatal(err)
			}
		}
		add(time.Hour)
		if ttl := pttl(); ttl <= 59*60*1000 || ttl > 60*60*1000 {
			t.Fatalf("after an entry kept an hour the hash's TTL is %d ms", ttl)
		}
		add(time.Minute)
		if ttl := pttl(); ttl <= 59*60*1000 {
			t.Fatalf("a shorter entry shortened the hash's TTL to %d ms", ttl)
		}
		add(2 * time.Hour)
		if ttl := pttl(); ttl <= 119*60*1000 {
			t.Fatalf("a longer entry left the hash's TTL at %d ms", ttl)
		}
		// An entry whose expiry has passed never drops the others at once.
		add(-time.Hour)
		if ttl := pttl(); ttl <= 119*60*1000 {
			t.Fatalf("a past expiry cut the hash's TTL to %d ms", ttl)
		}
		// A new user's hash written with a past expiry lapses within a second.
		e := stores.IndexEntry{Key: stores.NewKey(), Created: now, LastActive: now, Expiry: now.Add(-time.Hour)}
		if err := s.IndexAdd(ctx, "8", e); err != nil {
			t.Fatal(err)
		}
		if n, err := s.count(ctx, "pttl", s.ukey("8")); err != nil || n <= 0 || n > 1000 {
			t.Fatalf("a hash of past entries has TTL %d ms (%v), want at most a second", n, err)
		}
		// An expiry at the end of Time's range, where Time's comparisons
		// wrap round, saturates as every expiry does: no one-second floor.
		e = stores.IndexEntry{Key: stores.NewKey(), Created: now, LastActive: now, Expiry: time.Unix(1<<63-1, 0)}
		if err := s.IndexAdd(ctx, "9", e); err != nil {
			t.Fatal(err)
		}
		if n, err := s.count(ctx, "pttl", s.ukey("9")); err != nil || n < int64(time.Until(stores.MaxExpiry())/time.Millisecond)-60_000 {
			t.Fatalf("a hash of a far expiry has TTL %d ms (%v), want until stores.MaxExpiry()", n, err)
		}
	})
}
