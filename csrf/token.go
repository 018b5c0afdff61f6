package csrf

import (
	"crypto/rand"
	"crypto/subtle"
)

// Django's token format (django.middleware.csrf).
const (
	// SecretLength is the length of a secret: 32 characters of [a-zA-Z0-9].
	SecretLength = 32
	// TokenLength is the length of a masked token: a fresh 32-character
	// mask followed by the secret ciphered with it.
	TokenLength = 2 * SecretLength
	// allowedChars is Django's CSRF_ALLOWED_CHARS, in its order: the
	// cipher adds and subtracts positions in this string.
	allowedChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// Why a token's format is wrong, Django's phrases (they follow "CSRF cookie"
// or "CSRF token from ...").
const (
	reasonIncorrectLength   = "has incorrect length"
	reasonInvalidCharacters = "has invalid characters"
)

// newSecret returns SecretLength characters drawn uniformly from
// allowedChars with crypto/rand.
func newSecret() string {
	return randomChars(SecretLength)
}

// randomChars returns n characters drawn uniformly from allowedChars. It
// rejects bytes at or above the largest multiple of 62 that fits a byte, so
// no character is more likely than another.
func randomChars(n int) string {
	const limit = 256 - 256%len(allowedChars)
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/4)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("csrf: crypto/rand failed: " + err.Error()) // rand.Read never fails on supported systems
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < n {
				out = append(out, allowedChars[int(b)%len(allowedChars)])
			}
		}
	}
	return string(out)
}

// charIndex returns c's position in allowedChars; c must be one of them.
func charIndex(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a')
	case c >= 'A' && c <= 'Z':
		return 26 + int(c-'A')
	default:
		return 52 + int(c-'0')
	}
}

// mask returns a token for secret, Django's _mask_cipher_secret: a new
// random mask, then each secret character shifted by the mask character
// at the same place. Every call gives another token for the same secret,
// so no secret repeats in a response (BREACH).
func mask(secret string) string {
	m := randomChars(SecretLength)
	out := make([]byte, TokenLength)
	copy(out, m)
	for i := range SecretLength {
		out[SecretLength+i] = allowedChars[(charIndex(secret[i])+charIndex(m[i]))%len(allowedChars)]
	}
	return string(out)
}

// unmask returns the secret of a TokenLength token of allowed characters,
// Django's _unmask_cipher_token.
func unmask(token string) string {
	out := make([]byte, SecretLength)
	for i := range SecretLength {
		d := charIndex(token[SecretLength+i]) - charIndex(token[i])
		if d < 0 {
			d += len(allowedChars)
		}
		out[i] = allowedChars[d]
	}
	return string(out)
}

// checkFormat returns why token is not a secret or a masked token ("" when
// it is one), Django's _check_token_format: the length first, then the
// characters.
func checkFormat(token string) string {
	if len(token) != SecretLength && len(token) != TokenLength {
		return reasonIncorrectLength
	}
	if !onlyAllowed(token) {
		return reasonInvalidCharacters
	}
	return ""
}

// onlyAllowed reports whether every byte of s is in allowedChars.
func onlyAllowed(s string) bool {
	for i := range len(s) {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// secretOf returns the secret of a well-formed stored value or token: a
// masked one is unmasked, a bare secret is the secret.
func secretOf(v string) string {
	if len(v) == TokenLength {
		return unmask(v)
	}
	return v
}

// matches reports whether a well-formed token (masked or bare) carries
// secret, comparing the secrets in constant time, Django's
// _does_token_match.
func matches(token, secret string) bool {
	return subtle.ConstantTimeCompare([]byte(secretOf(token)), []byte(secret)) == 1
}
