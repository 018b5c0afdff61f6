package djangohash

import (
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
)

// FuzzParse feeds the parser any stored string: it never panics, refuses
// with one of the package's errors, and what it accepts is exactly what it
// would write back. Hashes cheap enough to check are checked, which must not
// panic either.
func FuzzParse(f *testing.F) {
	for _, d := range djangoHashes {
		f.Add(d.encoded)
	}
	f.Add("!unusable")
	f.Add("argon2$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA")
	f.Add("scrypt$2$s$1$1$x")
	f.Fuzz(func(t *testing.T, encoded string) {
		parsed, err := parse(encoded)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownAlgorithm) && !errors.Is(err, ErrUnusablePassword) {
				t.Fatalf("parse(%q) = %v, none of the package's errors", encoded, err)
			}
			return
		}
		var again string
		cheap := false
		switch p := parsed.(type) {
		case pbkdf2Hash:
			again = p.encoded
			cheap = p.iterations <= 10_000
		case argon2Hash:
			b64 := base64.RawStdEncoding.EncodeToString
			again = fmt.Sprintf("argon2$%s$v=19$m=%d,t=%d,p=%d$%s$%s", p.variety, p.Memory, p.Time, p.Threads, b64(p.salt), b64(p.key))
			cheap = uint64(p.Memory)*uint64(p.Time) <= 1<<14
		case bcryptHash:
			again = BcryptSHA256 + "$" + string(p.data)
			cheap = p.cost <= 5
		case scryptHash:
			again = p.encoded
			cheap = p.n*p.r*p.p <= 1<<12
		default:
			t.Fatalf("parse(%q) = %T", encoded, parsed)
		}
		if again != encoded {
			t.Fatalf("parse(%q) accepted a hash it would write as %q", encoded, again)
		}
		if cheap {
			_, _ = parsed.check("password")
		}
	})
}
