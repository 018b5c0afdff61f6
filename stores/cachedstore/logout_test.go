package cachedstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redis9store"
)

// A pairing is a cache over a database, built fresh for each test.
type pairing struct {
	name string
	// slow pairings (PostgreSQL commits each Update to disk: 40 s for
	// one race test) run the deterministic tests only.
	slow bool
	make func(t *testing.T, opts ...Option) (s *Store, cache, db stores.Store)
}

// pairings are the cache-over-database combinations every logout test runs
// on: Redis (go-redis v8, and v9 over MariaDB) over SQL (both dialects)
// and memory over files.
func pairings() []pairing {
	return []pairing{
		{"redis over MariaDB", false, func(t *testing.T, opts ...Option) (*Store, stores.Store, stores.Store) {
			db, cache := newDB(t, testenv.MySQL(t)), newCache(t, testenv.Redis(t))
			return newStore(t, cache, db, opts...), cache, db
		}},
		{"redis over PostgreSQL", true, func(t *testing.T, opts ...Option) (*Store, stores.Store, stores.Store) {
			db, cache := newDB(t, testenv.Postgres(t)), newCache(t, testenv.Redis(t))
			return newStore(t, cache, db, opts...), cache, db
		}},
		{"redis v9 over MariaDB", false, func(t *testing.T, opts ...Option) (*Store, stores.Store, stores.Store) {
			client := testenv.Redis9(t)
			cache, err := redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, "gs_test9_")))
			if err != nil {
				t.Fatal(err)
			}
			db := newDB(t, testenv.MySQL(t))
			return newStore(t, cache, db, opts...), cache, db
		}},
		{"memory over file", false, func(t *testing.T, opts ...Option) (*Store, stores.Store, stores.Store) {
			db, err := filestore.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			cache := testenv.Must(memstore.New())
			return newStore(t, cache, db, opts...), cache, db
		}},
	}
}

// pauseAt makes the store's next op on key stop between its database step
// and its cache step: reached is closed when it gets there, and it goes on
// when release is called.
func pauseAt(s *Store, op, key string) (reached <-chan struct{}, release func()) {
	r, g := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.afterDB = func(o, k string) {
		if o == op && k == key {
			once.Do(func() {
				close(r)
				<-g
			})
		}
	}
	return r, func() { close(g) }
}

// wantLoggedOut fails the test unless key is gone for good: now, while a
// tombstone may answer, and after any tombstone has expired, when the cache
// and the database answer by themselves.
func wantLoggedOut(t *testing.T, s *Store, cache, db stores.Store, key string, tombstoneTTL time.Duration) {
	t.Helper()
	ctx := context.Background()
	if got, err := s.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Load after the logout = %q, %v; want ErrNotFound: the logout was undone", got, err)
	}
	time.Sleep(tombstoneTTL + tombstoneTTL/2)
	if got, err := cache.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("the cache still holds %q, %v after the tombstone's life", got, err)
	}
	if got, err := db.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("the database still holds %q, %v", got, err)
	}
	if got, err := s.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Load after the tombstone's life = %q, %v; want ErrNotFound", got, err)
	}
}

// TestALogoutBetweenTheDatabaseAndTheCacheStepIsNotUndone lands a Delete
// exactly between another call's database step and its cache step, where it
// used to be undone: the late cache write put the dead session back.
func TestALogoutBetweenTheDatabaseAndTheCacheStepIsNotUndone(t *testing.T) {
	const ttl = 400 * time.Millisecond
	ctx := context.Background()
	exp := func() time.Time { return time.Now().Add(time.Hour) }
	for _, p := range pairings() {
		t.Run(p.name, func(t *testing.T) {
			for _, tc := range []struct {
				op   string
				seed func(s *Store, db stores.Store, k string) error
				call func(s *Store, k string) error
			}{
				{"update", func(s *Store, _ stores.Store, k string) error { return s.Create(ctx, k, []byte("v1"), exp()) },
					func(s *Store, k string) error { return s.Update(ctx, k, []byte("v2"), exp()) }},
				// The record is in the database only, so Load misses the
				// cache, reads the database and refills.
				{"refill", func(_ *Store, db stores.Store, k string) error { return db.Create(ctx, k, []byte("v1"), exp()) },
					func(s *Store, k string) error { _, err := s.Load(ctx, k); return err }},
				{"touch", func(s *Store, _ stores.Store, k string) error { return s.Create(ctx, k, []byte("v1"), exp()) },
					func(s *Store, k string) error { return s.Touch(ctx, k, exp()) }},
			} {
				t.Run(tc.op, func(t *testing.T) {
					s, cache, db := p.make(t, WithTombstoneTTL(ttl))
					k := stores.NewKey()
					if err := tc.seed(s, db, k); err != nil {
						t.Fatal(err)
					}
					reached, release := pauseAt(s, tc.op, k)
					done := make(chan error, 1)
					go func() { done <- tc.call(s, k) }()
					<-reached
					if err := s.Delete(ctx, k); err != nil {
						t.Fatalf("Delete: %v", err)
					}
					release()
					// The paused call's database step came before the
					// logout, so it may well have succeeded.
					if err := <-done; err != nil && !errors.Is(err, stores.ErrNotFound) {
						t.Fatalf("the paused %s: %v", tc.op, err)
					}
					wantLoggedOut(t, s, cache, db, k, ttl)
				})
			}
		})
	}
}

// resurrectedRounds runs rounds of writers racing one logout with no
// injected delay and returns how many rounds ended with the session still
// loadable. round serves one round on a fresh session and reports whether
// the old session is still alive afterwards.
func resurrectedRounds(t *testing.T, rounds int, round func(i int) bool) int {
	t.Helper()
	n := 0
	for i := range rounds {
		if round(i) {
			n++
		}
	}
	t.Logf("%d of %d rounds brought the logged-out session back", n, rounds)
	return n
}

const (
	raceRounds  = 40
	raceWriters = 16
)

// TestConcurrentLogoutsAreNeverUndone races 16 writers (Load, then Update,
// a few times) against one Delete, 40 rounds per pairing; every other round
// starts with the cache empty, so the writers' Loads refill it.
func TestConcurrentLogoutsAreNeverUndone(t *testing.T) {
	ctx := context.Background()
	for _, p := range pairings() {
		t.Run(p.name, func(t *testing.T) {
			if p.slow {
				t.Skip("slow pairing: covered by the deterministic test")
			}
			s, cache, _ := p.make(t)
			bad := resurrectedRounds(t, raceRounds, func(i int) bool {
				k := stores.NewKey()
				if err := s.Create(ctx, k, []byte("v0"), time.Now().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
				if i%2 == 1 {
					if err := cache.Delete(ctx, k); err != nil {
						t.Fatal(err)
					}
				}
				var wg sync.WaitGroup
				start := make(chan struct{})
				wrote := make(chan struct{}, raceWriters*4)
				for w := range raceWriters {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						for j := range 4 {
							if _, err := s.Load(ctx, k); err != nil {
								return
							}
							if err := s.Update(ctx, k, fmt.Appendf(nil, "w%d-%d", w, j), time.Now().Add(time.Hour)); err != nil {
								return
							}
							wrote <- struct{}{}
						}
					}()
				}
				close(start)
				<-wrote // log out while the writers are busy
				if err := s.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
				wg.Wait()
				_, err := s.Load(ctx, k)
				return err == nil
			})
			if bad > 0 {
				t.Errorf("a logout was undone in %d of %d rounds", bad, raceRounds)
			}
		})
	}
}

// TestConcurrentLogoutsThroughGinAreNeverUndone is the race above as a site
// sees it: 16 clients re-save a logged-in session through a gin.Engine
// while one logs out, and afterwards the old cookie must be logged out.
func TestConcurrentLogoutsThroughGinAreNeverUndone(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, p := range pairings() {
		t.Run(p.name, func(t *testing.T) {
			if p.slow {
				t.Skip("slow pairing: covered by the deterministic test")
			}
			s, _, _ := p.make(t)
			r := gin.New()
			r.Use(ginsession.New(s))
			r.GET("/login", func(c *gin.Context) {
				ginsession.From(c).Set("user", "alice")
				c.String(http.StatusOK, "ok")
			})
			r.GET("/write", func(c *gin.Context) {
				sess := ginsession.From(c)
				n, _ := ginsession.Get[int](sess, "n")
				sess.Set("n", n+1)
				c.String(http.StatusOK, "%d", n+1)
			})
			r.GET("/logout", func(c *gin.Context) {
				if err := ginsession.From(c).Flush(); err != nil {
					c.String(http.StatusInternalServerError, "%v", err)
					return
				}
				c.String(http.StatusOK, "bye")
			})
			r.GET("/whoami", func(c *gin.Context) {
				user, _ := ginsession.Get[string](ginsession.From(c), "user")
				c.String(http.StatusOK, "%s", user)
			})
			serve := func(path, cookie string) *httptest.ResponseRecorder {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				w := httptest.NewRecorder()
				r.ServeHTTP(w, req)
				return w
			}
			bad := resurrectedRounds(t, raceRounds, func(int) bool {
				w := serve("/login", "")
				var cookie string
				for _, c := range w.Result().Cookies() {
					if c.Name == "sessionid" {
						cookie = c.Name + "=" + c.Value
					}
				}
				if cookie == "" {
					t.Fatalf("login set no cookie: %d %s", w.Code, w.Body)
				}
				var wg sync.WaitGroup
				start := make(chan struct{})
				wrote := make(chan struct{}, raceWriters*4)
				for range raceWriters {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						for range 4 {
							if serve("/write", cookie).Code == http.StatusOK {
								wrote <- struct{}{}
							}
						}
					}()
				}
				close(start)
				<-wrote
				if w := serve("/logout", cookie); w.Code != http.StatusOK {
					t.Fatalf("logout: %d %s", w.Code, w.Body)
				}
				wg.Wait()
				return strings.TrimSpace(serve("/whoami", cookie).Body.String()) != ""
			})
			if bad > 0 {
				t.Errorf("the old cookie was logged in again after %d of %d logouts", bad, raceRounds)
			}
		})
	}
}

// TestATombstoneAnswersWithoutTheDatabase puts a deleted record back into
// the database behind the store's back: Load and Exists still say "not
// found", so they took the tombstone's word and did not ask.
func TestATombstoneAnswersWithoutTheDatabase(t *testing.T) {
	ctx := context.Background()
	for _, p := range pairings() {
		t.Run(p.name, func(t *testing.T) {
			s, _, db := p.make(t)
			k := stores.NewKey()
			if err := s.Create(ctx, k, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if err := db.Create(ctx, k, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Load(ctx, k); !errors.Is(err, stores.ErrNotFound) {
				t.Errorf("Load = %q, %v; want ErrNotFound from the tombstone", got, err)
			}
			if ok, err := s.Exists(ctx, k); ok || err != nil {
				t.Errorf("Exists = %v, %v; want false from the tombstone", ok, err)
			}
		})
	}
}

// TestCreatingATombstonedKeyIsRefusedAndLeavesNothing: only a replayed
// deleted key gets there, and it must get ErrExists (the caller takes a new
// key), never a record the cache would hide.
func TestCreatingATombstonedKeyIsRefusedAndLeavesNothing(t *testing.T) {
	const ttl = 400 * time.Millisecond
	ctx := context.Background()
	for _, p := range pairings() {
		t.Run(p.name, func(t *testing.T) {
			s, _, db := p.make(t, WithTombstoneTTL(ttl))
			k := stores.NewKey()
			exp := time.Now().Add(time.Hour)
			if err := s.Create(ctx, k, []byte("v1"), exp); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, k); err != nil {
				t.Fatal(err)
			}
			if err := s.Create(ctx, k, []byte("v2"), exp); !errors.Is(err, stores.ErrExists) {
				t.Fatalf("Create of a just-deleted key = %v, want ErrExists", err)
			}
			if got, err := db.Load(ctx, k); !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("the refused Create left %q, %v in the database", got, err)
			}
			time.Sleep(ttl + ttl/2)
			if err := s.Create(ctx, k, []byte("v3"), exp); err != nil {
				t.Fatalf("Create after the tombstone's life: %v", err)
			}
			if got, err := s.Load(ctx, k); string(got) != "v3" || err != nil {
				t.Fatalf("Load = %q, %v; want v3", got, err)
			}
		})
	}
}

// TestTheTombstoneMarkerIsRefusedAsData: data equal to the marker would be
// read back as "deleted", so saving it fails loudly instead.
func TestTheTombstoneMarkerIsRefusedAsData(t *testing.T) {
	ctx := context.Background()
	s, _, db := pairings()[2].make(t)
	k := stores.NewKey()
	if err := s.Create(ctx, k, tombstone, time.Now().Add(time.Hour)); err == nil || errors.Is(err, stores.ErrExists) {
		t.Fatalf("Create of the marker = %v, want a plain error", err)
	}
	if ok, _ := db.Exists(ctx, k); ok {
		t.Fatal("the refused Create reached the database")
	}
	if err := s.Create(ctx, k, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, k, tombstone, time.Now().Add(time.Hour)); err == nil || errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Update to the marker = %v, want a plain error", err)
	}
	if got, err := s.Load(ctx, k); string(got) != "v1" || err != nil {
		t.Fatalf("Load = %q, %v; want v1 unchanged", got, err)
	}
}

// TestALateCacheStepIsNotSent: a cache step that would come more than half
// a tombstone's life after its call began is not made (an Update's old
// cached copy is dropped instead), so it cannot outlive a tombstone.
func TestALateCacheStepIsNotSent(t *testing.T) {
	const ttl = 200 * time.Millisecond
	ctx := context.Background()
	for _, p := range pairings() {
		t.Run(p.name, func(t *testing.T) {
			s, cache, _ := p.make(t, WithTombstoneTTL(ttl), WithLogger(slog.New(slog.NewTextHandler(new(logBuffer), nil))))
			k := stores.NewKey()
			exp := time.Now().Add(time.Hour)
			if err := s.Create(ctx, k, []byte("v1"), exp); err != nil {
				t.Fatal(err)
			}
			s.afterDB = func(string, string) { time.Sleep(ttl) }
			if err := s.Update(ctx, k, []byte("v2"), exp); err != nil {
				t.Fatal(err)
			}
			if got, err := cache.Load(ctx, k); !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("cache after a late Update = %q, %v; want the stale copy dropped", got, err)
			}
			s.afterDB = nil
			if got, err := s.Load(ctx, k); string(got) != "v2" || err != nil {
				t.Fatalf("Load = %q, %v; want v2 from the database", got, err)
			}
		})
	}
}
