package pickle

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecodeDict starts from the pickles Python wrote (testdata, protocols
// 2 to 5) and checks, for any input: no panic; a refusal is ErrCorrupt;
// what is accepted writes back, and what that writes reads back as the
// same (compared as the bytes each writes, so a NaN compares equal).
//
//	go test -fuzz FuzzDecodeDict ./internal/pickle
func FuzzDecodeDict(f *testing.F) {
	for _, dir := range []string{"ok", "refused"} {
		for _, data := range readDir(f, dir) {
			if len(data) < 4096 { // the large samples slow every mutation down
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, values, err := DecodeDict(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("an error that is not ErrCorrupt: %v", err)
			}
			return
		}
		once, err := EncodeDict(keys, values)
		if err != nil {
			t.Fatalf("accepted %q but cannot write it back: %v", data, err)
		}
		keys2, values2, err := DecodeDict(once)
		if err != nil {
			t.Fatalf("cannot read what was written: %v\n%q", err, once)
		}
		twice, err := EncodeDict(keys2, values2)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("a second trip changed the pickle (%v):\n%q\n%q", err, once, twice)
		}
	})
}

// FuzzParseISO checks that whatever ParseISO accepts, ISO writes back
// unchanged, and that ISO's output parses.
func FuzzParseISO(f *testing.F) {
	for _, s := range []string{"2026-12-07T18:00:00+00:00", "2026-12-07T18:00:00.123456-05:30", "2000-02-29T00:00:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseISO(s)
		if !ok {
			return
		}
		if d.ISO() != s {
			t.Fatalf("ParseISO(%q).ISO() = %q", s, d.ISO())
		}
		if !d.valid() {
			t.Fatalf("ParseISO(%q) accepted an invalid %+v", s, d)
		}
	})
}
