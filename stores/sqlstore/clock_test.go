package sqlstore

import (
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/storetest"
)

// Every query compares expire_date with the clock's time, never the
// server's: on each database a record lives and dies as WithClock says.
func TestExpiryFollowsWithClock(t *testing.T) {
	for _, db := range []struct {
		name string
		open func(t *testing.T) *sqlx.DB
	}{
		{"mysql", func(t *testing.T) *sqlx.DB { return testenv.MySQL(t) }},
		{"postgres", func(t *testing.T) *sqlx.DB { return testenv.Postgres(t) }},
		{"sqlite", func(t *testing.T) *sqlx.DB { return sqliteDB(t) }},
	} {
		t.Run(db.name, func(t *testing.T) {
			t.Parallel()
			conn := db.open(t)
			storetest.RunClock(t, func(t *testing.T, now func() time.Time) stores.Store {
				return newStore(t, conn, WithClock(now))
			})
		})
	}
}

func TestWithClockNilIsAnErrorNamingTheFix(t *testing.T) {
	if _, err := New(sqliteDB(t), WithClock(nil)); err == nil || err.Error() != "sqlstore: WithClock(nil): pass a function, or leave the option out for time.Now" {
		t.Fatalf("New(WithClock(nil)) = %v", err)
	}
}
