package filestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// FuzzKeyPath hands every Store method an arbitrary key, in a directory that
// sits beside a sentinel file and a sibling directory. Whatever the key, no
// file is ever made, changed or removed outside the store's directory; the
// only file inside it is <prefix><key> for a valid key; an invalid key is
// refused by every mutator with ErrInvalidKey and is absent for readers.
func FuzzKeyPath(f *testing.F) {
	root := f.TempDir()
	dir := filepath.Join(root, "store")
	sibling := filepath.Join(root, "sibling")
	for _, d := range []string{dir, sibling} {
		if err := os.Mkdir(d, 0o700); err != nil {
			f.Fatal(err)
		}
	}
	sentinel := filepath.Join(root, "sentinel")
	if err := os.WriteFile(sentinel, []byte("keep"), 0o600); err != nil {
		f.Fatal(err)
	}
	s, err := New(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		"abcdefgh", "k3yk3yk3yk3yk3yk3yk3yk3yk3yk3y00", strings.Repeat("a", 40), strings.Repeat("a", 41),
		"../sentinel", "../../etc/passwd", "..%2fsentinel", "/etc/passwd", "abc/../../x", "abcdefg\x00h",
		`..\..\sentinel`, "ABCDEFGH", "abcdefgh/", "abcdefgh_out_x", ".", "..", "", "sibling/../../sentinel",
		"abcdefgh\nabcdefgh", "абвгдежз",
	} {
		f.Add(seed)
	}
	ctx := context.Background()
	exp := time.Now().Add(time.Hour)
	f.Fuzz(func(t *testing.T, key string) {
		valid := stores.ValidKey(key)
		if valid {
			p := s.path(key)
			if filepath.Dir(p) != s.dir || filepath.Base(p) != s.prefix+key {
				t.Fatalf("the path of a valid key leaves the directory: %q", p)
			}
		}
		errs := map[string]error{
			"Create": s.Create(ctx, key, []byte("x"), exp),
			"Update": s.Update(ctx, key, []byte("y"), exp),
			"Touch":  s.Touch(ctx, key, exp),
		}
		data, loadErr := s.Load(ctx, key)
		ok, existsErr := s.Exists(ctx, key)
		// What is in the directory now, before Delete.
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		errs["Delete"] = s.Delete(ctx, key)
		if valid {
			for op, err := range errs {
				if err != nil {
					t.Fatalf("%s of a valid key: %v", op, err)
				}
			}
			if loadErr != nil || string(data) != "y" || !ok || existsErr != nil {
				t.Fatalf("a valid key did not round-trip: %q %v %v %v", data, loadErr, ok, existsErr)
			}
			if len(entries) != 1 || entries[0].Name() != s.prefix+key {
				t.Fatalf("the directory holds %v, want only the key's file", entries)
			}
		} else {
			for op, err := range errs {
				if !errors.Is(err, stores.ErrInvalidKey) {
					t.Fatalf("%s of invalid key %q: %v, want ErrInvalidKey", op, key, err)
				}
			}
			if !errors.Is(loadErr, stores.ErrNotFound) || ok || existsErr != nil {
				t.Fatalf("an invalid key %q was found: %v %v %v", key, loadErr, ok, existsErr)
			}
			if len(entries) != 0 {
				t.Fatalf("invalid key %q left files in the directory: %v", key, entries)
			}
		}
		// Nothing outside the directory moved.
		b, err := os.ReadFile(sentinel)
		if err != nil || string(b) != "keep" {
			t.Fatalf("the sentinel beside the directory changed: %q %v", b, err)
		}
		var outside []string
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				t.Fatal(err)
			case p == root || p == sentinel || p == sibling || p == dir:
			case filepath.Dir(p) == dir:
				outside = append(outside, "(left in the store) "+d.Name())
			default:
				outside = append(outside, p)
			}
			return nil
		})
		if len(outside) > 0 {
			t.Fatalf("key %q left %v", key, outside)
		}
	})
}
