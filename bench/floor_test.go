package bench

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// floorValue is a session record of the size the scenarios store.
var floorValue = []byte(`{"name":"gopher"}`)

// The floor: what no session library can beat. Each store's benchmark runs
// the bare gin handler and, for Redis and MySQL, one raw go-redis GET or
// one raw SELECT by primary key, beside its contenders: once with
// context.Background() (raw-GET, raw-SELECT) and once with a cancellable
// context like a request's (raw-GET-reqctx, raw-SELECT-reqctx); the memory
// store's runs, before its new sessions, the least work that starts one
// (raw-new, newSessionFloor).

func benchBare(b *testing.B) {
	cl := newClient(&instance{h: bareEngine()}, "/untouched", "")
	cl.do()
	cl.check(b, "ok")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		cl.do()
		if cl.w.code != http.StatusOK {
			b.Fatalf("status %d", cl.w.code)
		}
	}
}

func benchRedisFloor(b *testing.B, reqCtx bool) {
	get := redisFloor(b, reqCtx)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		get(b)
	}
}

func benchMySQLFloor(b *testing.B, reqCtx bool) {
	get := mysqlFloor(b, reqCtx)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		get(b)
	}
}

// floorContext is context.Background(), the cheapest a client can be given,
// or, with reqCtx, a cancellable context like a request's, which is what any
// store call made under the request's context gets.
func floorContext(tb testing.TB, reqCtx bool) context.Context {
	if reqCtx {
		return requestContext(tb)
	}
	return context.Background()
}

// redisFloor returns one checked go-redis GET of a stored record.
func redisFloor(tb testing.TB, reqCtx bool) func(tb testing.TB) {
	rt := new(rtCounter)
	prefix := "bench:floor:" + runID + ":"
	c := goRedis(tb, rt, prefix)
	ctx := floorContext(tb, reqCtx)
	key := prefix + "0123456789abcdef0123456789abcdef"
	if err := c.Set(ctx, key, floorValue, time.Hour).Err(); err != nil {
		tb.Fatal(err)
	}
	get := func(tb testing.TB) {
		v, err := c.Get(ctx, key).Bytes()
		if err != nil || !bytes.Equal(v, floorValue) {
			tb.Fatalf("GET: %q, %v", v, err)
		}
	}
	get(tb)
	if b, ok := tb.(*testing.B); ok {
		rt.reset()
		b.Cleanup(func() { rt.report(b) })
	}
	return get
}

// mysqlFloor returns one checked SELECT by primary key of a stored record.
func mysqlFloor(tb testing.TB, reqCtx bool) func(tb testing.TB) {
	table := tableName("floor")
	mysqlExec(tb,
		"CREATE TABLE test."+table+" (k VARCHAR(40) PRIMARY KEY, v LONGBLOB NOT NULL, e DATETIME(6) NOT NULL)",
		"INSERT INTO test."+table+" VALUES ('0123456789abcdef0123456789abcdef', '"+string(floorValue)+"', NOW() + INTERVAL 1 DAY)",
	)
	tb.Cleanup(func() { mysqlExec(tb, "DROP TABLE IF EXISTS test."+table) })
	rt := new(rtCounter)
	db := openMySQL(tb, rt, mysqlDB)
	ctx := floorContext(tb, reqCtx)
	q := "SELECT v FROM " + table + " WHERE k = ?"
	var v []byte
	get := func(tb testing.TB) {
		v = v[:0]
		err := db.QueryRowContext(ctx, q, "0123456789abcdef0123456789abcdef").Scan(&v)
		if err != nil || !bytes.Equal(v, floorValue) {
			tb.Fatalf("SELECT: %q, %v", v, err)
		}
	}
	get(tb)
	if b, ok := tb.(*testing.B); ok {
		rt.reset()
		b.Cleanup(func() { rt.report(b) })
	}
	return get
}

// newSessionFloor is the least any library can do to start a session on the
// memory store, written by hand for this store and this scenario alone:
// gin's c.Set of a per-request value, a key from crypto/rand
// (stores.NewKey), the record {"name":"gopher"} in one memstore.Create, and
// a Set-Cookie line with fixed attributes (Max-Age, no Expires to format).
// No lazy loading, no codec, no commit before the headers, no Vary: Cookie.
// Its "new" row (Memory/raw-new) is what a library's new session costs at
// the very least, so the best ratio any library could reach against a peer
// is the peer's time over this one.
func newSessionFloor(tb testing.TB) *instance {
	st := mustNew(memstore.New())
	const ctxKey, attrs = "floor-session", "; Path=/; Max-Age=1209600; HttpOnly; SameSite=Lax"
	type session struct{ key string }
	a := adapter{
		middleware: func(c *gin.Context) {
			c.Set(ctxKey, &session{})
			c.Next()
		},
		setName: func(c *gin.Context) error {
			s := c.MustGet(ctxKey).(*session)
			s.key = stores.NewKey()
			if err := st.Create(c.Request.Context(), s.key, floorValue, time.Now().Add(14*24*time.Hour)); err != nil {
				return err
			}
			c.Writer.Header()["Set-Cookie"] = []string{"sessionid=" + s.key + attrs}
			return nil
		},
		read: func(c *gin.Context) (string, bool) {
			key, err := c.Cookie("sessionid")
			if err != nil {
				return "", false
			}
			data, err := st.Load(c.Request.Context(), key)
			if err != nil || !bytes.Equal(data, floorValue) {
				return "", false
			}
			return nameValue, true
		},
	}
	return &instance{h: a.engine(), cookieName: "sessionid"}
}

func benchMemoryNewFloor(b *testing.B) {
	for _, sc := range scenarios {
		if sc.name == "new" {
			runScenario(b, newSessionFloor(b), sc)
		}
	}
}
