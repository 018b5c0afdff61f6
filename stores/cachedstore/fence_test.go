package cachedstore

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redisstore"
)

// gatedDB is a database whose Delete of one key waits at a gate before it
// runs, so a test can land other calls between a logout's cache mark and
// its database step.
type gatedDB struct {
	*memstore.Store
	key             string
	reached, resume chan struct{}
}

func (g gatedDB) Delete(ctx context.Context, key string) error {
	if key == g.key {
		close(g.reached)
		<-g.resume
	}
	return g.Store.Delete(ctx, key)
}

// The minimal history the linearizability check found (cachedstore over
// Redis and MySQL, a logout racing a save): the logout marks the cache; the
// save marks it over that; the save's database step, then the logout's;
// a read gets nothing; the save's cache step puts its data in place of its
// mark; and before the logout's tombstone lands, a read gets the ended
// session back. A save that marked over another call's mark must not
// settle the cache: that call's database step may come after its own.
func TestASaveThatMarkedOverALogoutsMarkDoesNotCacheItsData(t *testing.T) {
	ctx := context.Background()
	key := stores.NewKey()
	db := gatedDB{testenv.Must(memstore.New()), key, make(chan struct{}), make(chan struct{})}
	s := newStore(t, testenv.Must(memstore.New()), db)
	if err := s.Create(ctx, key, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	settle, buried := make(chan struct{}), make(chan struct{})
	saved, deleteAfterDB := make(chan struct{}), make(chan struct{})
	s.afterDB = func(op, _ string) {
		switch op {
		case "compare and swap":
			close(saved)
			<-settle
		case "delete":
			close(deleteAfterDB)
			<-buried
		}
	}
	deleted := make(chan error, 1)
	go func() { deleted <- s.Delete(ctx, key) }()
	<-db.reached // the logout marked the cache
	swapped := make(chan error, 1)
	go func() { _, err := swap(s, key, "v1", "v2"); swapped <- err }()
	<-saved // the save marked the cache and wrote the database
	close(db.resume)
	<-deleteAfterDB // the logout deleted the record; no tombstone yet
	if got, err := s.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Load after the database delete = %q, %v; want ErrNotFound", got, err)
	}
	close(settle)
	if err := <-swapped; err != nil {
		t.Fatalf("the save: %v", err)
	}
	if got, err := s.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Load after the save's cache step = %q, %v; want ErrNotFound: a read before saw the session ended", got, err)
	}
	close(buried)
	if err := <-deleted; err != nil {
		t.Fatal(err)
	}
}

// A write that cannot mark the cache first does not touch the database and
// fails with ErrCacheUnavailable: written behind a cache that still holds
// the old copy (a killed connection, not a dead server), the change would
// be lost to every read the cache answers, and a logout undone. Reads and
// new sessions keep working on the database alone.
func TestWritesFailLoudlyWhenTheCacheCannotBeMarked(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, testenv.MySQL(t))
	logs := new(logBuffer)
	cache := testenv.Must(redisstore.New(deadRedis(t)))
	s := newStore(t, cache, db, WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
	key := stores.NewKey()
	exp := time.Now().Add(time.Hour)
	if err := s.Create(ctx, key, []byte("v1"), exp); err != nil {
		t.Fatalf("Create with the cache down = %v; want the database to take it", err)
	}
	if got, err := s.Load(ctx, key); string(got) != "v1" || err != nil {
		t.Fatalf("Load with the cache down = %q, %v; want v1 from the database", got, err)
	}
	for name, write := range map[string]func() error{
		"update":             func() error { return s.Update(ctx, key, []byte("v2"), exp) },
		"compare and swap":   func() error { _, err := swap(s, key, "v1", "v2"); return err },
		"delete":             func() error { return s.Delete(ctx, key) },
		"compare and delete": func() error { _, err := s.CompareAndDelete(ctx, key, []byte("v1")); return err },
	} {
		err := write()
		if !errors.Is(err, ErrCacheUnavailable) || strings.Contains(err.Error(), key) {
			t.Errorf("%s with the cache down = %v; want ErrCacheUnavailable, without the full key", name, err)
		}
		if got, err := db.Load(ctx, key); string(got) != "v1" || err != nil {
			t.Fatalf("after the failed %s the database holds %q, %v; want v1 untouched", name, got, err)
		}
	}
	if out := logs.String(); strings.Contains(out, key) || !strings.Contains(out, "cache failed; the database answers instead") {
		t.Errorf("want the cache failures of Create and Load logged, without the full key:\n%s", out)
	}
}
