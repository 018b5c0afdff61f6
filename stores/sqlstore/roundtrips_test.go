package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// TestRoundTripsPerOperation counts request/response turns on the wire (see
// testenv.RoundTrips for the definition) once the single pooled connection
// is warm and the statements are prepared: each operation must cost one.
func TestRoundTripsPerOperation(t *testing.T) {
	setups := []struct {
		name string
		open func(t *testing.T, rt *testenv.RoundTrips) *sqlx.DB
		opts []Option
		// identicalUpdate is what an Update that changes nothing costs:
		// MySQL reports zero changed rows and the store must look again.
		identicalUpdate int64
	}{
		{"mysql/prepared", func(t *testing.T, rt *testenv.RoundTrips) *sqlx.DB {
			cfg := testenv.MySQLConfig(t)
			cfg.DialFunc = rt.DialContext
			return testenv.OpenMySQL(t, cfg)
		}, nil, 2},
		{"mysql/interpolateParams", func(t *testing.T, rt *testenv.RoundTrips) *sqlx.DB {
			cfg := testenv.MySQLConfig(t)
			cfg.DialFunc = rt.DialContext
			cfg.InterpolateParams = true
			return testenv.OpenMySQL(t, cfg)
		}, []Option{WithoutPreparedStatements()}, 2},
		{"postgres/prepared", func(t *testing.T, rt *testenv.RoundTrips) *sqlx.DB {
			c := testenv.PostgresConnector(t)
			c.Dialer(rt)
			return testenv.OpenDB(t, "PostgreSQL", c, "postgres")
		}, nil, 1},
	}
	for _, su := range setups {
		t.Run(su.name, func(t *testing.T) {
			rt := new(testenv.RoundTrips)
			db := su.open(t, rt)
			db.SetMaxOpenConns(1) // one warm connection: no handshake mid-count
			s := newStore(t, db, su.opts...)
			ctx := context.Background()
			exp := time.Now().Add(time.Hour)
			k, k2 := stores.NewKey(), stores.NewKey()

			// Warm up: prepare every statement on the connection.
			must(t, s.Create(ctx, k2, []byte("w"), exp))
			_, err := s.Load(ctx, k2)
			must(t, err)
			must(t, s.Update(ctx, k2, []byte("w2"), exp))
			must(t, s.Touch(ctx, k2, exp.Add(time.Second)))
			_, err = s.Exists(ctx, k2)
			must(t, err)
			_, err = s.CompareAndSwap(ctx, k2, []byte("w2"), []byte("w3"), exp)
			must(t, err)
			_, err = s.CompareAndDelete(ctx, k2, []byte("w3"))
			must(t, err)
			must(t, s.Delete(ctx, k2))

			steps := []struct {
				name string
				want int64
				do   func() error
			}{
				{"Create", 1, func() error { return s.Create(ctx, k, []byte(`{"a":1}`), exp) }},
				{"Load", 1, func() error { _, err := s.Load(ctx, k); return err }},
				{"Load of an unknown key", 1, func() error {
					if _, err := s.Load(ctx, stores.NewKey()); err != stores.ErrNotFound {
						return err
					}
					return nil
				}},
				{"Update", 1, func() error { return s.Update(ctx, k, []byte(`{"a":2}`), exp) }},
				{"Update with identical data and expiry", su.identicalUpdate, func() error { return s.Update(ctx, k, []byte(`{"a":2}`), exp) }},
				{"Touch", 1, func() error { return s.Touch(ctx, k, exp.Add(time.Minute)) }},
				{"Exists", 1, func() error { _, err := s.Exists(ctx, k); return err }},
				{"CompareAndSwap", 1, func() error {
					_, err := s.CompareAndSwap(ctx, k, []byte(`{"a":2}`), []byte(`{"a":3}`), exp)
					return err
				}},
				{"CompareAndSwap with identical data and expiry", su.identicalUpdate, func() error {
					_, err := s.CompareAndSwap(ctx, k, []byte(`{"a":3}`), []byte(`{"a":3}`), exp)
					return err
				}},
				// A conflict costs the SELECT that fetches the current data.
				{"CompareAndSwap that conflicts", 2, func() error {
					return wantConflict(s.CompareAndSwap(ctx, k, []byte(`{"a":2}`), []byte(`{"a":4}`), exp))
				}},
				{"CompareAndDelete that conflicts", 2, func() error {
					return wantConflict(s.CompareAndDelete(ctx, k, []byte(`{"a":2}`)))
				}},
				{"CompareAndDelete", 1, func() error {
					_, err := s.CompareAndDelete(ctx, k, []byte(`{"a":3}`))
					return err
				}},
				{"Create again", 1, func() error { return s.Create(ctx, k, []byte(`{"a":1}`), exp) }},
				{"Delete", 1, func() error { return s.Delete(ctx, k) }},
			}
			for _, st := range steps {
				before := rt.Count()
				if err := st.do(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				got := rt.Count() - before
				t.Logf("%-40s %d round trip(s)", st.name, got)
				if got != st.want {
					t.Errorf("%s took %d round trips, want %d", st.name, got, st.want)
				}
			}
		})
	}
}

// wantConflict returns nil for a conflict that hands back {"a":3}.
func wantConflict(cur []byte, err error) error {
	if !errors.Is(err, stores.ErrConflict) || string(cur) != `{"a":3}` {
		return fmt.Errorf("got %q, %v; want {\"a\":3} and ErrConflict", cur, err)
	}
	return nil
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The counter is not blind: a parameterised query that is neither prepared
// in advance nor interpolated costs go-sql-driver a prepare and an execute,
// which is why the store prepares its statements.
func TestRoundTripsSeeAnUnpreparedQuery(t *testing.T) {
	rt := new(testenv.RoundTrips)
	cfg := testenv.MySQLConfig(t)
	cfg.DialFunc = rt.DialContext
	db := testenv.OpenMySQL(t, cfg)
	db.SetMaxOpenConns(1)
	s := newStore(t, db, WithoutPreparedStatements())
	ctx := context.Background()
	_, _ = s.Load(ctx, stores.NewKey())
	before := rt.Count()
	if _, err := s.Load(ctx, stores.NewKey()); err != stores.ErrNotFound {
		t.Fatal(err)
	}
	if got := rt.Count() - before; got != 2 {
		t.Errorf("an unprepared, uninterpolated Load took %d round trips, want 2 (prepare, execute)", got)
	}
}

// DeleteExpired really works in batches: 20 expired rows with a batch of 7
// take three short DELETEs (7, 7, 6), not one long one.
func TestDeleteExpiredIssuesOneStatementPerBatch(t *testing.T) {
	rt := new(testenv.RoundTrips)
	cfg := testenv.MySQLConfig(t)
	cfg.DialFunc = rt.DialContext
	db := testenv.OpenMySQL(t, cfg)
	db.SetMaxOpenConns(1)
	s := newStore(t, db, WithPurgeBatch(7))
	ctx := context.Background()
	if _, err := s.DeleteExpired(ctx); err != nil { // prepares the statement
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		must(t, s.Create(ctx, stores.NewKey(), []byte("x"), time.Now().Add(-time.Minute)))
	}
	before := rt.Count()
	n, err := s.DeleteExpired(ctx)
	if err != nil || n != 20 {
		t.Fatalf("DeleteExpired = %d, %v; want 20", n, err)
	}
	if got := rt.Count() - before; got != 3 {
		t.Errorf("purging 20 rows in batches of 7 took %d statements, want 3", got)
	}
}
