package redisstore

import (
	"strings"
	"testing"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/internal/testenv"
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

// startCluster starts a Redis 7 cluster in the v8 tests' port range
// (stores/internal/redisops has the table of both clients' tests).
func startCluster(t *testing.T) []string { return testenv.RedisCluster(t, 7301, 7400) }
