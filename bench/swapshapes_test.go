package bench

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	goredis "github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession/stores/redisstore"
)

// BenchmarkRedisSwapShapes measures, on raw go-redis v8, the ways a save of
// a loaded session could reach Redis, at 100 B, 10 KB and 100 KB, to weigh
// record formats (bench/README.md, "Growth"):
//
//   - set: a plain SET with PX, last write wins (what scs sends);
//   - swap: redisstore's CompareAndSwap as it is, a Lua script handed the
//     loaded data and the new data;
//   - stamp-lua: a record ending in a 16-byte stamp, a script that compares
//     the stamp (GETRANGE) and is handed only the new data;
//   - stamp-rename: the same stamp, the new data sent by a plain SET to a
//     key of its own in the same slot, then renamed over the record by a
//     script that compares the stamp, both in one pipeline.
//
// The stamp variants are prototypes of a format ginsession does not write;
// each call checks its reply, so that a failed swap cannot pass for a fast
// one. It is not part of run.sh:
//
//	go test -run '^$' -bench RedisSwapShapes ./bench
func BenchmarkRedisSwapShapes(b *testing.B) {
	ctx := context.Background()
	prefix := "bench:swapshapes:" + runID + ":"
	c := goRedis(b, new(rtCounter), prefix)
	store, err := redisstore.New(c, redisstore.WithPrefix(prefix))
	if err != nil {
		b.Fatal(err)
	}
	const key = "swapshapes0123456789abcdefghijkl"
	rkey, tmp := prefix+key, prefix+"{"+key+"}:w"
	stampLua := goredis.NewScript(`
if redis.call('GETRANGE', KEYS[1], -16, -1) ~= ARGV[1] then return redis.call('GET', KEYS[1]) end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`)
	stampRename := goredis.NewScript(`
if redis.call('GETRANGE', KEYS[1], -16, -1) ~= ARGV[1] then redis.call('DEL', KEYS[2]) return redis.call('GET', KEYS[1]) end
redis.call('RENAME', KEYS[2], KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`)
	if err := stampRename.Load(ctx, c).Err(); err != nil {
		b.Fatal(err)
	}
	stamp := bytes.Repeat([]byte{0xff}, 16)
	expiry := time.Now().Add(time.Hour)
	done := func(b *testing.B, v int64, err error) {
		if err != nil || v != 1 {
			b.Fatalf("swap did not happen: %d, %v", v, err)
		}
	}
	for _, size := range []int{100, 10 << 10, 100 << 10} {
		data := bytes.Repeat([]byte("x"), size)
		stamped := append(bytes.Clone(data), stamp...)
		b.Run(fmt.Sprintf("%dB/set", size), func(b *testing.B) {
			for b.Loop() {
				if err := c.Set(ctx, rkey, data, time.Hour).Err(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%dB/swap", size), func(b *testing.B) {
			if err := store.Set(ctx, key, data, expiry); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := store.CompareAndSwap(ctx, key, data, data, expiry); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%dB/stamp-lua", size), func(b *testing.B) {
			if err := c.Set(ctx, rkey, stamped, time.Hour).Err(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				v, err := stampLua.Run(ctx, c, []string{rkey}, stamp, stamped, 3600000).Int64()
				done(b, v, err)
			}
		})
		b.Run(fmt.Sprintf("%dB/stamp-rename", size), func(b *testing.B) {
			if err := c.Set(ctx, rkey, stamped, time.Hour).Err(); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				p := c.Pipeline()
				p.Set(ctx, tmp, stamped, time.Minute)
				r := p.EvalSha(ctx, stampRename.Hash(), []string{rkey, tmp}, stamp, 3600000)
				_, err := p.Exec(ctx)
				v, _ := r.Int64()
				done(b, v, err)
			}
		})
	}
}
