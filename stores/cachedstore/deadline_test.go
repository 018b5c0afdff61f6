package cachedstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// A request whose deadline passes just after a logout's database delete
// still leaves the tombstone: without it the cache served the ended session
// to the next request (the root package's linearizability check found a
// read that saw a session after saves had been refused for its logout).
func TestALogoutCutByItsDeadlineStillBuriesTheSession(t *testing.T) {
	for _, op := range []string{"delete", "compare and delete"} {
		t.Run(op, func(t *testing.T) {
			cache, db := testenv.Must(memstore.New()), testenv.Must(memstore.New())
			s := newStore(t, cache, db)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			key := stores.NewKey()
			if err := s.Create(ctx, key, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Load(ctx, key); err != nil || string(got) != "v1" {
				t.Fatalf("Load = %q, %v", got, err)
			}
			s.afterDB = func(o, k string) {
				if o == op {
					cancel() // the deadline falls between the two steps
				}
			}
			var err error
			if op == "delete" {
				err = s.Delete(ctx, key)
			} else {
				_, err = s.CompareAndDelete(ctx, key, []byte("v1"))
			}
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			if got, err := s.Load(context.Background(), key); !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("Load after the logout = %q, %v; want ErrNotFound: the cache serves the ended session", got, err)
			}
		})
	}
}

// A read while a logout is between its database delete and its tombstone
// asks the database, which no longer has the session: a concurrent save
// was refused for that logout already, so the cached copy must not be
// served (the linearizability check found such a read).
func TestAReadDuringALogoutDoesNotGetTheCachedCopy(t *testing.T) {
	for _, op := range []string{"delete", "compare and delete"} {
		t.Run(op, func(t *testing.T) {
			cache, db := testenv.Must(memstore.New()), testenv.Must(memstore.New())
			s := newStore(t, cache, db)
			ctx := context.Background()
			key := stores.NewKey()
			if err := s.Create(ctx, key, []byte("v1"), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			reached, release := pauseAt(s, op, key)
			done := make(chan error, 1)
			go func() {
				if op == "delete" {
					done <- s.Delete(ctx, key)
				} else {
					_, err := s.CompareAndDelete(ctx, key, []byte("v1"))
					done <- err
				}
			}()
			<-reached
			got, err := s.Load(ctx, key)
			release()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("Load during the logout = %q, %v; want ErrNotFound, as the database says", got, err)
			}
		})
	}
}
