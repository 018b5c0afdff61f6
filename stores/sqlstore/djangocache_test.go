package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	redis8 "github.com/go-redis/redis/v8"
	redis9 "github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// djangoEntry plants a cached_db entry of key where Django would keep it
// with KEY_PREFIX prefix and VERSION 1, and reports whether it is still there.
type djangoEntry struct {
	t      *testing.T
	rdb    *redis9.Client
	prefix string
}

func (e djangoEntry) key(session string) string {
	return e.prefix + ":1:django.contrib.sessions.cached_db" + session
}

func (e djangoEntry) plant(session string) {
	e.t.Helper()
	if err := e.rdb.Set(context.Background(), e.key(session), "a pickle Django cached", time.Minute).Err(); err != nil {
		e.t.Fatal(err)
	}
}

func (e djangoEntry) there(session string) bool {
	e.t.Helper()
	n, err := e.rdb.Exists(context.Background(), e.key(session)).Result()
	if err != nil {
		e.t.Fatal(err)
	}
	return n == 1
}

func newDjangoEntries(t *testing.T) djangoEntry {
	rdb := testenv.Redis9(t)
	return djangoEntry{t: t, rdb: rdb, prefix: strings.TrimSuffix(testenv.Redis9Prefix(t, rdb, "djhash_sql_"), ":")}
}

func TestEveryWriteDeletesDjangosCachedDBEntry(t *testing.T) {
	t.Parallel()
	e := newDjangoEntries(t)
	s := newStore(t, testenv.MySQL(t), WithDjangoCache(e.rdb, DjangoCache{KeyPrefix: e.prefix}))
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	for _, tc := range []struct {
		name  string
		write func(key string) error
	}{
		{"Create", func(k string) error { return s.Create(ctx, k, []byte("new"), exp) }},
		{"Update", func(k string) error { return s.Update(ctx, k, []byte("changed"), exp) }},
		{"Update to the same data", func(k string) error { return s.Update(ctx, k, []byte("v"), exp) }},
		{"Touch", func(k string) error { return s.Touch(ctx, k, exp.Add(time.Minute)) }},
		{"Delete", func(k string) error { return s.Delete(ctx, k) }},
		{"Delete of a row already gone", func(k string) error {
			if err := s.Delete(ctx, k); err != nil {
				return err
			}
			e.plant(k)
			return s.Delete(ctx, k)
		}},
		{"CompareAndSwap", func(k string) error {
			_, err := s.CompareAndSwap(ctx, k, []byte("v"), []byte("swapped"), exp)
			return err
		}},
		{"CompareAndDelete", func(k string) error { _, err := s.CompareAndDelete(ctx, k, []byte("v")); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := stores.NewKey()
			if tc.name != "Create" {
				if err := s.Create(ctx, k, []byte("v"), exp); err != nil {
					t.Fatal(err)
				}
			}
			e.plant(k)
			other := stores.NewKey()
			e.plant(other)
			if err := tc.write(k); err != nil {
				t.Fatal(err)
			}
			if e.there(k) {
				t.Errorf("Django's cached_db entry of the session survived %s", tc.name)
			}
			if !e.there(other) {
				t.Errorf("%s deleted another session's entry", tc.name)
			}
		})
	}
}

func TestWritesThatChangeNothingLeaveDjangosCacheAlone(t *testing.T) {
	t.Parallel()
	e := newDjangoEntries(t)
	s := newStore(t, testenv.MySQL(t), WithDjangoCache(e.rdb, DjangoCache{KeyPrefix: e.prefix}))
	ctx := context.Background()
	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte("v"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	e.plant(k)
	if _, err := s.CompareAndSwap(ctx, k, []byte("not v"), []byte("x"), time.Now().Add(time.Hour)); !errors.Is(err, stores.ErrConflict) {
		t.Fatalf("CompareAndSwap against other data = %v, want ErrConflict", err)
	}
	if err := s.Create(ctx, k, []byte("x"), time.Now().Add(time.Hour)); !errors.Is(err, stores.ErrExists) {
		t.Fatalf("Create of a taken key = %v, want ErrExists", err)
	}
	if !e.there(k) {
		t.Error("a write refused before it changed the row deleted Django's entry")
	}
}

func TestDjangosVersionAndKeyFunctionNameTheEntry(t *testing.T) {
	t.Parallel()
	e := newDjangoEntries(t)
	db := testenv.MySQL(t)
	ctx := context.Background()
	k := stores.NewKey()
	for _, tc := range []struct {
		name  string
		cache DjangoCache
		key   string
	}{
		{"VERSION 3", DjangoCache{KeyPrefix: e.prefix, Version: 3}, e.prefix + ":3:django.contrib.sessions.cached_db" + k},
		{"a KEY_FUNCTION", DjangoCache{KeyPrefix: e.prefix, KeyFunc: func(key, prefix string, version int) string {
			return prefix + ":custom:" + strings.Repeat("v", version) + ":" + key
		}}, e.prefix + ":custom:v:django.contrib.sessions.cached_db" + k},
	} {
		s := newStore(t, db, WithDjangoCache(e.rdb, tc.cache))
		if err := e.rdb.Set(ctx, tc.key, "x", time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
		if n, _ := e.rdb.Exists(ctx, tc.key).Result(); n != 0 {
			t.Errorf("%s: %q survived a Delete", tc.name, tc.key)
		}
	}
}

func TestGoRedisV8ClientsWorkToo(t *testing.T) {
	t.Parallel()
	e := newDjangoEntries(t)
	s := newStore(t, testenv.MySQL(t), WithDjangoCache(testenv.Redis(t), DjangoCache{KeyPrefix: e.prefix}))
	k := stores.NewKey()
	e.plant(k)
	if err := s.Delete(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	if e.there(k) {
		t.Error("the entry survived a Delete through a go-redis v8 client")
	}
	var _ Option = WithDjangoCache(redis8.NewClusterClient(&redis8.ClusterOptions{}), DjangoCache{}) // and its other clients
	var _ Option = WithDjangoCache(redis9.UniversalClient(redis9.NewRing(&redis9.RingOptions{})), DjangoCache{})
}

func TestAFailedCacheDeleteFailsTheWriteLoudly(t *testing.T) {
	t.Parallel()
	down := redis9.NewClient(testenv.Redis9Options())
	down.Close() // every command now fails
	s := newStore(t, testenv.MySQL(t), WithDjangoCache(down, DjangoCache{}))
	ctx := context.Background()
	k := stores.NewKey()
	err := s.Create(ctx, k, []byte("v"), time.Now().Add(time.Hour))
	if !errors.Is(err, ErrDjangoCache) {
		t.Fatalf("Create with Django's cache unreachable = %v, want ErrDjangoCache", err)
	}
	if strings.Contains(err.Error(), k) {
		t.Errorf("the error %q names the whole key", err)
	}
	// The row was written: the error says the cache may be stale, not that
	// nothing happened.
	if data, err := s.Load(ctx, k); err != nil || string(data) != "v" {
		t.Errorf("Load after the failed delete = %q, %v", data, err)
	}
	for name, err := range map[string]error{
		"Update": s.Update(ctx, k, []byte("w"), time.Now().Add(time.Hour)),
		"Touch":  s.Touch(ctx, k, time.Now().Add(2*time.Hour)),
		"Delete": s.Delete(ctx, k),
	} {
		if !errors.Is(err, ErrDjangoCache) {
			t.Errorf("%s = %v, want ErrDjangoCache", name, err)
		}
	}
}

func TestWithDjangoCacheRefusesANilClient(t *testing.T) {
	db := testenv.OpenSQLite(t, SQLiteDSN(t.TempDir()+"/db.sqlite3"))
	var none *redis9.Client
	var untyped redis9.UniversalClient
	if _, err := New(db, WithDjangoCache(untyped, DjangoCache{})); err == nil {
		t.Error("New accepted WithDjangoCache of a nil interface")
	}
	if _, err := New(db, WithDjangoCache(none, DjangoCache{})); err == nil {
		t.Error("New accepted WithDjangoCache of a nil *redis.Client")
	}
}

func TestEndingAUsersSessionsDeletesTheirDjangoEntries(t *testing.T) {
	t.Parallel()
	e := newDjangoEntries(t)
	s := newIndexedStore(t, testenv.MySQL(t), WithDjangoCache(e.rdb, DjangoCache{KeyPrefix: e.prefix}))
	ctx := context.Background()
	now := time.Now()
	var keys []string
	for range 2 {
		k := stores.NewKey()
		if err := s.Create(ctx, k, []byte("v"), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.IndexAdd(ctx, "42", stores.IndexEntry{Key: k, Created: now, LastActive: now, Expiry: now.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		e.plant(k)
		keys = append(keys, k)
	}
	if n, err := auth.EndUserSessions(ctx, s, "42"); n != 2 || err != nil {
		t.Fatalf("EndUserSessions = %d, %v; want 2, nil", n, err)
	}
	for _, k := range keys {
		if e.there(k) {
			t.Errorf("Django's entry of an ended session %s survived", stores.Redact(k))
		}
	}
}

// Goroutines write one session at once while "Django" keeps caching it
// (the store shares its Redis client and settings between calls, under
// -race): every write succeeds, and the entry is gone after the last one.
func TestConcurrentWritesLeaveNoDjangoEntryBehind(t *testing.T) {
	t.Parallel()
	e := newDjangoEntries(t)
	s := newStore(t, testenv.MySQL(t), WithDjangoCache(e.rdb, DjangoCache{KeyPrefix: e.prefix}))
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	for round := range 20 {
		k := stores.NewKey()
		if err := s.Create(ctx, k, []byte("0"), exp); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		planted := make(chan struct{})
		go func() { // Django caching the session again and again
			defer close(planted)
			for {
				select {
				case <-done:
					return
				default:
					e.rdb.Set(ctx, e.key(k), "a pickle Django cached", time.Minute) // an error shows below
				}
			}
		}()
		errs := make(chan error, 4)
		for w := range 4 {
			go func() {
				var err error
				if w%2 == 0 {
					err = s.Update(ctx, k, []byte{byte('a' + w)}, exp)
				} else {
					err = s.Touch(ctx, k, exp.Add(time.Duration(w)*time.Minute))
				}
				errs <- err
			}()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		close(done)
		<-planted
		if err := s.Delete(ctx, k); err != nil { // the last write, after Django's last caching
			t.Fatal(err)
		}
		if e.there(k) {
			t.Fatalf("round %d: Django's entry survived the last write", round)
		}
	}
}
