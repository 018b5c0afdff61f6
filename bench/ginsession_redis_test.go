package bench

import (
	"testing"

	"github.com/ginsession/ginsession/stores/redisstore"
)

func init() { addGinsession(&redisContenders, ginsessionRedis) }

func ginsessionRedis(tb testing.TB) *instance {
	rt := new(rtCounter)
	prefix := "bench:ginsession:" + runID + ":"
	store, err := redisstore.New(goRedis(tb, rt, prefix), redisstore.WithPrefix(prefix))
	if err != nil {
		tb.Fatalf("redisstore: %v", err)
	}
	return ginsessionInstance(store, rt)
}
