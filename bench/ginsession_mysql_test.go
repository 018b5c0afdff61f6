package bench

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/stores/sqlstore"
)

func init() { addGinsession(&mysqlContenders, ginsessionMySQL) }

// ginsessionMySQL uses sqlstore as its doc says: Django's django_session
// schema (under a table name of this run) and its default prepared
// statements.
func ginsessionMySQL(tb testing.TB) *instance {
	rt := new(rtCounter)
	db := sqlx.NewDb(openMySQL(tb, rt, mysqlDB), "mysql")
	table := tableName("ginsession")
	store := newSQLStore(tb, db, sqlstore.WithTable(table))
	tb.Cleanup(func() {
		store.Close()
		mysqlExec(tb, "DROP TABLE IF EXISTS "+mysqlDB+"."+table)
	})
	return ginsessionInstance(store, rt)
}

// newSQLStore is sqlstore on db with its table created.
func newSQLStore(tb testing.TB, db *sqlx.DB, opts ...sqlstore.Option) *sqlstore.Store {
	store, err := sqlstore.New(db, opts...)
	if err != nil {
		tb.Fatalf("sqlstore: %v", err)
	}
	if err := store.CreateTable(context.Background()); err != nil {
		tb.Fatalf("sqlstore: %v", err)
	}
	return store
}
