// Package redisopstest holds the tests both Redis stores run whose bodies do
// not depend on the go-redis major: the caller makes the store.
package redisopstest

import (
	"context"
	"errors"
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
	// Warm up: a connection to every master, the slot map, COMMAND, and a
	// pipeline to each.
	for _, k := range keys {
		if err := s.Create(ctx, k, []byte("w"), exp); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.LoadWithTTL(ctx, k); err != nil {
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
			{"Touch", func() error { return s.Touch(ctx, k, exp.Add(time.Minute)) }},
			{"Exists", func() error { _, err := s.Exists(ctx, k); return err }},
			{"Delete", func() error { return s.Delete(ctx, k) }},
			{"Create", func() error { return s.Create(ctx, k, []byte(`{"a":1}`), exp) }},
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
	for op, err := range map[string]error{
		"Load": loadErr, "LoadWithTTL": loadExpiryErr, "Exists": existsErr,
		"Create": s.Create(ctx, k, []byte("x"), time.Now().Add(time.Hour)),
		"Update": s.Update(ctx, k, []byte("x"), time.Now().Add(time.Hour)),
		"Touch":  s.Touch(ctx, k, time.Now().Add(time.Hour)),
		"Delete": s.Delete(ctx, k),
	} {
		if err == nil || errors.Is(err, stores.ErrNotFound) || errors.Is(err, stores.ErrExists) {
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
