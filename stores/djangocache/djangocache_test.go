package djangocache_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/djangocache"
	"github.com/ginsession/ginsession/stores/storetest"
)

// keyPrefix returns a KEY_PREFIX of the test's own: every key the store
// makes starts with it and ":", and those are deleted when the test ends.
func keyPrefix(t testing.TB, client redis.UniversalClient) string {
	return strings.TrimSuffix(testenv.Redis9Prefix(t, client, "djcache_"), ":")
}

func newStore(t testing.TB, client redis.UniversalClient, opts ...djangocache.Option) *djangocache.Store {
	t.Helper()
	s, err := djangocache.New(client, append([]djangocache.Option{djangocache.WithKeyPrefix(keyPrefix(t, client))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	client := testenv.Redis9(t)
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, client) })
}

func TestConformanceGoRedisV8(t *testing.T) {
	t.Parallel()
	client := testenv.Redis(t)
	storetest.Run(t, func(t *testing.T) stores.Store {
		p := strings.TrimSuffix(testenv.RedisPrefix(t, client, "djcache_v8_"), ":")
		s, err := djangocache.NewV8(client, djangocache.WithKeyPrefix(p), djangocache.WithVersion(3))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// The record is where Django's cache looks for it: its default key
// function, with the cache's KEY_PREFIX and VERSION, and the session
// engine's own prefix; its TTL is the session's expiry.
func TestRecordsAreUnderDjangosCacheKeyWithTheExpiryAsTTL(t *testing.T) {
	client := testenv.Redis9(t)
	prefix := keyPrefix(t, client)
	for _, tc := range []struct {
		name    string
		opts    []djangocache.Option
		version string
	}{
		{"default version", nil, "1"},
		{"version 7", []djangocache.Option{djangocache.WithVersion(7)}, "7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := djangocache.New(client, append(tc.opts, djangocache.WithKeyPrefix(prefix))...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			key := stores.NewKey()
			if err := s.Create(ctx, key, []byte("data"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			want := prefix + ":" + tc.version + ":django.contrib.sessions.cache" + key
			if got := s.RedisKey(key); got != want {
				t.Errorf("RedisKey = %q, want %q", got, want)
			}
			got, err := client.Get(ctx, want).Bytes()
			if err != nil || !bytes.Equal(got, []byte("data")) {
				t.Fatalf("GET %s = %q, %v", want, got, err)
			}
			ttl, err := client.PTTL(ctx, want).Result()
			if err != nil || ttl <= 59*time.Minute || ttl > time.Hour {
				t.Fatalf("PTTL = %v, %v; want about an hour", ttl, err)
			}
		})
	}
}

// Django's default cache (no KEY_PREFIX) puts the key right after ":1:".
func TestTheDefaultKeyIsDjangosDefault(t *testing.T) {
	s, err := djangocache.New(testenv.Redis9(t))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.RedisKey("abc"), ":1:django.contrib.sessions.cacheabc"; got != want {
		t.Fatalf("RedisKey = %q, want %q", got, want)
	}
}

func TestNewRefusesBadOptionsAndClients(t *testing.T) {
	if _, err := djangocache.New(testenv.Redis9(t), djangocache.WithClock(nil)); err == nil || !strings.Contains(err.Error(), "WithClock") {
		t.Errorf("WithClock(nil): %v", err)
	}
	// go-redis v9 ignores deadlines without ContextTimeoutEnabled.
	c := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr()})
	t.Cleanup(func() { c.Close() })
	if _, err := djangocache.New(c); err == nil || !strings.Contains(err.Error(), "ContextTimeoutEnabled") {
		t.Errorf("a client without ContextTimeoutEnabled: %v", err)
	}
	if _, err := djangocache.New(nil); err == nil {
		t.Error("a nil client was accepted")
	}
	if _, err := djangocache.NewV8(nil); err == nil {
		t.Error("a nil v8 client was accepted")
	}
	if _, err := djangocache.New(testenv.Redis9(t), djangocache.WithKeyPrefix(strings.Repeat("x", 1000))); err == nil {
		t.Error("a 1000-byte KEY_PREFIX was accepted")
	}
}

// A save of a session a concurrent logout deleted fails: Update is update
// only (Django's UpdateError), and a compare-and-swap never writes it back.
func TestAnUpdateNeverBringsBackADeletedSession(t *testing.T) {
	s := newStore(t, testenv.Redis9(t))
	ctx := context.Background()
	key := stores.NewKey()
	if err := s.Create(ctx, key, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, key, []byte("v2"), time.Now().Add(time.Hour)); !errors.Is(err, stores.ErrExists) {
		t.Fatalf("Create of a taken key: %v, want ErrExists", err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, key, []byte("v3"), time.Now().Add(time.Hour)); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Update after Delete: %v, want ErrNotFound", err)
	}
	if _, err := s.CompareAndSwap(ctx, key, []byte("v1"), []byte("v3"), time.Now().Add(time.Hour)); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("CompareAndSwap after Delete: %v, want ErrNotFound", err)
	}
	if ok, err := s.Exists(ctx, key); ok || err != nil {
		t.Fatalf("Exists = %v, %v", ok, err)
	}
}
