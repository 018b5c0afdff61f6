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

// ginsessionRedis9Stamped is ginsessionRedis9 with WithStampedRecords, whose
// saves compare a stamp instead of the record. It runs in the growth
// benchmarks only, where the size of the record decides what that saves.
func ginsessionRedis9Stamped(tb testing.TB) *instance {
	rt := new(rtCounter)
	prefix := "bench:ginsession9st:" + runID + ":"
	store, err := redis9store.New(goRedis9(tb, rt, prefix), redis9store.WithPrefix(prefix), redis9store.WithStampedRecords())
	if err != nil {
		tb.Fatalf("redis9store: %v", err)
	}
	return ginsessionInstance(store, rt)
}
