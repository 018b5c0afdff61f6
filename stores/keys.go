package stores

import (
	"crypto/rand"
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
	for i := 0; i < len(key); i++ {
		if c := key[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

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
	key := make([]byte, 0, KeyLength)
	var buf [KeyLength]byte
	for len(key) < KeyLength {
		// rand.Read never fails on supported platforms (Go 1.24+ crashes the
		// program instead), so there is no error to report.
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			// 252 is 7*36: a byte at or over it is drawn again, so that
			// every character stays uniform.
			if b < 252 && len(key) < KeyLength {
				key = append(key, KeyAlphabet[b%36])
			}
		}
	}
	return string(key)
}
