// Package djangohash checks and makes password hashes in the format of
// django.contrib.auth.hashers, so the auth_user table a Django site and a Go
// service share works from both: a user whose password Django set logs in
// through Go, and a password Go sets logs in to Django.
//
// # Usage
//
// With h a [Hasher] (its zero value is Django's default configuration), a
// login checks the password the user typed against auth_user.password and
// re-hashes it when the stored hash is weaker than h's:
//
//	// checkPassword returns the hash to store in place of stored, or "".
//	func checkPassword(h djangohash.Hasher, password, stored string) (string, error) {
//		ok, err := h.Check(password, stored)
//		if err != nil || !ok {
//			return "", errors.New("wrong password") // or unusable, or a hash this package cannot read
//		}
//		if h.NeedsUpgrade(stored) {
//			return h.Make(password) // store it, as Django's check_password(setter) does
//		}
//		return "", nil
//	}
//
// # Formats
//
// auth_user.password holds "<algorithm>$<fields>", one format per hasher:
//
//   - pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte key>:
//     PBKDF2PasswordHasher, Django's default.
//   - pbkdf2_sha1$<iterations>$<salt>$<base64 of the 20-byte key>:
//     PBKDF2SHA1PasswordHasher.
//   - argon2$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>:
//     Argon2PasswordHasher, salt and hash in base64 without padding
//     (argon2i, which Django wrote before 3.2, is read too).
//   - bcrypt_sha256$$2b$<cost>$<22-character salt><31-character hash>:
//     BCryptSHA256PasswordHasher.
//   - scrypt$<N>$<salt>$<r>$<p>$<base64 of the 64-byte key>:
//     ScryptPasswordHasher (Django 4.0 and later).
//   - "!" and 40 random characters: an unusable password
//     (set_unusable_password).
//
// Salts are 22 characters of [a-zA-Z0-9] (128 bits), as Django makes them.
// bcrypt_sha256 hashes the hex SHA-256 of the password, so passwords past
// bcrypt's 72 bytes are not truncated.
//
// # Django's rules, kept
//
// An unusable password never matches. Comparisons are constant-time. When a
// check cannot succeed (unusable password, unknown algorithm, malformed
// hash) the hasher still does the work of one hash, and a wrong password
// against a hash weaker than the hasher's settings costs the missing work
// too, as Django's harden_runtime does, so the time a check takes says
// little about which case it was. [Hasher.NeedsUpgrade] reports a hash of
// another algorithm, with weaker settings or a short salt: the caller
// re-hashes the password it just checked, as Django does on login.
//
// Stronger is never downgraded: a hash with more iterations than the
// hasher's does not need an upgrade. (Django re-hashes when the count
// differs at all, so a Django site with a lower count lowers a count Go
// raised at the user's next login there; both sides still check both.)
//
// # Errors
//
// Check returns [ErrUnusablePassword] for Django's unusable passwords,
// [ErrUnknownAlgorithm] for a hasher this package does not implement (md5,
// sha1, crypt, plain bcrypt, argon2d), and [ErrMalformed] for a hash it
// cannot parse or whose parameters are out of range. All three mean "no
// login"; they are errors so a caller can tell a damaged row from a wrong
// password. The package keeps no global state.
package djangohash

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
)

// Algorithm names, as Django writes them before the first "$".
const (
	PBKDF2SHA256 = "pbkdf2_sha256"
	PBKDF2SHA1   = "pbkdf2_sha1"
	Argon2       = "argon2"
	BcryptSHA256 = "bcrypt_sha256"
	Scrypt       = "scrypt"
)

// DefaultIterations is PBKDF2PasswordHasher.iterations of Django 6.1, the
// latest release (August 2026; 6.0 had 1,200,000, 5.2 LTS 1,000,000, 3.2
// LTS 260,000).
const DefaultIterations = 1_500_000

// Argon2Params are Argon2's costs. The zero value means Django's:
// Argon2PasswordHasher's time_cost 2, memory_cost 102400 KiB, parallelism 8.
type Argon2Params struct {
	Time    uint32 // passes over memory
	Memory  uint32 // KiB
	Threads uint8  // lanes
}

// ScryptParams are scrypt's costs. The zero value means Django's:
// ScryptPasswordHasher's work_factor 2**14, block_size 8, parallelism 1.
type ScryptParams struct {
	N, R, P int
}

// Hasher makes hashes with one algorithm and its costs, and checks hashes
// of every algorithm the package knows. The zero value is Django's default
// configuration; Hasher is a value and safe for concurrent use.
type Hasher struct {
	// Algorithm of the hashes Make returns. Optional. Default value is
	// PBKDF2SHA256, Django's first PASSWORD_HASHERS entry.
	Algorithm string
	// Iterations of new PBKDF2 hashes. Optional. Default value is
	// DefaultIterations. Checks accept any count.
	Iterations int
	// Argon2 costs of new argon2 hashes. Optional. Default value is Django's.
	Argon2 Argon2Params
	// BcryptCost of new bcrypt_sha256 hashes. Optional. Default value is 12,
	// Django's BCryptSHA256PasswordHasher.rounds.
	BcryptCost int
	// Scrypt costs of new scrypt hashes. Optional. Default value is Django's.
	Scrypt ScryptParams
}

// Errors of Check; each means the password does not match.
var (
	// ErrUnusablePassword: the hash is Django's unusable password ("!..."),
	// set for users who may not log in with a password.
	ErrUnusablePassword = errors.New("djangohash: unusable password")
	// ErrUnknownAlgorithm: the hash is of a hasher this package does not
	// implement.
	ErrUnknownAlgorithm = errors.New("djangohash: unknown algorithm")
	// ErrMalformed: the hash cannot be parsed, or its parameters are out of
	// range.
	ErrMalformed = errors.New("djangohash: malformed hash")
)

// unusablePrefix and unusableSuffixLength are Django's
// UNUSABLE_PASSWORD_PREFIX and UNUSABLE_PASSWORD_SUFFIX_LENGTH.
const (
	unusablePrefix       = "!"
	unusableSuffixLength = 40
)

// saltAlphabet is Django's RANDOM_STRING_CHARS; saltLength characters of
// it carry the 128 bits of BasePasswordHasher.salt_entropy.
const (
	saltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	saltLength   = 22
)

// stored is one parsed stored hash.
type stored interface {
	// check reports whether password matches, in constant time.
	check(password string) (bool, error)
	// weakerThan reports whether h would make a stronger hash of this
	// algorithm.
	weakerThan(h *Hasher) bool
	// harden spends the work that h's settings cost beyond this hash's.
	harden(h *Hasher, password string)
}

// Check reports whether password matches encoded, a hash Django or Make
// wrote. It returns an error wrapping ErrUnusablePassword,
// ErrUnknownAlgorithm or ErrMalformed when encoded cannot match any
// password.
func (h Hasher) Check(password, encoded string) (bool, error) {
	parsed, err := parse(encoded)
	if err != nil {
		h.fakeWork()
		return false, err
	}
	ok, err := parsed.check(password)
	if err != nil {
		h.fakeWork()
		return false, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !ok && algorithmOf(encoded) == h.algorithm() {
		parsed.harden(&h, password)
	}
	return ok, nil
}

// NeedsUpgrade reports whether encoded should be replaced by Make's hash of
// the same password: it is of another algorithm than h.Algorithm, its costs
// are below h's, or its salt is shorter than Django's 128 bits. It reports
// false for hashes Check refuses: there is no password to re-hash.
func (h Hasher) NeedsUpgrade(encoded string) bool {
	parsed, err := parse(encoded)
	if err != nil {
		return false
	}
	return algorithmOf(encoded) != h.algorithm() || parsed.weakerThan(&h)
}

// Make returns a hash of password with h's algorithm, costs and a new
// random salt, as Django's make_password does. It fails for costs out of
// the range Check accepts.
func (h Hasher) Make(password string) (string, error) {
	encoded, err := h.make(password)
	if err != nil {
		return "", err
	}
	if _, err := parse(encoded); err != nil {
		return "", fmt.Errorf("djangohash: Hasher's costs out of range: %w", err)
	}
	return encoded, nil
}

func (h Hasher) make(password string) (string, error) {
	salt := randomString(saltLength)
	switch h.algorithm() {
	case PBKDF2SHA256:
		return pbkdf2Hash{algorithm: PBKDF2SHA256, iterations: h.iterations(), salt: salt}.encode(password)
	case PBKDF2SHA1:
		return pbkdf2Hash{algorithm: PBKDF2SHA1, iterations: h.iterations(), salt: salt}.encode(password)
	case Argon2:
		if p := h.argon2(); p.Time < 1 || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) || p.Memory > argon2MaxMemory {
			return "", fmt.Errorf("djangohash: Argon2 costs %+v: want Time >= 1, Threads >= 1, 8*Threads <= Memory <= %d", p, argon2MaxMemory)
		}
		return newArgon2(h.argon2(), salt).encode(password), nil
	case BcryptSHA256:
		return makeBcrypt(password, h.bcryptCost())
	case Scrypt:
		p := h.scrypt()
		return scryptHash{n: p.N, r: p.R, p: p.P, salt: salt}.encode(password)
	}
	return "", fmt.Errorf("%w: Hasher.Algorithm %q (want one of %s, %s, %s, %s, %s)",
		ErrUnknownAlgorithm, h.Algorithm, PBKDF2SHA256, PBKDF2SHA1, Argon2, BcryptSHA256, Scrypt)
}

// Check reports whether password matches encoded, with Django's default
// settings for the timing work; see [Hasher.Check].
func Check(password, encoded string) (bool, error) { return Hasher{}.Check(password, encoded) }

// Make hashes password with Django's default hasher; see [Hasher.Make].
func Make(password string) (string, error) { return Hasher{}.Make(password) }

// Unusable returns a new unusable password, as Django's
// set_unusable_password stores: "!" and 40 random characters. No password
// matches it.
func Unusable() string { return unusablePrefix + randomString(unusableSuffixLength) }

// IsUsable reports whether encoded is not an unusable password, as
// Django's is_password_usable.
func IsUsable(encoded string) bool { return !strings.HasPrefix(encoded, unusablePrefix) }

// parse reads encoded into the hash of its algorithm.
func parse(encoded string) (stored, error) {
	if !IsUsable(encoded) {
		return nil, ErrUnusablePassword
	}
	var (
		parsed stored
		err    error
	)
	switch alg := algorithmOf(encoded); alg {
	case PBKDF2SHA256, PBKDF2SHA1:
		parsed, err = parsePBKDF2(encoded)
	case Argon2:
		parsed, err = parseArgon2(encoded)
	case BcryptSHA256:
		parsed, err = parseBcrypt(encoded)
	case Scrypt:
		parsed, err = parseScrypt(encoded)
	case "":
		return nil, fmt.Errorf("%w: no algorithm name", ErrMalformed)
	default:
		if alg == encoded { // Django's unsalted md5 and sha1 have no "$"
			return nil, fmt.Errorf("%w: no \"$\" (an unsalted legacy hash, or not a hash)", ErrUnknownAlgorithm)
		}
		return nil, fmt.Errorf("%w: %q", ErrUnknownAlgorithm, alg)
	}
	if errors.Is(err, ErrUnknownAlgorithm) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, algorithmOf(encoded), err)
	}
	return parsed, nil
}

// algorithmOf is what comes before the first "$", as Django's
// identify_hasher reads it.
func algorithmOf(encoded string) string {
	alg, _, _ := strings.Cut(encoded, "$")
	return alg
}

// fakeWork makes one hash of a random password, as Django's check_password
// does for a password that cannot match, so that answer takes as long as a
// real check.
func (h Hasher) fakeWork() {
	_, _ = h.Make(randomString(unusableSuffixLength))
}

func (h Hasher) algorithm() string {
	if h.Algorithm == "" {
		return PBKDF2SHA256
	}
	return h.Algorithm
}

func (h Hasher) iterations() int {
	if h.Iterations <= 0 {
		return DefaultIterations
	}
	return h.Iterations
}

func (h Hasher) argon2() Argon2Params {
	if h.Argon2 == (Argon2Params{}) {
		return Argon2Params{Time: 2, Memory: 102400, Threads: 8}
	}
	return h.Argon2
}

func (h Hasher) bcryptCost() int {
	if h.BcryptCost == 0 {
		return 12
	}
	return h.BcryptCost
}

func (h Hasher) scrypt() ScryptParams {
	if h.Scrypt == (ScryptParams{}) {
		return ScryptParams{N: 1 << 14, R: 8, P: 1}
	}
	return h.Scrypt
}

// shortSalt is Django's must_update_salt: fewer than 128 bits of
// RANDOM_STRING_CHARS.
func shortSalt(salt string) bool { return len(salt) < saltLength }

// randomString is n characters of saltAlphabet from crypto/rand, as
// Django's get_random_string.
func randomString(n int) string {
	const limit = 256 - 256%len(saltAlphabet) // bytes at or above bias the result
	out := make([]byte, 0, n)
	var b [64]byte
	for len(out) < n {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		for _, c := range b {
			if int(c) < limit && len(out) < n {
				out = append(out, saltAlphabet[int(c)%len(saltAlphabet)])
			}
		}
	}
	return string(out)
}
