package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/storetest"
)

// newIndexedStore is newStore with the per-user index on, in a table of
// its own that is dropped too.
func newIndexedStore(t testing.TB, db *sqlx.DB, opts ...Option) *Store {
	t.Helper()
	index := testenv.Name("gs_idx_")
	s := newStore(t, db, append([]Option{WithIndexTable(index)}, opts...)...)
	t.Cleanup(func() {
		q := "DROP TABLE IF EXISTS `" + index + "`"
		if s.Dialect() != MySQL {
			q = `DROP TABLE IF EXISTS "` + index + `"`
		}
		if _, err := db.Exec(q); err != nil {
			t.Errorf("drop %s: %v", index, err)
		}
	})
	return s
}

func TestIndexConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T) *sqlx.DB
		opts []Option
	}{
		{"mysql", func(t *testing.T) *sqlx.DB { return testenv.MySQL(t) }, nil},
		{"mysql_unprepared", func(t *testing.T) *sqlx.DB {
			cfg := testenv.MySQLConfig(t)
			cfg.InterpolateParams = true
			return testenv.OpenMySQL(t, cfg)
		}, []Option{WithoutPreparedStatements()}},
		{"postgres", func(t *testing.T) *sqlx.DB { return testenv.Postgres(t) }, nil},
		{"sqlite", func(t *testing.T) *sqlx.DB { return sqliteDB(t) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := tc.open(t)
			storetest.Index(t, func(t *testing.T) stores.Store { return newIndexedStore(t, db, tc.opts...) })
		})
	}
}

func TestIndexIsOffWithoutItsTable(t *testing.T) {
	s := newStore(t, sqliteDB(t))
	if err := s.CheckIndex(); !errors.Is(err, stores.ErrNoIndex) || !strings.Contains(err.Error(), "WithIndexTable") {
		t.Fatalf("CheckIndex without WithIndexTable = %v, want ErrNoIndex naming the option", err)
	}
	if _, err := s.IndexList(context.Background(), "42"); !errors.Is(err, stores.ErrNoIndex) {
		t.Fatalf("IndexList = %v, want ErrNoIndex", err)
	}
	// ClearExpired does not touch an index table that does not exist.
	if err := s.ClearExpired(context.Background()); err != nil {
		t.Fatalf("ClearExpired: %v", err)
	}
	if _, err := New(s.db, WithIndexTable("bad name")); err == nil {
		t.Fatal("WithIndexTable accepted a name with a space")
	}
}

// TestClearExpiredPurgesIndexInBatches proves ClearExpired removes the
// entries of expired and deleted rows, batch after batch, and keeps the
// live one.
func TestClearExpiredPurgesIndexInBatches(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *sqlx.DB{
		"mysql": testenv.MySQL, "postgres": testenv.Postgres, "sqlite": sqliteDB,
	} {
		t.Run(name, func(t *testing.T) {
			s := newIndexedStore(t, open(t), WithPurgeBatch(2))
			ctx := context.Background()
			live := stores.NewKey()
			if err := s.Create(ctx, live, []byte("x"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			keys := []string{live}
			for i := 0; i < 5; i++ {
				k := stores.NewKey()
				if err := s.Create(ctx, k, []byte("x"), time.Now().Add(-time.Minute)); err != nil {
					t.Fatal(err)
				}
				keys = append(keys, k)
			}
			for _, k := range keys {
				if err := s.IndexAdd(ctx, "7", stores.IndexEntry{Key: k, Created: time.Now(), LastActive: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.ClearExpired(ctx); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := s.db.Get(&n, "SELECT COUNT(*) FROM "+quoteName(s.Dialect(), s.IndexTable())); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Fatalf("after ClearExpired the index table holds %d rows, want 1 (the live session's)", n)
			}
		})
	}
}

func quoteName(d Dialect, name string) string {
	if d == MySQL {
		return "`" + name + "`"
	}
	return `"` + name + `"`
}

// TestRebuildIndex writes rows the way a Django site sharing the table
// does (DjangoCodec, Django's signed format) and the way the middleware
// does (JSONCodec), with string and integer user ids, and checks the
// rebuild indexes exactly the logged-in live ones, once.
func TestRebuildIndex(t *testing.T) {
	const secret = "django-insecure-0123456789abcdefghijklmnopqrstuvwxyz"
	for _, tc := range []struct {
		name  string
		codec ginsession.Codec
	}{
		{"django", ginsession.DjangoCodec(secret)},
		{"json", ginsession.JSONCodec{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for dname, open := range map[string]func(testing.TB) *sqlx.DB{
				"mysql": testenv.MySQL, "postgres": testenv.Postgres, "sqlite": sqliteDB,
			} {
				t.Run(dname, func(t *testing.T) {
					s := newIndexedStore(t, open(t), WithPurgeBatch(2))
					ctx := context.Background()
					put := func(values map[string]any, expiry time.Time) string {
						t.Helper()
						var keys []string
						for k := range values {
							keys = append(keys, k)
						}
						data, err := tc.codec.Encode(keys, values)
						if err != nil {
							t.Fatal(err)
						}
						k := stores.NewKey()
						if err := s.Create(ctx, k, data, expiry); err != nil {
							t.Fatal(err)
						}
						return k
					}
					later := time.Now().Add(time.Hour)
					alice1 := put(map[string]any{"_auth_user_id": "alice", "_auth_user_backend": "b.Backend", "cart": 3}, later)
					alice2 := put(map[string]any{"_auth_user_id": "alice"}, later)
					bob := put(map[string]any{"_auth_user_id": int64(42)}, later)
					put(map[string]any{"cart": 1}, later)                                     // anonymous
					put(map[string]any{"_auth_user_id": "carol"}, time.Now().Add(-time.Hour)) // expired
					k := stores.NewKey()
					if err := s.Create(ctx, k, []byte("not a session"), later); err != nil {
						t.Fatal(err)
					}
					added, skipped, err := s.RebuildIndex(ctx, tc.codec)
					if err != nil {
						t.Fatal(err)
					}
					if added != 3 || skipped != 2 {
						t.Fatalf("RebuildIndex = %d added, %d skipped; want 3, 2 (the anonymous and the corrupt row)", added, skipped)
					}
					if again, _, err := s.RebuildIndex(ctx, tc.codec); err != nil || again != 0 {
						t.Fatalf("a second RebuildIndex added %d (%v), want 0", again, err)
					}
					for user, want := range map[string][]string{"alice": {alice1, alice2}, "42": {bob}, "carol": nil} {
						l, err := s.IndexList(ctx, user)
						if err != nil {
							t.Fatal(err)
						}
						if len(l) != len(want) {
							t.Fatalf("user %s has %d entries, want %d", user, len(l), len(want))
						}
						for _, e := range l {
							if e.Key == alice1 && e.Backend != "b.Backend" {
								t.Errorf("the rebuilt entry's backend is %q, want b.Backend", e.Backend)
							}
						}
					}
				})
			}
		})
	}
}
