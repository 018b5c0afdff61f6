package djangohash

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// bcryptHash is "bcrypt_sha256$$2b$<cost>$<salt><hash>": Django's
// BCryptSHA256PasswordHasher, "bcrypt_sha256$" before the bcrypt string of
// the hex SHA-256 of the password.
type bcryptHash struct {
	data []byte // the bcrypt string, "$2b$12$..."
	cost int
}

func parseBcrypt(encoded string) (bcryptHash, error) {
	data, _ := strings.CutPrefix(encoded, BcryptSHA256+"$")
	cost, err := bcrypt.Cost([]byte(data))
	if err != nil {
		return bcryptHash{}, err
	}
	if len(data) != 60 || !strings.HasPrefix(data, "$2") {
		return bcryptHash{}, errors.New("want a 60-character bcrypt string after \"bcrypt_sha256$\"")
	}
	return bcryptHash{data: []byte(data), cost: cost}, nil
}

// prehash is what Django gives bcrypt: 64 hex digits, under bcrypt's
// 72-byte limit whatever the password's length.
func prehash(password string) []byte {
	sum := sha256.Sum256([]byte(password))
	return []byte(hex.EncodeToString(sum[:]))
}

// makeBcrypt writes the "$2b$" prefix Python's bcrypt writes; for
// passwords under 255 bytes (prehash's are 64) 2a and 2b hash alike.
func makeBcrypt(password string, cost int) (string, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost { // GenerateFromPassword would take 10
		return "", fmt.Errorf("djangohash: bcrypt cost %d: want %d to %d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	data, err := bcrypt.GenerateFromPassword(prehash(password), cost)
	if err != nil {
		return "", fmt.Errorf("djangohash: bcrypt: %w", err)
	}
	return BcryptSHA256 + "$$2b" + strings.TrimPrefix(string(data), "$2a"), nil
}

// check uses bcrypt's own comparison, which is constant-time.
func (b bcryptHash) check(password string) (bool, error) {
	err := bcrypt.CompareHashAndPassword(b.data, prehash(password))
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return false, nil
	}
	return err == nil, err
}

func (b bcryptHash) weakerThan(h *Hasher) bool { return b.cost < h.bcryptCost() }

// harden hashes again for every doubling of cost the stored hash lacks, as
// Django's harden_runtime does.
func (b bcryptHash) harden(h *Hasher, password string) {
	for extra := 1<<max(h.bcryptCost()-b.cost, 0) - 1; extra > 0; extra-- {
		_ = bcrypt.CompareHashAndPassword(b.data, prehash(password))
	}
}
