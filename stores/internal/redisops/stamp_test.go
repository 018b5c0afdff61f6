package redisops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// TestStampsComeOffExactly: a stamped record reads back as its data, at
// every length around the stamp's; anything else reads as it is, including
// data that ends in the stamp's magic bytes with digests of other data.
func TestStampsComeOffExactly(t *testing.T) {
	for n := 0; n < 80; n++ {
		data := bytes.Repeat([]byte{byte('a' + n%26)}, n)
		rec := withStamp(data)
		if len(rec) != n+stampLen {
			t.Fatalf("withStamp of %d bytes is %d bytes", n, len(rec))
		}
		got, ok := unstamp(rec)
		if !ok || !bytes.Equal(got, data) {
			t.Fatalf("unstamp(withStamp(%d bytes)) = %q, %v", n, got, ok)
		}
		if cap(got) != n {
			t.Fatalf("unstamp left the stamp within reach of append: cap %d, len %d", cap(got), n)
		}
		if got, ok := unstamp(data); ok || !bytes.Equal(got, data) {
			t.Fatalf("unstamp of %d unstamped bytes = %q, %v", n, got, ok)
		}
	}
	// The magic with the digests of other data, and a stamp one byte off.
	other := stampOf([]byte("other"))
	forged := append([]byte("some data"), other[:]...)
	if got, ok := unstamp(forged); ok || !bytes.Equal(got, forged) {
		t.Errorf("a record ending in another record's stamp was unstamped: %q", got)
	}
	rec := withStamp([]byte("some data"))
	rec[len(rec)-1] ^= 1
	if got, ok := unstamp(rec); ok || len(got) != len(rec) {
		t.Errorf("a stamp with a changed digest was taken off: %q", got)
	}
	if a, b := stampOf([]byte("x")), stampOf([]byte("y")); a == b {
		t.Error("two data have the same stamp")
	}
}

// TestStampedAndPlainStoresShareRecords: a store writing stamps and one
// that does not, on the same keys, read each other's records and swap
// against them, conflicts included, on go-redis v8 and v9; what each
// writes is what Redis holds.
func TestStampedAndPlainStoresShareRecords(t *testing.T) {
	eachClientOpen(t, "gs_stamp_", func(t *testing.T, open func(...func(*Config) error) *Store, raw func(string) []byte) {
		testStampedAndPlain(t, open(), open(stampedOpt), raw)
	})
}

func stampedOpt(c *Config) error { c.SetStamped(); return nil }

func testStampedAndPlain(t *testing.T, plain, stamped *Store, raw func(key string) []byte) {
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	k := stores.NewKey()
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	holds := func(want []byte, stampedRec bool) {
		t.Helper()
		r := raw(k)
		if stampedRec {
			want = withStamp(want)
		}
		if !bytes.Equal(r, want) {
			t.Fatalf("Redis holds %q, want %q", r, want)
		}
		for _, s := range []*Store{plain, stamped} {
			got, err := s.Load(ctx, k)
			if !bytes.Equal(got, want[:len(want)-stampLenIf(stampedRec)]) || err != nil {
				t.Fatalf("Load = %q, %v", got, err)
			}
			got, _, err = s.LoadWithTTL(ctx, k)
			if !bytes.Equal(got, want[:len(want)-stampLenIf(stampedRec)]) || err != nil {
				t.Fatalf("LoadWithTTL = %q, %v", got, err)
			}
		}
	}
	conflict := func(cur []byte, err error, want string) {
		t.Helper()
		if !errors.Is(err, stores.ErrConflict) || string(cur) != want {
			t.Fatalf("swap = %q, %v; want a conflict with %q", cur, err, want)
		}
	}
	swapConflict := func(s *Store, old, want string) {
		t.Helper()
		cur, err := s.CompareAndSwap(ctx, k, []byte(old), []byte("X"), exp)
		conflict(cur, err, want)
	}

	step("plain Create", plain.Create(ctx, k, []byte("A"), exp))
	holds([]byte("A"), false)
	// A record without a stamp: the stamped store compares the data.
	swapConflict(stamped, "stale", "A")
	_, err := stamped.CompareAndSwap(ctx, k, []byte("A"), []byte("B"), exp)
	step("stamped swap of a plain record", err)
	holds([]byte("B"), true)
	// A stamped record: the stamped store compares stamps, the plain one
	// the data with or without the stamp.
	swapConflict(stamped, "A", "B")
	swapConflict(plain, "A", "B")
	_, err = plain.CompareAndSwap(ctx, k, []byte("B"), []byte("C"), exp)
	step("plain swap of a stamped record", err)
	holds([]byte("C"), false)
	_, err = stamped.CompareAndSwap(ctx, k, []byte("C"), []byte("D"), exp)
	step("stamped swap", err)
	_, err = stamped.CompareAndSwap(ctx, k, []byte("D"), []byte("E"), exp)
	step("stamped swap of a stamped record", err)
	holds([]byte("E"), true)
	step("stamped Update", stamped.Update(ctx, k, []byte("F"), exp))
	holds([]byte("F"), true)
	step("plain Update", plain.Update(ctx, k, []byte("G"), exp))
	holds([]byte("G"), false)
	// Set writes as it is, stamps on or off (cachedstore's tombstones).
	step("stamped Set", stamped.Set(ctx, k, []byte("H"), exp))
	holds([]byte("H"), false)

	// A plain record that happens to end in the magic bytes: read whole,
	// and swapped by its data.
	elsewhere := stampOf([]byte("something else"))
	forged := append([]byte("legacy "), elsewhere[:]...)
	step("Set of a look-alike", plain.Set(ctx, k, forged, exp))
	holds(forged, false)
	swapConflict(stamped, "stale", string(forged))
	_, err = stamped.CompareAndSwap(ctx, k, forged, []byte("I"), exp)
	step("stamped swap of a look-alike", err)
	holds([]byte("I"), true)

	// Deletes: by stamp, by data, and an expiry already past.
	cur, err := plain.CompareAndDelete(ctx, k, []byte("H"))
	conflict(cur, err, "I")
	_, err = plain.CompareAndDelete(ctx, k, []byte("I"))
	step("plain delete of a stamped record", err)
	if _, err := stamped.Load(ctx, k); err != stores.ErrNotFound {
		t.Fatalf("Load after delete: %v", err)
	}
	if _, err := stamped.CompareAndSwap(ctx, k, []byte("I"), []byte("J"), exp); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("stamped swap of no record: %v", err)
	}
	step("stamped Create", stamped.Create(ctx, k, []byte("K"), exp))
	holds([]byte("K"), true)
	_, err = stamped.CompareAndSwap(ctx, k, []byte("K"), []byte("L"), time.Now().Add(-time.Second))
	step("stamped swap to an expiry past", err)
	if _, err := plain.Load(ctx, k); err != stores.ErrNotFound {
		t.Fatalf("Load after a swap to an expiry past: %v", err)
	}
	// An empty record, stamped and not.
	step("stamped Create of nothing", stamped.Create(ctx, k, nil, exp))
	holds(nil, true)
	_, err = stamped.CompareAndSwap(ctx, k, nil, []byte("M"), exp)
	step("stamped swap of an empty record", err)
	holds([]byte("M"), true)
}

func stampLenIf(b bool) int {
	if b {
		return stampLen
	}
	return 0
}

// TestTheScriptsKnowTheMagic: the data-comparing script spells stampMagic
// as a Lua string of its own; the two must not drift apart.
func TestTheScriptsKnowTheMagic(t *testing.T) {
	var lua strings.Builder
	for _, b := range stampMagic {
		if b >= 'a' && b <= 'z' {
			lua.WriteByte(b)
		} else {
			fmt.Fprintf(&lua, `\%03d`, b)
		}
	}
	if want := "'" + lua.String() + "'"; !strings.Contains(compareAndSwapScript.src, want) {
		t.Errorf("compareAndSwapScript does not compare with %s", want)
	}
}
