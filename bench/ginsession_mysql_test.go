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
	store, err := sqlstore.New(db, sqlstore.WithTable(table))
	if err != nil {
		tb.Fatalf("sqlstore: %v", err)
	}
	if err := store.CreateTable(context.Background()); err != nil {
		tb.Fatalf("sqlstore: %v", err)
	}
	tb.Cleanup(func() {
		store.Close()
		mysqlExec(tb, "DROP TABLE IF EXISTS "+mysqlDB+"."+table)
	})
	return ginsessionInstance(store, rt)
}
