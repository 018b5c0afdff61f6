package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// GuardedStore is a store with the guarded writes stores/cachedstore uses
// for its cache (cachedstore.Guarded, restated here so cachedstore's own
// tests can import this package).
type GuardedStore interface {
	stores.Store
	Set(ctx context.Context, key string, data []byte, expiry time.Time) error
	SetUnless(ctx context.Context, key string, data []byte, expiry time.Time, guard []byte) (bool, error)
	TouchUnless(ctx context.Context, key string, expiry time.Time, guard []byte) (bool, error)
}

// Guarded checks that SetUnless and TouchUnless write, move or remove any
// record but one beginning with the guard, which they leave exactly as it is.
func Guarded(t *testing.T, s GuardedStore) {
	ctx := ctx(t)
	later := time.Now().Add(time.Hour)
	guard := []byte("\x00guard\x00")
	k := stores.NewKey()
	if ok, err := s.SetUnless(ctx, k, []byte("v1"), later, guard); !ok || err != nil {
		t.Fatalf("SetUnless on an absent key = %v, %v; want it created", ok, err)
	}
	if ok, err := s.SetUnless(ctx, k, []byte("v2"), later, guard); !ok || err != nil {
		t.Fatalf("SetUnless over data = %v, %v; want it replaced", ok, err)
	}
	if err := s.Set(ctx, k, []byte(string(guard)+"more"), later); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.SetUnless(ctx, k, []byte("v3"), later, guard); ok || err != nil {
		t.Fatalf("SetUnless over a record beginning with the guard = %v, %v; want it left alone", ok, err)
	}
	if err := s.Set(ctx, k, guard, later); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.SetUnless(ctx, k, []byte("v3"), later, guard); ok || err != nil {
		t.Fatalf("SetUnless over the guard = %v, %v; want it left alone", ok, err)
	}
	if ok, err := s.SetUnless(ctx, k, nil, time.Time{}, guard); ok || err != nil {
		t.Fatalf("removing SetUnless over the guard = %v, %v; want it left alone", ok, err)
	}
	if ok, err := s.TouchUnless(ctx, k, time.Now().Add(-time.Second), guard); ok || err != nil {
		t.Fatalf("TouchUnless of the guard = %v, %v; want it left alone", ok, err)
	}
	if got, err := s.Load(ctx, k); string(got) != string(guard) || err != nil {
		t.Fatalf("Load = %q, %v; want the guard untouched", got, err)
	}
	other := stores.NewKey()
	if ok, err := s.TouchUnless(ctx, other, later, guard); ok || err != nil {
		t.Fatalf("TouchUnless of an absent key = %v, %v; want false, nil", ok, err)
	}
	if err := s.Create(ctx, other, []byte("x"), later); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.TouchUnless(ctx, other, time.Now().Add(-time.Second), guard); !ok || err != nil {
		t.Fatalf("TouchUnless into the past = %v, %v; want the record removed", ok, err)
	}
	if ok, err := s.SetUnless(ctx, k, nil, time.Time{}, []byte("not the guard")); !ok || err != nil {
		t.Fatalf("removing SetUnless = %v, %v", ok, err)
	}
	for _, key := range []string{k, other} {
		if _, err := s.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
			t.Errorf("Load of a removed record = %v, want ErrNotFound", err)
		}
	}
}
