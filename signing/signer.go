package signing

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// The salts of a Signer and a TimestampSigner without one, as Django
// derives them from its class names.
const (
	DefaultSignerSalt          = "django.core.signing.Signer"
	DefaultTimestampSignerSalt = "django.core.signing.TimestampSigner"
)

// Signer appends a signature to a value and checks it, as Django's
// signing.Signer with the sha256 algorithm.
//
// The zero value is not usable: Key must be set.
type Signer struct {
	// Key is the secret that signs, Django's SECRET_KEY. Required.
	Key string
	// Fallbacks are older secrets still accepted when verifying, tried in
	// order after Key (Django's SECRET_KEY_FALLBACKS). Optional.
	Fallbacks []string
	// Salt namespaces the signatures, so that a value signed for one purpose
	// is rejected by a Signer for another. Optional. Default value is
	// DefaultSignerSalt (DefaultTimestampSignerSalt in a TimestampSigner).
	Salt string
}

// Sign returns value + ":" + signature, signed with Key.
func (s Signer) Sign(value string) (string, error) {
	keys, err := s.keys()
	if err != nil {
		return "", err
	}
	return value + sep + signature(keys[0], value), nil
}

// Unsign returns the value of a string made by Sign, or an error wrapping
// ErrBadSignature when its signature matches neither Key nor any Fallbacks.
func (s Signer) Unsign(signed string) (string, error) {
	keys, err := s.keys()
	if err != nil {
		return "", err
	}
	return unsign(signed, keys)
}

// keys checks s's secrets and derives their HMAC keys with s.Salt (or
// DefaultSignerSalt): the current secret's first, then each fallback's.
func (s Signer) keys() ([][]byte, error) {
	if s.Key == "" {
		return nil, ErrNoKey
	}
	salt := cmp.Or(s.Salt, DefaultSignerSalt) + "signer"
	keys := [][]byte{hmacKey(salt, s.Key)}
	for i, f := range s.Fallbacks {
		if f == "" {
			return nil, fmt.Errorf("%w: fallback %d", ErrNoKey, i)
		}
		keys = append(keys, hmacKey(salt, f))
	}
	return keys, nil
}

// unsign returns the value of "value:signature" when a key of keys signed it.
func unsign(signed string, keys [][]byte) (string, error) {
	i := strings.LastIndex(signed, sep)
	if i < 0 {
		return "", fmt.Errorf("%w: no %q in value", ErrBadSignature, sep)
	}
	if !verify(keys, signed[:i], signed[i+len(sep):]) {
		return "", ErrBadSignature
	}
	return signed[:i], nil
}

// TimestampSigner signs a value together with the time of signing, so that
// the value can be refused once it is too old, as Django's
// signing.TimestampSigner.
type TimestampSigner struct {
	Signer
	// MaxAge is the age beyond which Unsign refuses a value with
	// ErrSignatureExpired; a value exactly MaxAge old is still accepted.
	// Optional. Default value is 0, which means no limit.
	MaxAge time.Duration
	// Now returns the current time; tests set it to freeze the clock.
	// Optional. Default value is time.Now.
	Now func() time.Time
}

// Sign returns value + ":" + timestamp + ":" + signature, signed with Key at
// the current time (whole seconds).
func (s TimestampSigner) Sign(value string) (string, error) {
	return s.signer().Sign(value + sep + base62(orNow(s.Now)().Unix()))
}

// Unsign returns the value of a string made by Sign and the time it was
// signed. It fails with ErrBadSignature for a wrong signature,
// ErrSignatureExpired when the value is older than MaxAge, and ErrMalformed
// for a correctly signed string without a readable timestamp.
func (s TimestampSigner) Unsign(signed string) (string, time.Time, error) {
	v, err := s.signer().Unsign(signed)
	if err != nil {
		return "", time.Time{}, err
	}
	return splitTimestamp(v, s.MaxAge, orNow(s.Now))
}

// signer is s's Signer with DefaultTimestampSignerSalt when Salt is empty.
func (s TimestampSigner) signer() Signer {
	s.Salt = cmp.Or(s.Salt, DefaultTimestampSignerSalt)
	return s.Signer
}

func orNow(now func() time.Time) func() time.Time {
	if now == nil {
		return time.Now
	}
	return now
}

// splitTimestamp splits a verified "value:timestamp", refusing it when older
// than a non-zero maxAge.
func splitTimestamp(v string, maxAge time.Duration, now func() time.Time) (string, time.Time, error) {
	i := strings.LastIndex(v, sep)
	if i < 0 {
		return "", time.Time{}, fmt.Errorf("%w: no timestamp", ErrMalformed)
	}
	value, ts := v[:i], v[i+len(sep):]
	secs, err := base62Decode(ts)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("%w: timestamp: %v", ErrMalformed, err)
	}
	signedAt := time.Unix(secs, 0)
	if maxAge > 0 {
		// Sub saturates instead of overflowing for absurd timestamps.
		if age := now().Sub(signedAt); age > maxAge {
			return "", time.Time{}, fmt.Errorf("%w: age %v > %v", ErrSignatureExpired, age, maxAge)
		}
	}
	return value, signedAt, nil
}
