package bench

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// The per-user index (ginsession.WithUserIndex) on a read of a logged-in
// session, without and with the index, in the same run: the index writes a
// session's activity at most once per interval (five minutes by default),
// so a read should cost what it costs without it.

// benchUser is the user the indexed scenario logs in.
type benchUser struct{}

func (benchUser) SessionAuthID() string { return "42" }
func (benchUser) PasswordHash() string  { return "pbkdf2_sha256$1$salt$hash" }

// indexedInstance serves /login (auth.Login) and /read (the user id) on
// store, with the index on or off.
func indexedInstance(store stores.Store, rt *rtCounter, index bool) *instance {
	opts := []ginsession.Option{ginsession.WithSecretKey(string(secret))}
	if index {
		opts = append(opts, ginsession.WithUserIndex(ginsession.UserIndex{}))
	}
	r := gin.New()
	r.Use(ginsession.New(store, opts...))
	r.GET("/login", func(c *gin.Context) {
		if err := auth.Login(c, benchUser{}, ""); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.GET("/read", func(c *gin.Context) {
		id, ok := auth.UserID(c)
		if !ok {
			c.String(http.StatusInternalServerError, "not logged in")
			return
		}
		c.String(http.StatusOK, id)
	})
	return &instance{h: r, cookieName: ginsessionCookie, rt: rt}
}

// benchIndexedRead logs a client in, then times reads of its session.
func benchIndexedRead(b *testing.B, in *instance) {
	login := newClient(in, "/login", "")
	login.do()
	login.check(b, "ok")
	key, ok := login.setCookieValue()
	if !ok {
		b.Fatal("no session cookie after login")
	}
	cl := newClient(in, "/read", key)
	cl.do()
	cl.check(b, "42")
	timeSteps(b, in, okStep(cl))
}

// benchIndexedLogin times logins of new clients (a CycleKey and a save,
// and with the index its entry).
func benchIndexedLogin(b *testing.B, in *instance) {
	cl := newClient(in, "/login", "")
	cl.do()
	cl.check(b, "ok")
	timeSteps(b, in, okStep(cl))
}

func BenchmarkIndexRead(b *testing.B)  { benchIndex(b, benchIndexedRead) }
func BenchmarkIndexLogin(b *testing.B) { benchIndex(b, benchIndexedLogin) }

func benchIndex(b *testing.B, run func(*testing.B, *instance)) {
	for _, st := range []struct {
		name string
		open func(b *testing.B, rt *rtCounter) stores.Store
	}{
		{"Redis", func(b *testing.B, rt *rtCounter) stores.Store {
			prefix := "bench:index:" + runID + ":"
			store, err := redisstore.New(goRedis(b, rt, prefix), redisstore.WithPrefix(prefix))
			if err != nil {
				b.Fatal(err)
			}
			return store
		}},
		{"MySQL", func(b *testing.B, rt *rtCounter) stores.Store {
			db := sqlx.NewDb(openMySQL(b, rt, mysqlDB), "mysql")
			table, index := tableName("ginsession"), tableName("ginsession_index")
			store := newSQLStore(b, db, sqlstore.WithTable(table), sqlstore.WithIndexTable(index))
			b.Cleanup(func() {
				store.Close()
				mysqlExec(b, "DROP TABLE IF EXISTS "+mysqlDB+"."+table, "DROP TABLE IF EXISTS "+mysqlDB+"."+index)
			})
			return store
		}},
	} {
		b.Run(st.name, func(b *testing.B) {
			for _, index := range []bool{false, true} {
				name := "index-off"
				if index {
					name = "index-on"
				}
				b.Run(name, func(b *testing.B) {
					rt := new(rtCounter)
					run(b, indexedInstance(st.open(b, rt), rt, index))
				})
			}
		})
	}
}
