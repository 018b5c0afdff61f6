package redisstore_test

import (
	"log"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/stores/redisstore"
)

func ExampleNew() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	store, err := redisstore.New(client, redisstore.WithPrefix("myapp:session:"))
	if err != nil {
		log.Fatal(err)
	}
	_ = store // r.Use(ginsession.New(store))
}

// A Redis 7 Cluster needs Redis7ClusterOptions with go-redis v8.
func ExampleRedis7ClusterOptions() {
	client := redis.NewClusterClient(redisstore.Redis7ClusterOptions(&redis.ClusterOptions{
		Addrs: []string{"10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"},
	}))
	store, err := redisstore.New(client)
	if err != nil {
		log.Fatal(err)
	}
	_ = store
}
