package stores_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/ginsession/ginsession/stores"
)

// validKeyRule is the key rule, spelled as a regular expression: the
// reference ValidKey is fuzzed against.
var validKeyRule = regexp.MustCompile(`^[a-z0-9]{8,40}$`)

// FuzzValidKey checks ValidKey and CheckKey against the rule for arbitrary
// strings (cookie values reach them as they are).
func FuzzValidKey(f *testing.F) {
	for _, seed := range []string{
		"", "abc", "1234567", "12345678", stores.NewKey(), strings.Repeat("z", 40), strings.Repeat("z", 41),
		"ABCDEFGH", "abcdefg-", "abcdefg\x00", "../../../etc", "abcdefgé", "abcdefgh\n", "0123456789abcdef{",
		"abcdefg\xff", "`abcdefg", "abcdefg/",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, key string) {
		want := validKeyRule.MatchString(key)
		if got := stores.ValidKey(key); got != want {
			t.Fatalf("ValidKey(%q) = %v, want %v", key, got, want)
		}
		err := stores.CheckKey(key)
		if (err == nil) != want || (err != nil && !errors.Is(err, stores.ErrInvalidKey)) {
			t.Fatalf("CheckKey(%q) = %v", key, err)
		}
	})
}

func TestRedactKeepsSixCharactersAndMarksTheCut(t *testing.T) {
	for key, want := range map[string]string{
		"":                                 "…",
		"abc":                              "abc…",
		"abcdef":                           "abcdef…",
		"abcdefg":                          "abcdef…",
		"abcdefghijklmnopqrstuvwxyz012345": "abcdef…",
	} {
		if got := stores.Redact(key); got != want {
			t.Errorf("Redact(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestValidKeyChecksEveryByteAtEveryPosition: ValidKey checks eight bytes
// at a time, so a wrong byte must be caught wherever it sits and whatever
// its neighbours: every byte value at every position of keys of every
// valid length, next to the alphabet's edges ('0', '9', 'a', 'z'), agrees
// with the rule.
func TestValidKeyChecksEveryByteAtEveryPosition(t *testing.T) {
	for n := stores.MinKeyLength; n <= stores.MaxKeyLength; n++ {
		for _, fill := range []byte{'0', '9', 'a', 'z'} {
			key := []byte(strings.Repeat(string(fill), n))
			for i := range key {
				for b := range 256 {
					key[i] = byte(b)
					if got, want := stores.ValidKey(string(key)), validKeyRule.Match(key); got != want {
						t.Fatalf("ValidKey(%q) = %v, want %v", key, got, want)
					}
				}
				key[i] = fill
			}
		}
	}
}
