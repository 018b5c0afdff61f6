package stores

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

// Key rules shared by every server-side store. They match Django's, so keys
// made here fit django_session.session_key (varchar(40)) and Django's own
// keys are accepted here.
const (
	// KeyLength is the length of a generated key.
	KeyLength = 32
	// MinKeyLength is the shortest key accepted from a client (Django: 8).
	MinKeyLength = 8
	// MaxKeyLength is the longest key accepted, the width of Django's column.
	MaxKeyLength = 40
	// KeyAlphabet is the set generated keys are drawn from, and the only
	// characters accepted in a key.
	KeyAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// ErrInvalidKey reports a key that breaks the key rules. Stores return it
// (wrapped) when a caller hands them such a key directly; the middleware
// never does.
var ErrInvalidKey = errors.New("stores: invalid session key")

// ValidKey reports whether key follows the rules: MinKeyLength to
// MaxKeyLength characters, each from KeyAlphabet. Such a key is safe as a
// file name, a Redis key suffix or an SQL parameter.
func ValidKey(key string) bool {
	if len(key) < MinKeyLength || len(key) > MaxKeyLength {
		return false
	}
	// Eight bytes at a time: every request with a session cookie checks one.
	i := 0
	for ; i+8 <= len(key); i += 8 {
		w := key[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		if !keyWord(x) {
			return false
		}
	}
	for ; i < len(key); i++ {
		if !keyChar[key[i]] {
			return false
		}
	}
	return true
}

// keyWord reports whether each of the eight bytes of x is in KeyAlphabet
// ([a-z0-9]), without a branch per byte. For bytes under 0x80, adding
// 0x80-lo sets a byte's high bit exactly when it is >= lo, and adding
// 0x7f-hi exactly when it is > hi; no byte carries into the next.
func keyWord(x uint64) bool {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	if x&high != 0 {
		return false
	}
	in := func(lo, hi uint64) uint64 { return (x + (0x80-lo)*ones) &^ (x + (0x7f-hi)*ones) }
	return (in('a', 'z')|in('0', '9'))&high == high
}

// keyChar marks the bytes of KeyAlphabet, for the bytes after the last
// whole word of a key.
var keyChar = func() (t [256]bool) {
	for i := 0; i < len(KeyAlphabet); i++ {
		t[KeyAlphabet[i]] = true
	}
	return t
}()

// CheckKey returns nil for a valid key and an error naming the problem
// (wrapping ErrInvalidKey) otherwise.
func CheckKey(key string) error {
	if ValidKey(key) {
		return nil
	}
	if len(key) < MinKeyLength || len(key) > MaxKeyLength {
		return fmt.Errorf("%w: length %d, want %d to %d", ErrInvalidKey, len(key), MinKeyLength, MaxKeyLength)
	}
	return fmt.Errorf("%w: only [a-z0-9] is allowed", ErrInvalidKey)
}

// RedactedLength is how many leading characters of a key Redact keeps.
const RedactedLength = 6

// Redact is how a key appears in logs and errors, in every store and in the
// middleware: its first RedactedLength characters and "…", enough to
// correlate log lines, far too little to hijack the session (a valid key
// keeps at least 2 of its characters, over 10 bits, hidden; a generated one
// 26, about 134 bits).
func Redact(key string) string {
	if len(key) <= RedactedLength {
		return key + "…"
	}
	return key[:RedactedLength] + "…"
}

// NewKey returns KeyLength characters drawn uniformly from KeyAlphabet with
// crypto/rand, about 165 bits of entropy.
func NewKey() string {
	var out [KeyLength]byte
	// crypto/rand costs more than the rest of NewKey, so each 64-bit word
	// of it makes 11 characters (36^11 < 2^64): 24 bytes a key instead of
	// 64. A word at or over the largest multiple of 36^11 is drawn again,
	// so every character stays uniform.
	var buf [24]byte
	n := 0
	for {
		// rand.Read never fails on supported platforms (Go 1.24+ crashes the
		// program instead), so there is no error to report.
		_, _ = rand.Read(buf[:])
		for i := 0; i < len(buf); i += 8 {
			x := binary.LittleEndian.Uint64(buf[i:])
			if x >= wordLimit {
				continue
			}
			for range min(charsPerWord, KeyLength-n) {
				out[n] = KeyAlphabet[x%36]
				x /= 36
				n++
			}
			if n == KeyLength {
				return string(out[:])
			}
		}
	}
}

// charsPerWord base-36 digits fit in a 64-bit word; wordLimit is the
// largest multiple of 36^charsPerWord a word can hold, the bound under
// which its digits are uniform.
const (
	charsPerWord = 11
	wordSpan     = 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36 * 36
	wordLimit    = (1<<64 - 1) / wordSpan * wordSpan
)
