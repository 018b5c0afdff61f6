package ginsession_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/djangocache"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

const hashSecret = "a-secret-for-hashed-keys-of-32-bytes-or-more"

// TestARawStoreDumpWithHashedKeysLogsNobodyIn reads the session keys out of
// the backends themselves (the rows of the SQL table, the Redis keys, the
// file names) after saves, conditional saves, touches and key cycles with
// WithHashedKeys, and sends each back as a cookie: none finds a session,
// while the cookies the browsers hold still do.
func TestARawStoreDumpWithHashedKeysLogsNobodyIn(t *testing.T) {
	type dumper struct {
		name string
		open func(t *testing.T) (stores.Store, func() []string)
	}
	sqlDump := func(db func(testing.TB) *sqlx.DB) func(t *testing.T) (stores.Store, func() []string) {
		return func(t *testing.T) (stores.Store, func() []string) {
			d := db(t)
			st := everystore.SQL(t, d, "gs_hraw_")
			return st, func() (keys []string) {
				if err := d.Select(&keys, "SELECT session_key FROM "+st.Table()); err != nil {
					t.Fatal(err)
				}
				return keys
			}
		}
	}
	for _, d := range []dumper{
		{"mysql", sqlDump(testenv.MySQL)},
		{"postgres", sqlDump(testenv.Postgres)},
		{"redis", func(t *testing.T) (stores.Store, func() []string) {
			client := testenv.Redis(t)
			prefix := testenv.RedisPrefix(t, client, "gs_hraw_")
			st, err := redisstore.New(client, redisstore.WithPrefix(prefix))
			if err != nil {
				t.Fatal(err)
			}
			return st, func() (keys []string) {
				all, err := client.Keys(context.Background(), prefix+"*").Result()
				if err != nil {
					t.Fatal(err)
				}
				for _, k := range all {
					keys = append(keys, strings.TrimPrefix(k, prefix))
				}
				return keys
			}
		}},
		{"file", func(t *testing.T) (stores.Store, func() []string) {
			dir := t.TempDir()
			st, err := filestore.New(dir)
			if err != nil {
				t.Fatal(err)
			}
			return st, func() (keys []string) {
				files, err := os.ReadDir(dir)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range files {
					keys = append(keys, strings.TrimPrefix(f.Name(), filestore.DefaultPrefix))
				}
				return keys
			}
		}},
	} {
		t.Run(d.name, func(t *testing.T) {
			t.Parallel()
			store, dump := d.open(t)
			a := newApp(t, store, ginsession.WithHashedKeys(hashSecret),
				ginsession.WithSaveEveryRequest(true), ginsession.WithIdleTimeout(time.Hour)).standardRoutes()
			a.r.GET("/cycle", func(c *gin.Context) {
				s := ginsession.From(c)
				s.Set("cycled", "yes")
				if err := s.CycleKey(); err != nil {
					c.String(http.StatusInternalServerError, err.Error())
					return
				}
				c.String(http.StatusOK, "ok")
			})
			a.r.GET("/exists", func(c *gin.Context) {
				ok, err := ginsession.From(c).Exists(c.Query("key"))
				c.String(http.StatusOK, "%v %v", ok, err)
			})
			var cookies []string
			for range 3 {
				k := a.newSessionKey()
				a.get("/set?k=foo&v=bar", "sessionid="+k) // a conditional save
				a.get("/ignore", "sessionid="+k)          // a touch
				k = a.get("/cycle", "sessionid="+k).cookieValue("sessionid")
				cookies = append(cookies, k)
			}
			for _, k := range cookies {
				if got := a.get("/read", "sessionid="+k).body; got != "bar" {
					t.Fatalf("a browser's own cookie reads %q, want bar", got)
				}
				if got := a.get("/exists?key="+k, "").body; got != "true <nil>" {
					t.Fatalf("Exists(its key) = %s, want true", got)
				}
			}
			keys := dump()
			if len(keys) != len(cookies) {
				t.Fatalf("the dump holds %d keys, want %d", len(keys), len(cookies))
			}
			for _, k := range keys {
				if len(k) != stores.MaxKeyLength || strings.Contains(strings.Join(cookies, " "), k) {
					t.Fatalf("the dump holds %s, %d characters: not a hash of a cookie", stores.Redact(k), len(k))
				}
				if got := a.get("/read", "sessionid="+k).body; got != "<nil>" {
					t.Fatalf("a dumped key sent as a cookie reads %q, want nothing", got)
				}
				if got := a.get("/exists?key="+k, "").body; got != "false <nil>" {
					t.Fatalf("Exists(a dumped key) = %s, want false", got)
				}
			}
		})
	}
}

// TestHashedKeysRefusesDjangoLayouts: New panics with an error wrapping
// ErrSharedWithDjango for every store and codec set up to share records
// with Django, through stores.Wrap and cachedstore too, and accepts the
// same stores without the Django option.
func TestHashedKeysRefusesDjangoLayouts(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}) // never dialled
	djangoStore, err := djangocache.New(client)
	if err != nil {
		t.Fatal(err)
	}
	sqlite := func(opts ...sqlstore.Option) stores.Store {
		st, err := sqlstore.New(sqliteDB(t), opts...)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	mem, _ := memstore.New()
	djangoSQL := sqlite(sqlstore.WithDjangoCache(client, sqlstore.DjangoCache{}))
	djangoFiles, err := filestore.New(t.TempDir(), filestore.WithDjangoMtime(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cached, err := cachedstore.New(mem, djangoSQL)
	if err != nil {
		t.Fatal(err)
	}
	plainFiles, _ := filestore.New(t.TempDir())
	observe := func(ctx context.Context, _ stores.Call, next func(context.Context) error) error { return next(ctx) }
	for _, tc := range []struct {
		name   string
		store  stores.Store
		codec  ginsession.Codec
		refuse bool
		option string // the option the error names, tc.name when ""
	}{
		{"DjangoCodec", mem, ginsession.DjangoCodec(secretA), true, ""},
		{"djangocache.PickleCodec", mem, djangocache.PickleCodec{}, true, ""},
		{"djangocache.Zlib", mem, djangocache.Zlib(ginsession.JSONCodec{}), true, ""},
		{"djangocache", djangoStore, ginsession.JSONCodec{}, true, ""},
		{"sqlstore.WithDjangoCache", djangoSQL, ginsession.JSONCodec{}, true, ""},
		{"filestore.WithDjangoMtime", djangoFiles, ginsession.JSONCodec{}, true, ""},
		{"cachedstore", cached, ginsession.JSONCodec{}, true, "sqlstore.WithDjangoCache"},
		{"stores.Wrap", stores.Wrap(djangoSQL, observe), ginsession.JSONCodec{}, true, "sqlstore.WithDjangoCache"},
		{"plain sqlstore", sqlite(), ginsession.JSONCodec{}, false, ""},
		{"plain filestore", plainFiles, ginsession.JSONCodec{}, false, ""},
		{"wrapped memstore", stores.Wrap(mem, observe), ginsession.JSONCodec{}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				err, _ := r.(error)
				if got := errors.Is(err, ginsession.ErrSharedWithDjango); got != tc.refuse {
					t.Fatalf("New panicked with %v; want ErrSharedWithDjango: %v", r, tc.refuse)
				}
				if tc.refuse && !strings.Contains(err.Error(), cmp.Or(tc.option, tc.name)) {
					t.Errorf("the error %q does not name %s", err, cmp.Or(tc.option, tc.name))
				}
			}()
			ginsession.New(tc.store, ginsession.WithCodec(tc.codec), ginsession.WithHashedKeys(hashSecret))
		})
	}
}

// TestHashedKeysRefusesWhatCannotWork: a short secret and the cookie store
// (which keeps no keys) make New panic, naming the fix.
func TestHashedKeysRefusesWhatCannotWork(t *testing.T) {
	mem, _ := memstore.New()
	cs, _ := cookiestore.New()
	for _, tc := range []struct {
		name  string
		store stores.Store
		opts  []ginsession.Option
		want  string
	}{
		{"a short secret", mem, []ginsession.Option{ginsession.WithHashedKeys("short")}, "at least 32"},
		{"an empty secret", mem, []ginsession.Option{ginsession.WithHashedKeys("")}, "at least 32"},
		{"the cookie store", cs, []ginsession.Option{ginsession.WithSecretKey(secretA), ginsession.WithHashedKeys(hashSecret)}, "cookie store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), tc.want) {
					t.Fatalf("New panicked with %v, want a message with %q", r, tc.want)
				}
			}()
			ginsession.New(tc.store, tc.opts...)
		})
	}
}
