package redis9store_test

import (
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/stores/redis9store"
)

func ExampleNew() {
	client := redis.NewClient(&redis.Options{
		Addr: "127.0.0.1:6379",
		// Without it go-redis v9 ignores deadlines and New refuses the client.
		ContextTimeoutEnabled: true,
	})
	store, err := redis9store.New(client, redis9store.WithPrefix("myapp:session:"))
	if err != nil {
		log.Fatal(err)
	}
	_ = store // r.Use(ginsession.New(store))
}

// A Redis 7 Cluster needs nothing beyond the client's own options.
func ExampleNew_cluster() {
	client := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"},
		ContextTimeoutEnabled: true,
	})
	store, err := redis9store.New(client)
	if err != nil {
		log.Fatal(err)
	}
	_ = store
}
