package sqlstore_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/gintest"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// TestRoundTripsPerRequest serves requests through a real gin.Engine and
// counts what each costs the database.
func TestRoundTripsPerRequest(t *testing.T) {
	for _, tc := range []struct {
		name  string
		open  func(*testing.T, *testenv.RoundTrips) *sqlx.DB
		quote func(string) string
	}{
		{"mysql", func(t *testing.T, rt *testenv.RoundTrips) *sqlx.DB {
			cfg := testenv.MySQLConfig(t)
			cfg.DialFunc = rt.DialContext
			return testenv.OpenMySQL(t, cfg)
		}, func(s string) string { return "`" + s + "`" }},
		{"postgres", func(t *testing.T, rt *testenv.RoundTrips) *sqlx.DB {
			c := testenv.PostgresConnector(t)
			c.Dialer(rt)
			return testenv.OpenDB(t, "PostgreSQL", c, "postgres")
		}, func(s string) string { return `"` + s + `"` }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := new(testenv.RoundTrips)
			db := tc.open(t, rt)
			db.SetMaxOpenConns(1)
			s, err := sqlstore.New(db, sqlstore.WithTable(testenv.Name("gs_test_")))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CreateTable(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				s.Close()
				if _, err := db.Exec("DROP TABLE IF EXISTS " + tc.quote(s.Table())); err != nil {
					t.Error(err)
				}
			})
			got := gintest.RoundTripsPerRequest(t, s, rt)
			gintest.Expect(t, got, map[string]int64{
				gintest.Untouched: 0, gintest.Read: 1, gintest.Write: 2, gintest.New: 1,
			})
			// SaveEveryRequest, unchanged session: SELECT, then UPDATE of
			// expire_date alone (Touch).
			if n := gintest.RoundTripsUnchangedSaveEveryRequest(t, s, rt); n != 2 {
				t.Errorf("an unchanged request under SaveEveryRequest took %d round trips, want 2 (load, touch)", n)
			}
		})
	}
}
