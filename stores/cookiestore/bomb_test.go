package cookiestore

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/signing"
	"github.com/ginsession/ginsession/stores"
)

func TestAValidlySignedZlibBombIsRefused(t *testing.T) {
	// 1 MiB of JSON-ish padding compresses to about a kilobyte: a cookie a
	// browser would carry, signed with the real secret.
	bomb := append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 1<<20)...), `"}`...)
	v, err := signing.Dumps(bomb, signing.Config{Key: vectorSecret, Salt: Salt, Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(v) > DefaultMaxSize {
		t.Fatalf("the bomb cookie is %d bytes; the test needs one that fits", len(v))
	}
	if _, _, err := testenv.Must(New()).Open(v, keys(vectorSecret)); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Open of a bomb = %v, want ErrNotFound", err)
	}
	// A realistic large session still opens.
	ok := append(append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 100<<10)...), `"}`...)
	v, _ = signing.Dumps(ok, signing.Config{Key: vectorSecret, Salt: Salt, Compress: true})
	if data, _, err := testenv.Must(New()).Open(v, keys(vectorSecret)); err != nil || len(data) != len(ok) {
		t.Fatalf("Open of 100 KiB = %d bytes, %v", len(data), err)
	}
}
