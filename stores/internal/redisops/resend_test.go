package redisops

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	redis9 "github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// go-redis sends a command again when the connection broke before the
// reply came (a killed connection, CLIENT KILL): the server may have run
// it already. A swap that ran twice must answer as its first run did. The
// linearizability check (lincheck_test.go) found a key cycle answered 400
// and its session lost: the first run of the compare-and-delete removed
// the old record, the second found none and reported a concurrent logout,
// so the middleware deleted the new copy too.
func TestSwapsSentTwiceAnswerAsTheFirstRun(t *testing.T) {
	c := testenv.Redis9(t)
	p := testenv.Redis9Prefix(t, c, "gs_lincheck_")
	twice := func(ctx context.Context, args ...any) (any, error) {
		if len(args) > 0 && strings.HasPrefix(strings.ToLower(args[0].(string)), "eval") {
			_, _ = c.Do(ctx, args...).Result() // the run whose reply was lost
		}
		return c.Do(ctx, args...).Result()
	}
	{
		s, err := New("redis9store", twice, nil, redis9.Nil, []func(*Config){prefix(p)})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		key := stores.NewKey()
		exp := time.Now().Add(time.Hour)
		if err := s.Create(ctx, key, []byte(`{"a":1}`), exp); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndSwap(ctx, key, []byte(`{"a":1}`), []byte(`{"a":2}`), exp); err != nil {
			t.Fatalf("a swap sent twice: %v, want success", err)
		}
		if got, err := s.Load(ctx, key); err != nil || string(got) != `{"a":2}` {
			t.Fatalf("after the swap the record is %q, %v", got, err)
		}
		if _, err := s.CompareAndDelete(ctx, key, []byte(`{"a":2}`)); err != nil {
			t.Fatalf("a compare-and-delete sent twice: %v, want success", err)
		}
		if _, err := s.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
			t.Fatalf("after the delete Load says %v", err)
		}
		// A swap of a record that another request changed meanwhile still
		// conflicts, and of one that is gone still finds none.
		if err := s.Create(ctx, key, []byte(`{"a":3}`), exp); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndSwap(ctx, key, []byte(`{"a":1}`), []byte(`{"a":4}`), exp); !errors.Is(err, stores.ErrConflict) {
			t.Fatalf("a stale swap: %v, want ErrConflict", err)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndDelete(ctx, key, []byte(`{"a":3}`)); !errors.Is(err, stores.ErrNotFound) {
			t.Fatalf("a delete of a deleted record: %v, want ErrNotFound", err)
		}
	}
}
