package redisops

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	redis8 "github.com/go-redis/redis/v8"
	redis9 "github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// eachClient runs test on a store over go-redis v8 and on one over v9, each
// with a key prefix of its own emptied at the end: the two clients hand the
// store replies of their own, which must mean the same.
func eachClient(t *testing.T, test func(t *testing.T, s *Store)) {
	eachClientOpen(t, "gs_ops_", func(t *testing.T, open func(...func(*Config)) *Store, _ func(string) []byte) {
		test(t, open())
	})
}

// eachClientOpen is eachClient for tests of several stores on the same
// keys: open returns a store over the client under the test's prefix (base
// and a suffix of the test's own) with opts, raw what Redis holds under a
// session key.
func eachClientOpen(t *testing.T, base string, test func(t *testing.T, open func(opts ...func(*Config)) *Store, raw func(key string) []byte)) {
	run := func(t *testing.T, name string, do Do, pipe Pipe, nilErr error, p string, get func(rkey string) []byte) {
		open := func(opts ...func(*Config)) *Store {
			s, err := New(name, do, pipe, nilErr, append(opts, prefix(p)))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		test(t, open, func(key string) []byte { return get(p + key) })
	}
	t.Run("go-redis v8", func(t *testing.T) {
		c := testenv.Redis(t)
		do := func(ctx context.Context, args ...any) (any, error) { return c.Do(ctx, args...).Result() }
		pipe := PipeOf[*redis8.Cmd](c.Pipeline, func(p redis8.Pipeliner, ctx context.Context) { _, _ = p.Exec(ctx) })
		get := func(rkey string) []byte { v, _ := c.Get(context.Background(), rkey).Bytes(); return v }
		run(t, "redisstore", do, pipe, redis8.Nil, testenv.RedisPrefix(t, c, base), get)
	})
	t.Run("go-redis v9", func(t *testing.T) {
		c := testenv.Redis9(t)
		do := func(ctx context.Context, args ...any) (any, error) { return c.Do(ctx, args...).Result() }
		pipe := PipeOf[*redis9.Cmd](c.Pipeline, func(p redis9.Pipeliner, ctx context.Context) { _, _ = p.Exec(ctx) })
		get := func(rkey string) []byte { v, _ := c.Get(context.Background(), rkey).Bytes(); return v }
		run(t, "redis9store", do, pipe, redis9.Nil, testenv.Redis9Prefix(t, c, base), get)
	})
}

func prefix(p string) func(*Config) {
	return func(c *Config) { c.Prefix = p }
}

func TestRecordsArePlainValuesWithATTL(t *testing.T) {
	eachClient(t, testRecordsArePlainValuesWithATTL)
}

func testRecordsArePlainValuesWithATTL(t *testing.T, s *Store) {
	raw := testenv.Redis(t)
	ctx := context.Background()
	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte(`{"a":1}`), time.Now().Add(90*time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, err := raw.Get(ctx, s.Prefix()+k).Result(); got != `{"a":1}` || err != nil {
		t.Errorf("GET %s = %q, %v", s.Prefix()+k, got, err)
	}
	ttl, err := raw.PTTL(ctx, s.Prefix()+k).Result()
	if err != nil || ttl <= 89*time.Second || ttl > 90*time.Second {
		t.Errorf("PTTL = %v, %v; want just under 90s", ttl, err)
	}
}

// An expiry beyond what a time.Duration holds (Go's time.Time.Sub saturates
// there) is stored until stores.MaxExpiry, not with a negative PX Redis
// rejects.
func TestAFarExpiryIsCappedNotRefused(t *testing.T) { eachClient(t, testAFarExpiryIsCappedNotRefused) }

func testAFarExpiryIsCappedNotRefused(t *testing.T, s *Store) {
	raw := testenv.Redis(t)
	ctx := context.Background()
	k := stores.NewKey()
	far := time.Now().AddDate(300, 0, 0)
	for name, err := range map[string]error{
		"Create": s.Create(ctx, k, []byte("a"), far),
		"Update": s.Update(ctx, k, []byte("b"), far),
		"Touch":  s.Touch(ctx, k, far.AddDate(1000, 0, 0)),
		"Set":    s.Set(ctx, k, []byte("c"), far),
	} {
		if err != nil {
			t.Errorf("%s 300+ years ahead: %v", name, err)
		}
	}
	if got, err := s.Load(ctx, k); string(got) != "c" || err != nil {
		t.Errorf("Load = %q, %v", got, err)
	}
	if ttl, err := raw.PTTL(ctx, s.Prefix()+k).Result(); err != nil || ttl < time.Until(stores.MaxExpiry())-time.Hour {
		t.Errorf("PTTL = %v, %v; want until %v", ttl, err, stores.MaxExpiry())
	}
}

func TestPX(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	capMS := strconv.FormatInt(stores.MaxExpiry().Sub(now).Milliseconds(), 10)
	for _, c := range []struct {
		name   string
		expiry time.Time
		ms     string
		ok     bool
	}{
		{"a past expiry is not sent", now.Add(-time.Second), "", false},
		{"now is past", now, "", false},
		{"a part of a millisecond rounds up", now.Add(time.Microsecond), "1", true},
		{"whole milliseconds stay", now.Add(1500 * time.Millisecond), "1500", true},
		{"stores.MaxExpiry() is the cap", stores.MaxExpiry().Add(time.Hour), capMS, true},
		{"beyond a Duration, the cap", now.AddDate(1000, 0, 0), capMS, true},
	} {
		ms, ok := PX(now, c.expiry)
		if ms != c.ms || ok != c.ok {
			t.Errorf("%s: PX = %q, %v; want %q, %v", c.name, ms, ok, c.ms, c.ok)
		}
	}
}

func TestAPrefixOver512BytesIsRefused(t *testing.T) {
	if _, err := New("x", nil, nil, nil, []func(*Config){prefix(strings.Repeat("p", MaxPrefix+1))}); err == nil || !strings.HasPrefix(err.Error(), "x: WithPrefix: ") {
		t.Errorf("a 513-byte prefix: %v", err)
	}
}

func TestANilClockIsRefused(t *testing.T) {
	if _, err := New("x", nil, nil, nil, []func(*Config){func(c *Config) { c.Now = nil }}); err == nil || err.Error() != "x: WithClock(nil): pass a function, or leave the option out for time.Now" {
		t.Errorf("WithClock(nil): %v", err)
	}
}

func TestAnExpiryInThePastLeavesNoRecord(t *testing.T) {
	eachClient(t, testAnExpiryInThePastLeavesNoRecord)
}

func testAnExpiryInThePastLeavesNoRecord(t *testing.T, s *Store) {
	ctx := context.Background()
	past, future := time.Now().Add(-time.Second), time.Now().Add(time.Hour)

	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte("x"), past); err != nil {
		t.Fatalf("Create with a past expiry: %v", err)
	}
	if ok, err := s.Exists(ctx, k); ok || err != nil {
		t.Fatalf("Exists after a Create born expired = %v, %v", ok, err)
	}

	live := stores.NewKey()
	if err := s.Create(ctx, live, []byte("live"), future); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, live, []byte("x"), past); !errors.Is(err, stores.ErrExists) {
		t.Errorf("Create born expired on a taken key = %v, want ErrExists", err)
	}
	if got, err := s.Load(ctx, live); string(got) != "live" || err != nil {
		t.Errorf("the taken record became %q, %v", got, err)
	}
	if err := s.Update(ctx, live, []byte("y"), past); err != nil {
		t.Errorf("Update to a past expiry: %v", err)
	}
	if _, err := s.Load(ctx, live); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Load after Update to a past expiry = %v, want ErrNotFound", err)
	}
	if err := s.Update(ctx, live, []byte("y"), past); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Update to a past expiry of a missing record = %v, want ErrNotFound", err)
	}
	if err := s.Create(ctx, live, []byte("z"), future); err != nil {
		t.Fatal(err)
	}
	if err := s.Touch(ctx, live, past); err != nil {
		t.Errorf("Touch to a past expiry: %v", err)
	}
	if ok, _ := s.Exists(ctx, live); ok {
		t.Error("the record outlived Touch to a past expiry")
	}
	if err := s.Touch(ctx, live, past); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Touch to a past expiry of a missing record = %v, want ErrNotFound", err)
	}
}

func TestInvalidKeysAreRefused(t *testing.T) { eachClient(t, testInvalidKeysAreRefused) }

func testInvalidKeysAreRefused(t *testing.T, s *Store) {
	ctx := context.Background()
	for _, k := range []string{"", "short", "a*b?c[d]e", "UPPER12345", strings.Repeat("a", 41)} {
		if _, err := s.Load(ctx, k); !errors.Is(err, stores.ErrNotFound) || !errors.Is(err, stores.ErrInvalidKey) {
			t.Errorf("Load(%q) = %v", k, err)
		}
		if err := s.Create(ctx, k, nil, time.Now().Add(time.Hour)); !errors.Is(err, stores.ErrInvalidKey) {
			t.Errorf("Create(%q) = %v", k, err)
		}
		if err := s.Delete(ctx, k); !errors.Is(err, stores.ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v", k, err)
		}
	}
}

func TestSetWritesWhateverIsThere(t *testing.T) { eachClient(t, testSetWritesWhateverIsThere) }

func testSetWritesWhateverIsThere(t *testing.T, s *Store) {
	ctx := context.Background()
	k := stores.NewKey()
	for _, v := range []string{"new", "overwritten"} {
		if err := s.Set(ctx, k, []byte(v), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Load(ctx, k); string(got) != v || err != nil {
			t.Errorf("Load after Set(%q) = %q, %v", v, got, err)
		}
	}
	if err := s.Set(ctx, k, []byte("x"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, k); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Load after Set with a past expiry = %v, want ErrNotFound", err)
	}
}
