package main

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Django's default password hasher, PBKDF2PasswordHasher: auth_user.password
// holds "pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte key>", so
// a user created by Django (createsuperuser, the admin) logs in here and a
// password set here logs in there.

// djangoIterations is Django 3.2's PBKDF2PasswordHasher.iterations.
const djangoIterations = 260000

// maxIterations bounds the work one stored hash can ask for: a row with an
// absurd count must not stall a login for minutes.
const maxIterations = 10_000_000

// saltAlphabet and saltLength are Django's: get_random_string(22), about
// 131 bits.
const (
	saltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	saltLength   = 22
)

// errUnusableHash is a stored password no check can match: Django's
// unusable passwords ("!..."), other hashers, or a damaged row.
var errUnusableHash = errors.New("the stored password is not a pbkdf2_sha256 hash")

// makePassword hashes password as Django's make_password does with the
// default hasher, with iterations rounds.
func makePassword(password string, iterations int) (string, error) {
	salt := make([]byte, saltLength)
	for i := range salt {
		salt[i] = saltAlphabet[randIntn(len(saltAlphabet))]
	}
	return encodePassword(password, string(salt), iterations)
}

// encodePassword uses the standard library's PBKDF2 (Go 1.24+), the same
// function as golang.org/x/crypto/pbkdf2 without the dependency.
func encodePassword(password, salt string, iterations int) (string, error) {
	key, err := pbkdf2.Key(sha256.New, password, []byte(salt), iterations, sha256.Size)
	if err != nil { // FIPS 140-3 mode refuses salts under 16 bytes
		return "", fmt.Errorf("pbkdf2: %w", err)
	}
	return "pbkdf2_sha256$" + strconv.Itoa(iterations) + "$" + salt + "$" + base64.StdEncoding.EncodeToString(key), nil
}

// checkPassword reports whether password matches the stored Django hash,
// comparing in constant time.
func checkPassword(password, stored string) (bool, error) {
	parts := strings.Split(stored, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2_sha256" {
		return false, errUnusableHash
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil || n < 1 || n > maxIterations {
		return false, fmt.Errorf("%w: iterations %q", errUnusableHash, parts[1])
	}
	want, err := encodePassword(password, parts[2], n)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(stored)) == 1, nil
}

// randIntn is a uniform random number in [0, n) from crypto/rand.
func randIntn(n int) int {
	limit := 256 - 256%n // reject the bytes that would bias the result
	var b [1]byte
	for {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
