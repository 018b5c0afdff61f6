package sqlstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// wantSwapConflict checks a CompareAndSwap that must find the record
// changed and leave it as it is.
func wantSwapConflict(t *testing.T, s *Store, key, stored, old string) {
	t.Helper()
	ctx := context.Background()
	cur, err := s.CompareAndSwap(ctx, key, []byte(old), []byte("new"), time.Now().Add(time.Hour))
	if !errors.Is(err, stores.ErrConflict) || string(cur) != stored {
		t.Errorf("CompareAndSwap(%q) of %q = %q, %v; want %q and ErrConflict", old, stored, cur, err, stored)
	}
	if cur, err := s.CompareAndDelete(ctx, key, []byte(old)); !errors.Is(err, stores.ErrConflict) || string(cur) != stored {
		t.Errorf("CompareAndDelete(%q) of %q = %q, %v; want %q and ErrConflict", old, stored, cur, err, stored)
	}
	if got, err := s.Load(ctx, key); string(got) != stored || err != nil {
		t.Errorf("Load = %q, %v; want %q unchanged", got, err, stored)
	}
}

// Django's session_data on MySQL is longtext in the table's collation
// (utf8mb4_general_ci by default), for which 'X' = 'x' and 'x' = 'x ': a
// plain = in the swap would take a stale record for the one loaded.
func TestMySQLSwapComparesBytesNotTheColumnsCollation(t *testing.T) {
	db := testenv.MySQL(t)
	s := newStore(t, db)
	ctx := context.Background()
	for _, tc := range []struct{ stored, old string }{
		{`{"a":"X"}`, `{"a":"x"}`},
		{`{"a":"x"}`, `{"a":"x"} `},
		{`{"a":"x"}  `, `{"a":"x"}`},
	} {
		k := stores.NewKey()
		if err := s.Create(ctx, k, []byte(tc.stored), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		// The test means something only while the collation is lax.
		var n int
		q := "SELECT COUNT(*) FROM `" + s.Table() + "` WHERE session_key = ? AND session_data = ?"
		if err := db.QueryRow(q, k, tc.old).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("the column's collation tells %q from %q: this test needs a case-insensitive, pad-space one", tc.stored, tc.old)
		}
		wantSwapConflict(t, s, k, tc.stored, tc.old)
	}
}

// A column declared COLLATE NOCASE (by hand; Django does not) must not make
// the swap case-blind on SQLite either.
func TestSQLiteSwapComparesBytesOnANOCASEColumn(t *testing.T) {
	db := sqliteDB(t)
	s, err := New(db, WithTable("nocase_session"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := db.Exec(`CREATE TABLE "nocase_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, ` +
		`"session_data" text COLLATE NOCASE NOT NULL, "expire_date" datetime NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	k := stores.NewKey()
	if err := s.Create(context.Background(), k, []byte(`{"a":"X"}`), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	wantSwapConflict(t, s, k, `{"a":"X"}`, `{"a":"x"}`)
}

// A row another program wrote with non-ASCII text verbatim loads as that
// text, which the store itself would have stored escaped: a swap from what
// Load returned must still match it (not conflict for ever).
func TestSwapOfARowHoldingNonASCIITextVerbatim(t *testing.T) {
	for name, open := range dbs {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, open(t))
			ctx := context.Background()
			for _, swap := range []bool{true, false} {
				k := stores.NewKey()
				q := "INSERT INTO `" + s.Table() + "` VALUES (?, ?, ?)"
				switch s.Dialect() {
				case Postgres:
					q = `INSERT INTO "` + s.Table() + `" VALUES ($1, $2, $3)`
				case SQLite:
					q = `INSERT INTO "` + s.Table() + `" VALUES (?, ?, ?)`
				}
				if _, err := s.db.Exec(q, k, "café", s.timeArg(time.Now().Add(time.Hour))); err != nil {
					t.Fatal(err)
				}
				old, err := s.Load(ctx, k)
				if err != nil || string(old) != "café" {
					t.Fatalf("Load = %q, %v", old, err)
				}
				if swap {
					if cur, err := s.CompareAndSwap(ctx, k, old, []byte("thé"), time.Now().Add(time.Hour)); err != nil {
						t.Fatalf("CompareAndSwap from the loaded data = %q, %v; want nil", cur, err)
					}
					if got, err := s.Load(ctx, k); string(got) != "thé" || err != nil {
						t.Fatalf("Load after the swap = %q, %v", got, err)
					}
					continue
				}
				if cur, err := s.CompareAndDelete(ctx, k, old); err != nil {
					t.Fatalf("CompareAndDelete of the loaded data = %q, %v; want nil", cur, err)
				}
				if _, err := s.Load(ctx, k); !errors.Is(err, stores.ErrNotFound) {
					t.Fatalf("Load after CompareAndDelete = %v", err)
				}
			}
		})
	}
}
