package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// A Go service beside a Django site: the same django_session table, the
// same SECRET_KEY, Django's session encoding (the README's example).
func Example_shareWithDjango() {
	djangoSecretKey := "the Django site's SECRET_KEY, 32 bytes or more"
	r := gin.New()

	db := sqlx.MustOpen("mysql", "django:pw@tcp(db:3306)/site")
	store, _ := sqlstore.New(db) // table django_session
	r.Use(ginsession.New(store,
		ginsession.WithCodec(ginsession.DjangoCodec(djangoSecretKey)), // SessionStore.encode's format
		ginsession.WithSecretKey(djangoSecretKey),                     // auth hashes, as Django
	))
}

// A store on the table Django's migration made, or that CreateTable makes.
// The DSN needs no interpolateParams: statements are prepared once.
func ExampleNew() {
	db, err := sqlx.Open("mysql", "app:secret@tcp(127.0.0.1:3306)/app")
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db) // table django_session, dialect from the driver
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if err := store.CreateTable(context.Background()); err != nil {
		log.Fatal(err)
	}
	// r.Use(ginsession.New(store))
}

// The DDL CreateTable runs, for a README or a migration tool.
func ExampleSchema() {
	ddl, _ := sqlstore.Schema(sqlstore.MySQL, "django_session")
	fmt.Println(ddl[0] == sqlstore.MySQLSchema)
	// Output: true
}

// A purge job, Django's clearsessions: run it from a ticker on one
// instance, or from cron. Each DELETE removes at most WithPurgeBatch rows.
func ExampleStore_DeleteExpired() {
	purge := func(ctx context.Context, store *sqlstore.Store, every time.Duration) {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				n, err := store.DeleteExpired(ctx)
				if err != nil {
					log.Printf("purging sessions: %v (%d deleted before it)", err, n)
				}
			}
		}
	}
	_ = purge // go purge(ctx, store, time.Hour)
}
