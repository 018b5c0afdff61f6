package djangocache_test

import (
	"fmt"
	"log"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/djangocache"
)

// A Gin service beside a Django site whose settings say:
//
//	SESSION_ENGINE = "django.contrib.sessions.backends.cache"
//	CACHES = {"default": {
//	    "BACKEND": "django_redis.cache.RedisCache",
//	    "LOCATION": "redis://127.0.0.1:6379/0",
//	    "KEY_PREFIX": "myapp",
//	}}
func ExampleNew() {
	djangoSecretKey := "the Django site's SECRET_KEY, 32 bytes or more"
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", DB: 0, ContextTimeoutEnabled: true})
	store, err := djangocache.New(client, djangocache.WithKeyPrefix("myapp"))
	if err != nil {
		log.Fatal(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store,
		ginsession.WithCodec(djangocache.PickleCodec{}), // Zlib(PickleCodec{}) with the ZlibCompressor
		ginsession.WithSecretKey(djangoSecretKey),       // for _auth_user_hash
	))
	fmt.Println(store.RedisKey("abc123"))
	// Output: myapp:1:django.contrib.sessions.cacheabc123
}

// What Django's cache engine stores is the pickled session dict, which
// PickleCodec writes and reads: ints of any size stay ints, a tuple stays a
// tuple, and a pickle of anything else is refused.
func ExamplePickleCodec() {
	c := djangocache.PickleCodec{}
	data, err := c.Encode([]string{"_auth_user_id", "visits", "pair"}, map[string]any{
		"_auth_user_id": "42",
		"visits":        1 << 62,
		"pair":          djangocache.Tuple{"a", 1},
	})
	if err != nil {
		log.Fatal(err)
	}
	keys, values, err := c.Decode(data)
	fmt.Println(keys, values["visits"], values["pair"], err)

	_, _, err = c.Decode([]byte("\x80\x04\x8c\x02os\x8c\x06system\x93."))
	fmt.Println(err)
	// Output:
	// [_auth_user_id visits pair] 4611686018427387904 [a 1] <nil>
	// djangocache: pickle: refused: not a plain session value: global "os.system"
}
