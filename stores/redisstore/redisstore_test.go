package redisstore

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/internal/redisops/redisopstest"
	"github.com/ginsession/ginsession/stores/storetest"
)

// newStore returns a store on client with a key prefix of its own; the
// keys under it are deleted when the test ends.
func newStore(t testing.TB, client redis.UniversalClient, opts ...Option) *Store {
	t.Helper()
	s, err := New(client, append(opts, WithPrefix(testenv.RedisPrefix(t, client, "gs_test_")))...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformanceStandalone(t *testing.T) {
	t.Parallel()
	client := testenv.Redis(t)
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, client) })
}

func TestConformanceCluster(t *testing.T) {
	t.Parallel()
	addrs := startCluster(t)
	client := redis.NewClusterClient(Redis7ClusterOptions(&redis.ClusterOptions{Addrs: addrs}))
	t.Cleanup(func() { client.Close() })
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, client) })

	// The records really are spread over the three masters.
	s := newStore(t, client)
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		if err := s.Create(ctx, stores.NewKey(), []byte("x"), time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	var masters atomic.Int32 // ForEachMaster runs its function concurrently
	err := client.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
		keys, _, err := c.Scan(ctx, 0, s.Prefix()+"*", 1000).Result()
		if len(keys) > 0 {
			masters.Add(1)
		}
		return err
	})
	if err != nil || masters.Load() != 3 {
		t.Errorf("30 records landed on %d masters (%v), want all 3", masters.Load(), err)
	}
}

func TestConformanceSentinel(t *testing.T) {
	t.Parallel()
	sentinel := startSentinel(t)
	client := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "ginsession", SentinelAddrs: []string{sentinel}})
	t.Cleanup(func() { client.Close() })
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, client) })
}

// The same code serves the other UniversalClient shapes: NewUniversalClient
// picks a failover client when given a master name.
func TestConformanceUniversalClient(t *testing.T) {
	t.Parallel()
	sentinel := startSentinel(t)
	client := redis.NewUniversalClient(&redis.UniversalOptions{MasterName: "ginsession", Addrs: []string{sentinel}})
	t.Cleanup(func() { client.Close() })
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, client) })
}

func TestTheContextDeadlineIsHonoured(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: redisopstest.SilentServer(t), ReadTimeout: time.Minute, MaxRetries: -1})
	defer client.Close()
	s, _ := New(client)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Load(ctx, stores.NewKey())
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Load on a silent server took %v despite a 200ms deadline", took)
	}
	if err == nil || errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Load on a silent server = %v, want a failure that is not ErrNotFound", err)
	}
}

func TestFailuresAreErrorsThatNameOnlyTheKeysPrefix(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	defer client.Close()
	s, _ := New(client)
	redisopstest.FailuresNameOnlyTheKeysPrefix(t, s, "redisstore")
}

func TestNewRefusesBadArguments(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	if _, err := New(c, WithPrefix(strings.Repeat("p", 513))); err == nil {
		t.Error("a 513-byte prefix was accepted")
	}
	s, err := New(c)
	if err != nil || s.Prefix() != DefaultPrefix {
		t.Errorf("New(c) = %v, %v; want prefix %q", s, err, DefaultPrefix)
	}
}

// The v8 tests' port ranges; stores/redis9store uses others.
func startCluster(t *testing.T) []string { return testenv.RedisCluster(t, 7301, 7400) }
func startSentinel(t *testing.T) string  { return testenv.RedisSentinel(t, 7401, 7500) }
