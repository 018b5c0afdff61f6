package cachedstore_test

import (
	"log"
	"log/slog"

	"github.com/go-redis/redis/v8"
	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// Redis in front of the django_session table: reads cost one GET, saves an
// UPDATE and a SET, and the site keeps working if Redis goes down.
func ExampleNew() {
	db, err := sqlx.Open("mysql", "app:secret@tcp(127.0.0.1:3306)/app")
	if err != nil {
		log.Fatal(err)
	}
	dbStore, err := sqlstore.New(db)
	if err != nil {
		log.Fatal(err)
	}
	cache, err := redisstore.New(redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"}),
		redisstore.WithPrefix("myapp:cached_db:"))
	if err != nil {
		log.Fatal(err)
	}
	store, err := cachedstore.New(cache, dbStore, cachedstore.WithLogger(slog.Default()))
	if err != nil {
		log.Fatal(err)
	}
	_ = store // r.Use(ginsession.New(store))
}
