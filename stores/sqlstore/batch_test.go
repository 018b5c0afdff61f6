package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// TestDeleteManyAndIndexRemoveSpanBatches: DeleteMany and IndexRemove
// delete exactly the keys given, across a full batch, a partial one and a
// key given twice or never stored, and leave the rest.
func TestDeleteManyAndIndexRemoveSpanBatches(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *sqlx.DB{
		"mysql":    func(t testing.TB) *sqlx.DB { return testenv.MySQL(t) },
		"postgres": func(t testing.TB) *sqlx.DB { return testenv.Postgres(t) },
		"sqlite":   func(t testing.TB) *sqlx.DB { return sqliteDB(t) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, ctx := newIndexedStore(t, open(t)), context.Background()
			keys := make([]string, 2*batchKeys+30)
			for i := range keys {
				keys[i] = stores.NewKey()
				if err := s.Create(ctx, keys[i], []byte("x"), time.Now().Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
				if err := s.IndexAdd(ctx, "u", stores.IndexEntry{Key: keys[i], Created: time.Now(), LastActive: time.Now()}); err != nil {
					t.Fatal(err)
				}
			}
			gone := append(keys[:batchKeys+1:batchKeys+1], keys[0], stores.NewKey())
			if err := s.DeleteMany(ctx, gone...); err != nil {
				t.Fatalf("DeleteMany: %v", err)
			}
			if err := s.IndexRemove(ctx, "u", keys[batchKeys+1:2*batchKeys+2]...); err != nil {
				t.Fatalf("IndexRemove: %v", err)
			}
			for i, k := range keys {
				if ok, err := s.Exists(ctx, k); err != nil || ok != (i > batchKeys) {
					t.Fatalf("record %d exists = %v, %v; want %v", i, ok, err, i > batchKeys)
				}
			}
			if l, err := s.IndexList(ctx, "u"); err != nil || len(l) != len(keys)-2*batchKeys-2 {
				t.Fatalf("IndexList lists %d entries (%v), want %d", len(l), err, len(keys)-2*batchKeys-2)
			}
			if err := s.DeleteMany(ctx, keys[0], "NOT-a-key"); err == nil {
				t.Fatal("DeleteMany accepted an invalid key")
			}
		})
	}
}
