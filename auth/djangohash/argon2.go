package djangohash

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2Hash is "argon2$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>":
// Django's Argon2PasswordHasher, which writes "argon2" before the PHC string
// argon2-cffi makes. Salt and hash are base64 without padding.
type argon2Hash struct {
	variety string // argon2id; argon2i in hashes Django made before 3.2
	Argon2Params
	salt []byte
	key  []byte
}

// Bounds on what a stored hash may ask for: the reference implementation's
// minimums, golang.org/x/crypto/argon2's lane limit, and a memory ceiling
// (1 GiB, ten times Django's default) so one row cannot exhaust the
// process.
const (
	argon2Version   = "v=19" // golang.org/x/crypto/argon2 implements 1.3 only
	argon2MaxMemory = 1 << 20
	argon2MinSalt   = 8
	argon2MinKey    = 4
	argon2MaxKey    = 1024
	argon2KeyLength = 16 // argon2-cffi's DEFAULT_HASH_LENGTH, which Django uses
)

func newArgon2(p Argon2Params, salt string) argon2Hash {
	return argon2Hash{variety: "argon2id", Argon2Params: p, salt: []byte(salt)}
}

func parseArgon2(encoded string) (argon2Hash, error) {
	f := strings.Split(encoded, "$")
	if len(f) != 6 {
		return argon2Hash{}, errors.New("want argon2$<variety>$v=19$m=..,t=..,p=..$<salt>$<hash>")
	}
	a := argon2Hash{variety: f[1]}
	if a.variety != "argon2id" && a.variety != "argon2i" {
		return argon2Hash{}, fmt.Errorf("%w: argon2 variety %q (argon2id and argon2i are supported)", ErrUnknownAlgorithm, a.variety)
	}
	if f[2] != argon2Version {
		return argon2Hash{}, fmt.Errorf("version %q (only %s, Argon2 1.3)", f[2], argon2Version)
	}
	costs := strings.Split(f[3], ",")
	if len(costs) != 3 {
		return argon2Hash{}, fmt.Errorf("costs %q", f[3])
	}
	var m, t, p uint64
	for i, c := range []struct {
		name string
		to   *uint64
	}{{"m=", &m}, {"t=", &t}, {"p=", &p}} {
		v, ok := strings.CutPrefix(costs[i], c.name)
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || strconv.FormatUint(n, 10) != v {
			return argon2Hash{}, fmt.Errorf("costs %q", f[3])
		}
		*c.to = n
	}
	switch {
	case t < 1:
		return argon2Hash{}, errors.New("t=0")
	case p < 1 || p > 255:
		return argon2Hash{}, fmt.Errorf("p=%d (1 to 255 lanes are supported)", p)
	case m < 8*p:
		return argon2Hash{}, fmt.Errorf("m=%d is under 8 KiB per lane", m)
	case m > argon2MaxMemory:
		return argon2Hash{}, fmt.Errorf("m=%d KiB is over the %d KiB this package allows", m, argon2MaxMemory)
	}
	a.Argon2Params = Argon2Params{Time: uint32(t), Memory: uint32(m), Threads: uint8(p)}
	var err error
	if a.salt, err = base64.RawStdEncoding.Strict().DecodeString(f[4]); err != nil || len(a.salt) < argon2MinSalt {
		return argon2Hash{}, fmt.Errorf("salt %q", f[4])
	}
	if a.key, err = base64.RawStdEncoding.Strict().DecodeString(f[5]); err != nil || len(a.key) < argon2MinKey || len(a.key) > argon2MaxKey {
		return argon2Hash{}, fmt.Errorf("hash %q", f[5])
	}
	return a, nil
}

func (a argon2Hash) derive(password string, keyLen int) []byte {
	if a.variety == "argon2i" {
		return argon2.Key([]byte(password), a.salt, a.Time, a.Memory, a.Threads, uint32(keyLen))
	}
	return argon2.IDKey([]byte(password), a.salt, a.Time, a.Memory, a.Threads, uint32(keyLen))
}

// encode is what Django's encode writes: argon2id, argon2-cffi's hash length.
func (a argon2Hash) encode(password string) string {
	b64 := base64.RawStdEncoding.EncodeToString
	return fmt.Sprintf("argon2$%s$%s$m=%d,t=%d,p=%d$%s$%s", a.variety, argon2Version,
		a.Memory, a.Time, a.Threads, b64(a.salt), b64(a.derive(password, argon2KeyLength)))
}

// check derives a key as long as the stored one, as argon2_verify does.
func (a argon2Hash) check(password string) (bool, error) {
	return subtle.ConstantTimeCompare(a.derive(password, len(a.key)), a.key) == 1, nil
}

func (a argon2Hash) weakerThan(h *Hasher) bool {
	want := h.argon2()
	return a.variety != "argon2id" || a.Time < want.Time || a.Memory < want.Memory ||
		a.Threads < want.Threads || len(a.key) < argon2KeyLength || shortSalt(string(a.salt))
}

// harden does nothing, as Django's: Argon2's cost has no simple top-up.
func (a argon2Hash) harden(*Hasher, string) {}
