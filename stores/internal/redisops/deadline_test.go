package redisops

import (
	"context"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	redis8 "github.com/go-redis/redis/v8"
	redis9 "github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// callerConn records, for every write to Redis, whether it was made on the
// goroutine of a Store method (its stack holds the method's frame), or on
// one the client started.
type callerConn struct {
	net.Conn
	mu      sync.Mutex
	writes  int
	foreign []string // the stacks of writes made elsewhere
}

func (c *callerConn) Write(b []byte) (int, error) {
	stack := make([]byte, 16<<10)
	stack = stack[:runtime.Stack(stack, false)]
	c.mu.Lock()
	c.writes++
	if !strings.Contains(string(stack), "redisops.(*Store).") {
		c.foreign = append(c.foreign, string(stack))
	}
	c.mu.Unlock()
	return c.Conn.Write(b)
}

// TestCommandsRunOnTheCallersGoroutine sends every kind of call (a command,
// a pipeline, a script) with a context that can be cancelled and has a
// deadline, as a request's store call has: through Bounded, neither go-redis
// major starts a goroutine for it (v8 would for the context itself: this
// test fails on v8 without Bounded).
func TestCommandsRunOnTheCallersGoroutine(t *testing.T) {
	conn := new(callerConn)
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := new(net.Dialer).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conn.Conn = nc
		return conn, nil
	}
	run := func(t *testing.T, name string, do Do, pipe Pipe, nilErr error, p string) {
		s, err := New(name, Bounded(do), BoundedPipe(pipe), nilErr, []func(*Config) error{prefix(p)})
		if err != nil {
			t.Fatal(err)
		}
		request, cancel := context.WithCancel(context.Background())
		defer cancel()
		ctx, stop := context.WithTimeout(request, time.Minute)
		defer stop()
		k, exp := stores.NewKey(), time.Now().Add(time.Hour)
		if _, err := s.Exists(context.Background(), k); err != nil { // dial: the client may do it elsewhere
			t.Fatal(err)
		}
		conn.mu.Lock()
		conn.writes, conn.foreign = 0, nil
		conn.mu.Unlock()
		if err := s.Create(ctx, k, []byte("a"), exp); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ctx, k); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.LoadWithTTL(ctx, k); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndSwap(ctx, k, []byte("a"), []byte("b"), exp); err != nil {
			t.Fatal(err)
		}
		conn.mu.Lock()
		defer conn.mu.Unlock()
		if conn.writes < 4 {
			t.Fatalf("%d writes to Redis seen, want one per call at least", conn.writes)
		}
		for _, stack := range conn.foreign {
			t.Errorf("a command was written on a goroutine of the client's:\n%s", stack)
		}
	}
	t.Run("go-redis v8", func(t *testing.T) {
		o := testenv.RedisOptions()
		o.Dialer, o.PoolSize = dial, 1
		c := testenv.OpenRedis(t, o)
		do := func(ctx context.Context, args ...any) (any, error) { return c.Do(ctx, args...).Result() }
		pipe := PipeOf[*redis8.Cmd](c.Pipeline, func(p redis8.Pipeliner, ctx context.Context) { _, _ = p.Exec(ctx) })
		run(t, "redisstore", do, pipe, redis8.Nil, testenv.RedisPrefix(t, c, "gs_goroutine_"))
	})
	t.Run("go-redis v9", func(t *testing.T) {
		o := testenv.Redis9Options()
		o.Dialer, o.PoolSize = dial, 1
		c := testenv.OpenRedis9(t, o)
		do := func(ctx context.Context, args ...any) (any, error) { return c.Do(ctx, args...).Result() }
		pipe := PipeOf[*redis9.Cmd](c.Pipeline, func(p redis9.Pipeliner, ctx context.Context) { _, _ = p.Exec(ctx) })
		run(t, "redis9store", do, pipe, redis9.Nil, testenv.Redis9Prefix(t, c, "gs_goroutine9_"))
	})
}
