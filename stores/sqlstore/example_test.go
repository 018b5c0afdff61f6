package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jmoiron/sqlx"
	"github.com/redis/go-redis/v9"

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

// SQLite, embedded: a Django site's db.sqlite3, or a file of the app's own.
// modernc.org/sqlite is pure Go (import _ "modernc.org/sqlite"); the same
// DSN works with mattn/go-sqlite3's "sqlite3" driver.
// A session table in an embedded SQLite file (the README's example).
func Example_sqlite() {
	ctx := context.Background()

	db := sqlx.MustOpen("sqlite", sqlstore.SQLiteDSN("data/db.sqlite3"))
	store, _ := sqlstore.New(db) // dialect SQLite, from the driver
	_ = store.CreateTable(ctx)   // Django's django_session, word for word
}

func ExampleSQLiteDSN() {
	fmt.Println(sqlstore.SQLiteDSN("data/db.sqlite3"))
	open := func() (*sqlstore.Store, error) {
		db, err := sqlx.Open("sqlite", sqlstore.SQLiteDSN("data/db.sqlite3"))
		if err != nil {
			return nil, err
		}
		store, err := sqlstore.New(db) // dialect SQLite, from the driver
		if err != nil {
			return nil, err
		}
		return store, store.CreateTable(context.Background())
	}
	_ = open
	// Output: file:data/db.sqlite3?_busy_timeout=5000&_journal_mode=WAL
}

// The DDL CreateTable runs, for a README or a migration tool.
func ExampleSchema() {
	ddl, _ := sqlstore.Schema(sqlstore.MySQL, "django_session")
	fmt.Println(ddl[0] == sqlstore.MySQLSchema)
	// Output: true
}

// A purge job, Django's clearsessions, that also reports how many rows went:
// run it from a ticker on one instance, or from cron (stores.StartJanitor is
// the same loop for any store, without the count). Each DELETE removes at
// most WithPurgeBatch rows.
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

// A Go service beside a Django site on the cached_db engine, whose settings
// are
//
//	SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
//	CACHES = {"default": {
//	    "BACKEND": "django_redis.cache.RedisCache",  # or django.core.cache.backends.redis.RedisCache
//	    "LOCATION": "redis://cache:6379/1",
//	    "KEY_PREFIX": "site",
//	}}
//
// Every write of the Go side deletes the site's cache entry of the session,
// so a logout or login here is what the site sees at its next request.
func ExampleWithDjangoCache() {
	djangoCache := redis.NewClient(&redis.Options{Addr: "cache:6379", DB: 1}) // LOCATION
	db := sqlx.MustOpen("mysql", "django:pw@tcp(db:3306)/site")
	store, err := sqlstore.New(db, sqlstore.WithDjangoCache(djangoCache, sqlstore.DjangoCache{
		KeyPrefix: "site", // KEY_PREFIX; VERSION 1 and Django's key function by default
	}))
	if err != nil {
		log.Fatal(err)
	}
	_ = store // ginsession.New(store, ginsession.WithCodec(ginsession.DjangoCodec(secret)), ...)
}
