package signing

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzLoads feeds Loads arbitrary input, signed or not. It must never panic,
// must classify every failure with one of the package's sentinels, and must
// never return more than MaxSize bytes.
func FuzzLoads(f *testing.F) {
	c := Config{Key: vectorSecret, Salt: sessionSalt, MaxSize: 64 << 10}
	f.Add(bigVector, false)
	f.Add("eyJhIjoxfQ:1r31eq:_aJ7yMmc1HwH5IUxenklKf9csAfBeVYWHojANb4Sp0U", false)
	f.Add("", false)
	f.Add(":::", false)
	f.Add(".eJwFwcERACAIwLCF", true)
	f.Add("eyJhIjoxfQ:1r31eq", true)
	f.Add("x:-AzL8n0Y58m8", true)
	f.Add("."+b64Encode(zlibOf(f, make([]byte, 128<<10))), true) // a bomb past MaxSize
	f.Fuzz(func(t *testing.T, s string, sign bool) {
		if sign {
			// Sign the fuzzer's string so the decoding stages behind the
			// signature check are reached too.
			var err error
			if s, err = signerOf(c).Sign(s); err != nil {
				t.Fatal(err)
			}
		}
		data, _, err := Loads(s, c)
		if err != nil {
			if !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if len(data) > c.MaxSize {
			t.Fatalf("returned %d bytes, over MaxSize %d", len(data), c.MaxSize)
		}
		again, err := Dumps(data, Config{Key: c.Key, Salt: c.Salt, Compress: true})
		if err != nil {
			t.Fatal(err)
		}
		back, _, err := Loads(again, c)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("re-signed data does not round-trip: %v", err)
		}
	})
}
