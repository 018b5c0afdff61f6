package cachedstore_test

import (
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

func TestIndexConformanceOnTheDatabase(t *testing.T) {
	t.Parallel()
	db := testenv.MySQL(t)
	storetest.Run(t, func(t *testing.T) stores.Store {
		st, err := cachedstore.New(everystore.Redis(t, "gs_cidx_"), everystore.IndexedSQL(t, db, "gs_cidx_"))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func TestIndexIsOffWhenTheDatabaseHasNone(t *testing.T) {
	st, err := cachedstore.New(everystore.Redis(t, "gs_cidx_"), everystore.SQL(t, testenv.MySQL(t), "gs_cidx_"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CheckIndex(); err == nil {
		t.Fatal("CheckIndex = nil for a database store without an index table")
	}
}
