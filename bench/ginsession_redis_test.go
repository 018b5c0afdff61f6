package bench

import (
	"testing"

	"github.com/ginsession/ginsession/stores/redis9store"
	"github.com/ginsession/ginsession/stores/redisstore"
)

// ginsession on go-redis v8 (stores/redisstore) first, then on v9
// (stores/redis9store), so the two are measured side by side.
func init() {
	redisContenders = append([]contender{
		{"ginsession", ginsessionRedis},
		{"ginsession-v9", ginsessionRedis9},
	}, redisContenders...)
}

func ginsessionRedis(tb testing.TB) *instance {
	rt := new(rtCounter)
	prefix := "bench:ginsession:" + runID + ":"
	store, err := redisstore.New(goRedis(tb, rt, prefix), redisstore.WithPrefix(prefix))
	if err != nil {
		tb.Fatalf("redisstore: %v", err)
	}
	return ginsessionInstance(store, rt)
}

func ginsessionRedis9(tb testing.TB) *instance {
	rt := new(rtCounter)
	prefix := "bench:ginsession9:" + runID + ":"
	store, err := redis9store.New(goRedis9(tb, rt, prefix), redis9store.WithPrefix(prefix))
	if err != nil {
		tb.Fatalf("redis9store: %v", err)
	}
	return ginsessionInstance(store, rt)
}
