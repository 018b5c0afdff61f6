package bench

import (
	"testing"

	"github.com/alexedwards/scs/mysqlstore"
	"github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"
	"github.com/gin-contrib/sessions"
	gccookie "github.com/gin-contrib/sessions/cookie"
	gcmem "github.com/gin-contrib/sessions/memstore"
	gcredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
)

// secret signs cookies for every library (64 bytes, as gorilla recommends).
var secret = []byte("bench-secret-0123456789abcdef0123456789abcdef0123456789abcdef0123")

// gin-contrib/sessions, used as its README shows: the Sessions middleware,
// sessions.Default(c), and an explicit Save after a change.
const gincontribCookie = "mysession"

func gincontribAdapter(store sessions.Store) adapter {
	return adapter{
		middleware: sessions.Sessions(gincontribCookie, store),
		read: func(c *gin.Context) (string, bool) {
			v, ok := sessions.Default(c).Get(nameKey).(string)
			return v, ok
		},
		incr: func(c *gin.Context) (int, error) {
			s := sessions.Default(c)
			n, _ := s.Get(countKey).(int)
			n++
			s.Set(countKey, n)
			return n, s.Save()
		},
		setName: func(c *gin.Context) error {
			s := sessions.Default(c)
			s.Set(nameKey, nameValue)
			return s.Save()
		},
		get: func(c *gin.Context, key string) (string, bool) {
			v, ok := sessions.Default(c).Get(key).(string)
			return v, ok
		},
		edit: func(c *gin.Context, del []string, set []kv) error {
			s := sessions.Default(c)
			for _, k := range del {
				s.Delete(k)
			}
			for _, p := range set {
				s.Set(p.k, p.v)
			}
			return s.Save()
		},
	}
}

func gincontribMemory(tb testing.TB) *instance {
	return &instance{h: gincontribAdapter(gcmem.NewStore(secret)).engine(), cookieName: gincontribCookie}
}

// gincontribCookieStore signs (gorilla securecookie, HMAC-SHA256) without
// encrypting, like ginsession's and Django's cookie stores.
func gincontribCookieStore(tb testing.TB) *instance {
	return &instance{h: gincontribAdapter(gccookie.NewStore(secret)).engine(), cookieName: gincontribCookie}
}

func gincontribRedis(tb testing.TB) *instance {
	rt := new(rtCounter)
	prefix := "bench:gincontrib:" + runID + ":"
	store, err := gcredis.NewStoreWithPool(redigoPool(tb, rt, prefix), secret)
	if err != nil {
		tb.Fatalf("gin-contrib redis: %v", err)
	}
	if err := gcredis.SetKeyPrefix(store, prefix); err != nil {
		tb.Fatal(err)
	}
	// redistore refuses sessions over 4096 bytes by default; the growth
	// benchmarks store up to 1 MB, as the other stores allow.
	rs, err := gcredis.GetRedisStore(store)
	if err != nil {
		tb.Fatal(err)
	}
	rs.SetMaxLength(0)
	return &instance{h: gincontribAdapter(store).engine(), cookieName: gincontribCookie, rt: rt}
}

// scs has no gin middleware of its own; its README wraps the router in
// LoadAndSave, and a gin.Engine is an http.Handler, so that is what a scs
// user with gin writes. LoadAndSave loads the session of every request that
// carries a cookie, used or not, and commits it when modified.
const scsCookie = "session"

func scsAdapter(sm *scs.SessionManager) adapter {
	return adapter{
		wrap: sm.LoadAndSave,
		read: func(c *gin.Context) (string, bool) {
			v, ok := sm.Get(c.Request.Context(), nameKey).(string)
			return v, ok
		},
		incr: func(c *gin.Context) (int, error) {
			ctx := c.Request.Context()
			n := sm.GetInt(ctx, countKey) + 1
			sm.Put(ctx, countKey, n)
			return n, nil
		},
		setName: func(c *gin.Context) error {
			sm.Put(c.Request.Context(), nameKey, nameValue)
			return nil
		},
		get: func(c *gin.Context, key string) (string, bool) {
			v, ok := sm.Get(c.Request.Context(), key).(string)
			return v, ok
		},
		edit: func(c *gin.Context, del []string, set []kv) error {
			ctx := c.Request.Context()
			for _, k := range del {
				sm.Remove(ctx, k)
			}
			for _, p := range set {
				sm.Put(ctx, p.k, p.v)
			}
			return nil
		},
	}
}

func scsInstance(store scs.Store, rt *rtCounter) *instance {
	sm := scs.New()
	sm.Store = store
	return &instance{h: scsAdapter(sm).engine(), cookieName: scsCookie, rt: rt}
}

func scsMemory(tb testing.TB) *instance {
	store := scsmem.New()
	tb.Cleanup(store.StopCleanup)
	return scsInstance(store, nil)
}

func scsRedis(tb testing.TB) *instance {
	rt := new(rtCounter)
	prefix := "bench:scs:" + runID + ":"
	return scsInstance(redisstore.NewWithPrefix(redigoPool(tb, rt, prefix), prefix), rt)
}

// scsMySQL uses scs's own schema in a database of its own (scs fixes the
// table name) and no cleanup goroutine, so nothing but requests reaches the
// server while a benchmark runs.
func scsMySQL(tb testing.TB) *instance {
	mysqlExec(tb,
		"CREATE DATABASE IF NOT EXISTS "+scsDB,
		"DROP TABLE IF EXISTS "+scsDB+".sessions",
		"CREATE TABLE "+scsDB+".sessions (token CHAR(43) PRIMARY KEY, data BLOB NOT NULL, expiry TIMESTAMP(6) NOT NULL)",
		"CREATE INDEX sessions_expiry_idx ON "+scsDB+".sessions (expiry)",
	)
	tb.Cleanup(func() { mysqlExec(tb, "DROP DATABASE IF EXISTS "+scsDB) })
	rt := new(rtCounter)
	db := openMySQL(tb, rt, scsDB)
	return scsInstance(mysqlstore.NewWithCleanupInterval(db, 0), rt)
}
