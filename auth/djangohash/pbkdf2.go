package djangohash

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// pbkdf2Hash is "pbkdf2_sha256$<iterations>$<salt>$<key>" (or pbkdf2_sha1),
// Django's PBKDF2PasswordHasher and PBKDF2SHA1PasswordHasher.
type pbkdf2Hash struct {
	algorithm  string
	iterations int
	salt       string
	encoded    string // as stored, compared whole as Django does
}

func parsePBKDF2(encoded string) (pbkdf2Hash, error) {
	fields := strings.SplitN(encoded, "$", 4)
	if len(fields) != 4 {
		return pbkdf2Hash{}, errors.New("want 4 fields separated by \"$\"")
	}
	n, err := strconv.Atoi(fields[1])
	if err != nil || n < 1 || strconv.Itoa(n) != fields[1] {
		return pbkdf2Hash{}, fmt.Errorf("iterations %q", fields[1])
	}
	if fields[2] == "" {
		return pbkdf2Hash{}, errors.New("empty salt")
	}
	return pbkdf2Hash{algorithm: fields[0], iterations: n, salt: fields[2], encoded: encoded}, nil
}

func (p pbkdf2Hash) digest() (func() hash.Hash, int) {
	if p.algorithm == PBKDF2SHA1 {
		return sha1.New, sha1.Size
	}
	return sha256.New, sha256.Size
}

// encode is Django's PBKDF2PasswordHasher.encode: a key as long as the
// digest, in standard base64.
func (p pbkdf2Hash) encode(password string) (string, error) {
	h, size := p.digest()
	key, err := pbkdf2.Key(h, password, []byte(p.salt), p.iterations, size)
	if err != nil { // FIPS 140-3 mode refuses salts under 16 bytes
		return "", fmt.Errorf("djangohash: %s: %w", p.algorithm, err)
	}
	return p.algorithm + "$" + strconv.Itoa(p.iterations) + "$" + p.salt + "$" + base64.StdEncoding.EncodeToString(key), nil
}

// check recomputes the whole encoded string and compares it with the
// stored one, as Django's verify does: a key in another base64 spelling
// does not match there, so it does not match here.
func (p pbkdf2Hash) check(password string) (bool, error) {
	again, err := p.encode(password)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(again), []byte(p.encoded)) == 1, nil
}

func (p pbkdf2Hash) weakerThan(h *Hasher) bool {
	return p.iterations < h.iterations() || shortSalt(p.salt)
}

// harden runs the iterations h would have used beyond this hash's.
func (p pbkdf2Hash) harden(h *Hasher, password string) {
	if extra := h.iterations() - p.iterations; extra > 0 {
		p.iterations = extra
		_, _ = p.encode(password)
	}
}
