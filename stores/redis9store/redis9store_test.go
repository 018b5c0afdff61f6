package redis9store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/internal/redisops/redisopstest"
	"github.com/ginsession/ginsession/stores/redisstore"
)

// TestRecordsCrossBetweenTheV8AndV9Stores writes with each store and reads,
// updates, touches and deletes with the other, on one prefix: a deployment
// that switches clients keeps every session, with its expiry.
func TestRecordsCrossBetweenTheV8AndV9Stores(t *testing.T) {
	c9 := testenv.Redis9(t)
	prefix := testenv.Redis9Prefix(t, c9, "gs_cross_")
	s9, err := New(c9, WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	s8, err := redisstore.New(testenv.Redis(t), redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	type store interface {
		stores.Store
		stores.Toucher
	}
	for _, dir := range []struct {
		name        string
		write, read store
	}{
		{"v8 to v9", s8, s9}, {"v9 to v8", s9, s8},
	} {
		t.Run(dir.name, func(t *testing.T) {
			k := stores.NewKey()
			exp := time.Now().Add(time.Hour)
			data := []byte("{\"_auth_user_id\":\"42\",\"b\":\"\x00\xff\"}")
			if err := dir.write.Create(ctx, k, data, exp); err != nil {
				t.Fatal(err)
			}
			if got, err := dir.read.Load(ctx, k); string(got) != string(data) || err != nil {
				t.Fatalf("Load by the other store = %q, %v", got, err)
			}
			if err := dir.read.Create(ctx, k, []byte("x"), exp); !errors.Is(err, stores.ErrExists) {
				t.Errorf("Create by the other store on the taken key = %v, want ErrExists", err)
			}
			if ttl := c9.PTTL(ctx, prefix+k).Val(); ttl < 59*time.Minute || ttl > time.Hour {
				t.Errorf("PTTL = %v, want just under an hour", ttl)
			}
			if err := dir.read.Update(ctx, k, []byte("updated"), exp); err != nil {
				t.Fatal(err)
			}
			if got, err := dir.write.Load(ctx, k); string(got) != "updated" || err != nil {
				t.Errorf("Load of the other store's update = %q, %v", got, err)
			}
			if err := dir.read.Touch(ctx, k, exp.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if ttl := c9.PTTL(ctx, prefix+k).Val(); ttl < 119*time.Minute {
				t.Errorf("PTTL after the other store's Touch = %v, want about two hours", ttl)
			}
			if err := dir.read.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if ok, err := dir.write.Exists(ctx, k); ok || err != nil {
				t.Errorf("Exists after the other store's Delete = %v, %v", ok, err)
			}
		})
	}
}

func TestNewRefusesAClientThatIgnoresDeadlines(t *testing.T) {
	standalone := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	failover := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: "m", SentinelAddrs: []string{"127.0.0.1:1"}})
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}})
	universal := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}})
	embedded := struct{ *redis.Client }{standalone}
	for name, c := range map[string]redis.UniversalClient{
		"Client": standalone, "failover": failover, "ClusterClient": cluster,
		"Ring": ring, "UniversalClient": universal, "a type embedding *redis.Client": embedded,
	} {
		_, err := New(c)
		if !errors.Is(err, ErrContextTimeoutDisabled) || !strings.Contains(err.Error(), "ContextTimeoutEnabled: true") {
			t.Errorf("New(%s with default options) = %v, want ErrContextTimeoutDisabled naming the option", name, err)
		}
		if name != "a type embedding *redis.Client" {
			c.Close()
		}
	}
	on := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true})
	defer on.Close()
	if _, err := New(on); err != nil {
		t.Errorf("New(a ClusterClient with ContextTimeoutEnabled) = %v", err)
	}
}

// TestADefaultClientIgnoresDeadlines shows why New refuses a client with
// default options: that client waits out its ReadTimeout, not the deadline
// (stores/internal/redisops tests that a store's client honours it).
func TestADefaultClientIgnoresDeadlines(t *testing.T) {
	const deadline, readTimeout = 200 * time.Millisecond, 3 * time.Second
	client := redis.NewClient(&redis.Options{Addr: redisopstest.SilentServer(t), ReadTimeout: readTimeout, MaxRetries: -1, Protocol: 2})
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	_, err := client.Get(ctx, "k").Result()
	if took := time.Since(start); took < readTimeout-100*time.Millisecond || err == nil {
		t.Errorf("a default client on a silent server returned after %v (%v); go-redis v9 now honours deadlines, so New need not refuse it", took, err)
	}
}

func TestNewRefusesBadArguments(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	if _, err := New(c, WithPrefix(strings.Repeat("p", 513))); err == nil {
		t.Error("a 513-byte prefix was accepted")
	}
	s, err := New(c)
	if err != nil || s.Prefix() != DefaultPrefix || DefaultPrefix != redisstore.DefaultPrefix {
		t.Errorf("New(c) = %v, %v; want prefix %q, the v8 store's", s, err, redisstore.DefaultPrefix)
	}
}
