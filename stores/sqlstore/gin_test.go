package sqlstore_test

import (
	"context"
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/gintest"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// TestRoundTripsPerRequest serves requests through a real gin.Engine and
// counts what each costs the database.
func TestRoundTripsPerRequest(t *testing.T) {
	rt := new(testenv.RoundTrips)
	cfg := testenv.MySQLConfig(t)
	cfg.DialFunc = rt.DialContext
	db := testenv.OpenMySQL(t, cfg)
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
		db.Exec("DROP TABLE IF EXISTS `" + s.Table() + "`")
	})
	got := gintest.RoundTripsPerRequest(t, s, rt)
	gintest.Expect(t, got, map[string]int64{
		gintest.Untouched: 0, gintest.Read: 1, gintest.Write: 2, gintest.New: 1,
	})
}
