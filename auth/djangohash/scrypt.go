package djangohash

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// scryptHash is "scrypt$<N>$<salt>$<r>$<p>$<key>": Django 4.0's
// ScryptPasswordHasher, a 64-byte key in standard base64.
type scryptHash struct {
	n, r, p int
	salt    string
	encoded string // as stored, compared whole as Django does
}

// scryptMaxMemory bounds 128·N·r, the memory one check takes (1 GiB; Django's
// default costs take 16 MiB, and Python's hashlib refuses over 32 MiB).
const scryptMaxMemory = 1 << 30

func parseScrypt(encoded string) (scryptHash, error) {
	f := strings.Split(encoded, "$")
	if len(f) != 6 {
		return scryptHash{}, errors.New("want scrypt$<N>$<salt>$<r>$<p>$<hash>")
	}
	var costs [3]int
	for i, v := range []string{f[1], f[3], f[4]} {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || strconv.Itoa(n) != v {
			return scryptHash{}, fmt.Errorf("cost %q", v)
		}
		costs[i] = n
	}
	s := scryptHash{n: costs[0], r: costs[1], p: costs[2], salt: f[2], encoded: encoded}
	switch {
	case s.n < 2 || s.n&(s.n-1) != 0:
		return scryptHash{}, fmt.Errorf("cost N=%d is not a power of 2", s.n)
	case s.r > scryptMaxMemory/128/s.n:
		return scryptHash{}, fmt.Errorf("costs N=%d r=%d need over %d bytes", s.n, s.r, scryptMaxMemory)
	case s.p > 1<<16:
		return scryptHash{}, fmt.Errorf("p=%d", s.p)
	case s.salt == "":
		return scryptHash{}, errors.New("empty salt")
	}
	return s, nil
}

func (s scryptHash) encode(password string) (string, error) {
	key, err := scrypt.Key([]byte(password), []byte(s.salt), s.n, s.r, s.p, 64)
	if err != nil {
		return "", fmt.Errorf("djangohash: scrypt: %w", err)
	}
	return fmt.Sprintf("scrypt$%d$%s$%d$%d$%s", s.n, s.salt, s.r, s.p, base64.StdEncoding.EncodeToString(key)), nil
}

// check recomputes the whole encoded string, as Django's verify does.
func (s scryptHash) check(password string) (bool, error) {
	again, err := s.encode(password)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare([]byte(again), []byte(s.encoded)) == 1, nil
}

func (s scryptHash) weakerThan(h *Hasher) bool {
	want := h.scrypt()
	return s.n < want.N || s.r < want.R || s.p < want.P || shortSalt(s.salt)
}

// harden does nothing, as Django's.
func (s scryptHash) harden(*Hasher, string) {}
