package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
)

// loginFlow runs the flows every store must support: the counter kept
// through login, a password change that ends the other browser's session,
// and logout. It returns the server, for more checks.
func loginFlow(t *testing.T, cfg config) *server {
	t.Helper()
	srv := startApp(t, cfg)
	here, there := newBrowser(t, srv), newBrowser(t, srv)
	here.get("/")
	here.login("alice", "wonderland", true)
	there.login("alice", "wonderland", true)
	if got := find(visitsRe, here.get("/").body); got != "2" {
		t.Errorf("the counter is %q after login, want 2", got)
	}
	p := here.post("/password", url.Values{"current_password": {"wonderland"}, "new_password": {"looking-glass"}, "confirm_password": {"looking-glass"}})
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("password change: %d", p.StatusCode)
	}
	if here.loggedInAs() != "1" || there.loggedInAs() != "" {
		t.Error("the password change did not keep this browser and end the other")
	}
	here.post("/logout", url.Values{})
	if here.loggedInAs() != "" {
		t.Error("logout did not end the session")
	}
	return srv
}

// mysqlDatabase makes a database of the test's own on the test server,
// dropped at the end: Django's table name is fixed and the server is shared
// with other packages' tests. It returns a pool on the server, the
// database's name and a DSN for it.
func mysqlDatabase(t *testing.T) (*sqlx.DB, string, string) {
	t.Helper()
	db := testenv.MySQL(t) // skips, or fails under CI, without a server
	name := testenv.Name("ginsession_example_")
	if _, err := db.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP DATABASE " + name); err != nil {
			t.Error(err)
		}
	})
	mc := testenv.MySQLConfig(t)
	mc.DBName = name
	return db, name, mc.FormatDSN()
}

func TestTheLoginFlowWorksOnMySQL(t *testing.T) {
	db, name, dsn := mysqlDatabase(t)
	cfg := testConfig(t, "mysql")
	cfg.MySQLDSN = dsn
	loginFlowLeavesOneRowPerSession(t, cfg, db, name+".django_session")
}

// loginFlowLeavesOneRowPerSession runs loginFlow on cfg, whose sessions
// are rows of table in db: none are left after the flow's logout and
// password change, and one more login makes one row. It returns the server.
func loginFlowLeavesOneRowPerSession(t *testing.T, cfg config, db *sqlx.DB, table string) *server {
	t.Helper()
	srv := loginFlow(t, cfg)
	count := func() (n int) {
		if err := db.Get(&n, "SELECT COUNT(*) FROM "+table); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Errorf("%d rows left after both sessions ended, want 0", n)
	}
	newBrowser(t, srv).login("bob", "builder", true)
	if n := count(); n != 1 {
		t.Errorf("%d rows after one login, want 1", n)
	}
	return srv
}

func TestAnUnreachableMySQLIsAClearStartupError(t *testing.T) {
	cfg := testConfig(t, "mysql")
	cfg.MySQLDSN = "root@tcp(127.0.0.1:1)/nothing"
	if _, err := newServer(cfg); err == nil {
		t.Fatal("newServer succeeded without a database")
	}
}

// -store redis is go-redis v9 (stores/redis9store), -store redis-v8 the
// older client (stores/redisstore).
func TestTheLoginFlowWorksOnRedis(t *testing.T) {
	testenv.Redis(t) // skips, or fails under CI, without a server
	for _, store := range []string{"redis", "redis-v8"} {
		t.Run(store, func(t *testing.T) {
			cfg := testConfig(t, store)
			cfg.RedisAddr = testenv.RedisAddr()
			loginFlow(t, cfg)
		})
	}
}

func TestAnUnreachableRedisIsAClearStartupError(t *testing.T) {
	cfg := testConfig(t, "redis")
	cfg.RedisAddr = "127.0.0.1:1"
	if _, err := newServer(cfg); err == nil || !strings.Contains(err.Error(), "-redis-addr") {
		t.Fatalf("newServer without Redis: %v", err)
	}
}

func TestTheLoginFlowWorksOnRedisInFrontOfMySQL(t *testing.T) {
	testenv.Redis(t)
	db, name, dsn := mysqlDatabase(t)
	cfg := testConfig(t, "cached")
	cfg.MySQLDSN = dsn
	cfg.RedisAddr = testenv.RedisAddr()
	srv := loginFlow(t, cfg)
	newBrowser(t, srv).login("bob", "builder", true)
	var rows int
	if err := db.Get(&rows, "SELECT COUNT(*) FROM "+name+".django_session"); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("%d rows in django_session after one login, want 1 (the database holds the truth)", rows)
	}
}

func TestStoreRedisIsGoRedisV9AndRedisV8IsTheOlderStore(t *testing.T) {
	testenv.Redis(t)
	for store, want := range map[string]string{"redis": "*redis9store.Store", "redis-v8": "*redisstore.Store"} {
		cfg := testConfig(t, store)
		cfg.RedisAddr = testenv.RedisAddr()
		st, cs, err := openStore(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprintf("%T", st); got != want {
			t.Errorf("-store %s opened a %s, want %s", store, got, want)
		}
		cs.close()
	}
}
