package auth_test

import (
	"context"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// TestEndingThousandsOfSessionsTakesFewStatements: "sign out everywhere
// else" for a user with 2,000 sessions on MySQL, PostgreSQL and SQLite
// answers 200 with the count, under the default store timeout, in a few
// tens of round trips (one statement per 100 sessions, not one per
// session and per entry), and every other session is ended. (Under -race,
// SQLite, whose driver is C translated to Go, has 500.)
func TestEndingThousandsOfSessionsTakesFewStatements(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T, rt *testenv.RoundTrips) *sqlx.DB
	}{
		{"mysql", func(t *testing.T, rt *testenv.RoundTrips) *sqlx.DB {
			cfg := testenv.MySQLConfig(t)
			cfg.DialFunc = rt.DialContext
			return testenv.OpenMySQL(t, cfg)
		}},
		{"postgres", func(t *testing.T, rt *testenv.RoundTrips) *sqlx.DB {
			conn := testenv.PostgresConnector(t)
			conn.Dialer(rt)
			return testenv.OpenDB(t, "PostgreSQL", conn, "postgres")
		}},
		{"sqlite", func(t *testing.T, _ *testenv.RoundTrips) *sqlx.DB {
			return testenv.OpenSQLite(t, sqlstore.SQLiteDSN(filepath.Join(t.TempDir(), "db.sqlite3")))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := 2000
			if raceOn && tc.name == "sqlite" {
				n = 500
			}
			rt := new(testenv.RoundTrips)
			store := everystore.IndexedSQL(t, tc.open(t, rt), "gs_many_")
			keys := make([]string, n)
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < n; i += 8 {
						keys[i] = stores.NewKey()
						now := time.Now()
						ctx := context.Background()
						if err := store.Create(ctx, keys[i], []byte(`{"_auth_user_id":"alice"}`), now.Add(time.Hour)); err != nil {
							t.Error(err)
							return
						}
						if err := store.IndexAdd(ctx, "alice", stores.IndexEntry{Key: keys[i], Created: now, LastActive: now}); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if t.Failed() {
				t.FailNow()
			}
			site := newDevSite(t, store)
			a := site.browser("this one")
			a.login("alice")
			before, start := rt.Count(), time.Now()
			if got := a.must("POST", "/end-others", nil); got != strconv.Itoa(n) {
				t.Fatalf("ending the other sessions answered %s, want %d", got, n)
			}
			t.Logf("ending %d sessions took %v, %d round trips", n, time.Since(start), rt.Count()-before)
			if turns := rt.Count() - before; turns > int64(2*n/100+20) {
				t.Errorf("ending %d sessions took %d round trips, want a few per 100 sessions", n, turns)
			}
			if d := a.devices(); len(d) != 1 || !d[0].Current {
				t.Fatalf("after ending the others the user has %d devices", len(d))
			}
			for i := 0; i < n; i += 97 {
				if ok, err := store.Exists(context.Background(), keys[i]); ok || err != nil {
					t.Fatalf("session %d of %d lives on after it was ended (%v)", i, n, err)
				}
			}
		})
	}
}
