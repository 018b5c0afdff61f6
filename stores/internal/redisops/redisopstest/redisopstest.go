// Package redisopstest holds the tests both Redis stores run whose bodies do
// not depend on the go-redis major: the caller makes the store.
package redisopstest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// Store is what both Redis stores are.
type Store interface {
	stores.Store
	stores.Toucher
	stores.Swapper
	stores.TTLLoader
}

// OneRoundTripEach checks, once the client's connections are warm, that
// every operation of s costs one round trip counted by rt.
func OneRoundTripEach(t *testing.T, s Store, rt *testenv.RoundTrips) {
	t.Helper()
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	keys := make([]string, 40)
	for i := range keys {
		keys[i] = stores.NewKey()
	}
	// Warm up: a connection to every master, the slot map, COMMAND, a
	// pipeline to each, and the scripts loaded on every master (the first
	// EVALSHA of a script a server has not seen is answered NOSCRIPT and
	// sent again as EVAL).
	for _, k := range keys {
		if err := s.Create(ctx, k, []byte("w"), exp); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.LoadWithTTL(ctx, k); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndSwap(ctx, k, []byte("w"), []byte("w"), exp); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CompareAndDelete(ctx, k, []byte("not w")); !errors.Is(err, stores.ErrConflict) {
			t.Fatal(err)
		}
	}
	for _, k := range keys {
		for _, st := range []struct {
			name string
			do   func() error
		}{
			{"Load", func() error { _, err := s.Load(ctx, k); return err }},
			{"LoadWithTTL", func() error { _, _, err := s.LoadWithTTL(ctx, k); return err }},
			{"Update", func() error { return s.Update(ctx, k, []byte(`{"a":2}`), exp) }},
			{"CompareAndSwap", func() error {
				_, err := s.CompareAndSwap(ctx, k, []byte(`{"a":2}`), []byte(`{"a":3}`), exp)
				return err
			}},
			{"CompareAndSwap that conflicts", func() error {
				return wantConflict(s.CompareAndSwap(ctx, k, []byte(`{"a":2}`), []byte(`{"a":4}`), exp))
			}},
			{"CompareAndDelete that conflicts", func() error {
				return wantConflict(s.CompareAndDelete(ctx, k, []byte(`{"a":2}`)))
			}},
			{"Touch", func() error { return s.Touch(ctx, k, exp.Add(time.Minute)) }},
			{"Exists", func() error { _, err := s.Exists(ctx, k); return err }},
			{"Delete", func() error { return s.Delete(ctx, k) }},
			{"Create", func() error { return s.Create(ctx, k, []byte(`{"a":1}`), exp) }},
			{"CompareAndDelete", func() error {
				_, err := s.CompareAndDelete(ctx, k, []byte(`{"a":1}`))
				return err
			}},
			{"Load of an unknown key", func() error {
				if _, err := s.Load(ctx, stores.NewKey()); err != stores.ErrNotFound {
					return err
				}
				return nil
			}},
			{"LoadWithTTL of an unknown key", func() error {
				if _, _, err := s.LoadWithTTL(ctx, stores.NewKey()); err != stores.ErrNotFound {
					return err
				}
				return nil
			}},
		} {
			before := rt.Count()
			if err := st.do(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if got := rt.Count() - before; got != 1 {
				t.Errorf("%s took %d round trips, want 1", st.name, got)
			}
		}
	}
}

// wantConflict returns nil for a conflict that hands back {"a":3}, the
// data OneRoundTripEach's swap left.
func wantConflict(cur []byte, err error) error {
	if !errors.Is(err, stores.ErrConflict) || string(cur) != `{"a":3}` {
		return fmt.Errorf("got %q, %v; want {\"a\":3} and ErrConflict", cur, err)
	}
	return nil
}

// FailuresNameOnlyTheKeysPrefix checks the errors of s, whose server is
// down: plain failures (not ErrNotFound or ErrExists) starting with name and
// naming only the first 6 characters of the key.
func FailuresNameOnlyTheKeysPrefix(t *testing.T, s Store, name string) {
	t.Helper()
	ctx := context.Background()
	k := stores.NewKey()
	_, loadErr := s.Load(ctx, k)
	_, _, loadExpiryErr := s.LoadWithTTL(ctx, k)
	_, existsErr := s.Exists(ctx, k)
	_, casErr := s.CompareAndSwap(ctx, k, []byte("x"), []byte("y"), time.Now().Add(time.Hour))
	_, cadErr := s.CompareAndDelete(ctx, k, []byte("x"))
	for op, err := range map[string]error{
		"Load": loadErr, "LoadWithTTL": loadExpiryErr, "Exists": existsErr,
		"CompareAndSwap": casErr, "CompareAndDelete": cadErr,
		"Create": s.Create(ctx, k, []byte("x"), time.Now().Add(time.Hour)),
		"Update": s.Update(ctx, k, []byte("x"), time.Now().Add(time.Hour)),
		"Touch":  s.Touch(ctx, k, time.Now().Add(time.Hour)),
		"Delete": s.Delete(ctx, k),
	} {
		if err == nil || errors.Is(err, stores.ErrNotFound) || errors.Is(err, stores.ErrExists) || errors.Is(err, stores.ErrConflict) {
			t.Errorf("%s with Redis down = %v, want a plain failure", op, err)
			continue
		}
		if strings.Contains(err.Error(), k) || !strings.Contains(err.Error(), k[:6]+"…") || !strings.HasPrefix(err.Error(), name+": ") {
			t.Errorf("%s error %q: want %s: prefix and only the key's first 6 characters", op, err, name)
		}
	}
}

// SilentServer starts a server that accepts connections and never answers,
// until the test ends, and returns its address.
func SilentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// ScriptsAreSentAgainAfterAFlush checks the NOSCRIPT path of the
// compare-and-swap scripts: once flush has emptied the script cache of
// every server behind s, the next swap on a key is answered NOSCRIPT and
// sent again in full (two round trips), and succeeds; the one after is one
// round trip again.
func ScriptsAreSentAgainAfterAFlush(t *testing.T, s Store, rt *testenv.RoundTrips, flush func()) {
	t.Helper()
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte("0"), exp); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CompareAndSwap(ctx, k, []byte("0"), []byte("1"), exp); err != nil {
		t.Fatal(err)
	}
	flush()
	for i, want := range []int64{2, 1} {
		old, next := []byte{byte('1' + i)}, []byte{byte('2' + i)}
		before := rt.Count()
		if _, err := s.CompareAndSwap(ctx, k, old, next, exp); err != nil {
			t.Fatalf("CompareAndSwap #%d after SCRIPT FLUSH: %v", i+1, err)
		}
		if got := rt.Count() - before; got != want {
			t.Errorf("CompareAndSwap #%d after SCRIPT FLUSH took %d round trips, want %d", i+1, got, want)
		}
	}
	if got, err := s.Load(ctx, k); string(got) != "3" || err != nil {
		t.Fatalf("Load = %q, %v; want 3", got, err)
	}
	flush()
	if _, err := s.CompareAndDelete(ctx, k, []byte("3")); err != nil {
		t.Fatalf("CompareAndDelete after SCRIPT FLUSH: %v", err)
	}
}
