package djangohash_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ginsession/ginsession/auth/djangohash"
)

var errWrongPassword = errors.New("wrong username or password")

// checkLogin is a login's password check (the package doc's usage): the
// hash to store afterwards, the same unless it needed an upgrade.
func checkLogin(h djangohash.Hasher, stored, password string) (string, error) {
	ok, err := h.Check(password, stored)
	if err != nil || !ok {
		return "", errWrongPassword // a wrong or unusable password, or a hash this package cannot read
	}
	if h.NeedsUpgrade(stored) {
		return h.Make(password) // store it, as Django's check_password(setter) does
	}
	return stored, nil
}

// A user whose password Django set logs in, and the hash is re-made at the
// hasher's settings, as Django's check_password does with a setter.
func ExampleHasher_Check() {
	// auth_user.password as Django 3.2 stored it (at 1000 iterations to
	// keep the example quick; Django's default then was 260000).
	stored := "pbkdf2_sha256$1000$Zq3kW9xYvB2nL8mR4tP1sD$3WvTty5BI+ZBKsZV25iN1JR7BLRZng7aR08bXtwuXJU="
	h := djangohash.Hasher{Iterations: 2000}

	_, err := checkLogin(h, stored, "guess")
	fmt.Println(err)
	upgraded, err := checkLogin(h, stored, "correct horse battery stäple")
	fmt.Println(strings.Join(strings.Split(upgraded, "$")[:2], "$"), err)
	// Output:
	// wrong username or password
	// pbkdf2_sha256$2000 <nil>
}

// saltAndKey matches the random parts of a hash.
var saltAndKey = regexp.MustCompile(`[A-Za-z0-9+/.=]{16,}`)

// Every algorithm Django ships a hasher for in its default
// PASSWORD_HASHERS, plus scrypt.
func ExampleHasher_Make() {
	for _, h := range []djangohash.Hasher{
		{Algorithm: djangohash.PBKDF2SHA256, Iterations: 1000},
		{Algorithm: djangohash.Argon2, Argon2: djangohash.Argon2Params{Time: 1, Memory: 64, Threads: 1}},
		{Algorithm: djangohash.BcryptSHA256, BcryptCost: 4},
		{Algorithm: djangohash.Scrypt, Scrypt: djangohash.ScryptParams{N: 1024, R: 8, P: 1}},
	} {
		encoded, err := h.Make("s3cret")
		if err != nil {
			panic(err)
		}
		ok, _ := h.Check("s3cret", encoded)
		fmt.Println(saltAndKey.ReplaceAllString(encoded, "…"), ok)
	}
	// Output:
	// pbkdf2_sha256$1000$…$… true
	// argon2$argon2id$v=19$m=64,t=1,p=1$…$… true
	// bcrypt_sha256$$2b$04$… true
	// scrypt$1024$…$8$1$… true
}

// Users who may not log in with a password have Django's unusable
// password; no password matches it.
func ExampleUnusable() {
	stored := djangohash.Unusable()
	h := djangohash.Hasher{Iterations: 1000}
	ok, err := h.Check("", stored)
	fmt.Println(djangohash.IsUsable(stored), ok, errors.Is(err, djangohash.ErrUnusablePassword))
	// Output:
	// false false true
}

// A hash of a hasher this package does not implement is an error a caller
// can tell from a wrong password.
func ExampleCheck_unknownAlgorithm() {
	_, err := djangohash.Hasher{Iterations: 1000}.Check("password", "md5$salt$5f4dcc3b5aa765d61d8327deb882cf99")
	fmt.Println(err)
	fmt.Println(errors.Is(err, djangohash.ErrUnknownAlgorithm))
	// Output:
	// djangohash: unknown algorithm: "md5"
	// true
}
