package djangocache_test

import (
	"bytes"
	"compress/zlib"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ginsession/ginsession/stores/djangocache"
)

// FuzzZlibPickleDecode reads any data as django-redis's zlib-compressed
// pickle: no panic, a refusal is ErrCorrupt, and what is accepted writes
// back and reads back the same. Seeds: Python's pickles, raw and
// compressed.
//
//	go test -fuzz FuzzZlibPickleDecode ./stores/djangocache
func FuzzZlibPickleDecode(f *testing.F) {
	names, _ := filepath.Glob("../../internal/pickle/testdata/ok/*.p[45].pkl")
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil || len(data) > 4096 {
			continue
		}
		f.Add(data)
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(data)
		w.Close()
		f.Add(z.Bytes())
	}
	c := djangocache.Zlib(djangocache.PickleCodec{})
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, values, err := c.Decode(data)
		if err != nil {
			if !errors.Is(err, djangocache.ErrCorrupt) {
				t.Fatalf("an error that is not ErrCorrupt: %v", err)
			}
			return
		}
		once, err := c.Encode(keys, values)
		if err != nil {
			t.Fatalf("accepted but cannot write back: %v", err)
		}
		keys2, values2, err := c.Decode(once)
		if err != nil {
			t.Fatalf("cannot read what was written: %v", err)
		}
		twice, err := c.Encode(keys2, values2)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("a second trip changed the data (%v)", err)
		}
	})
}
