// Package signing signs and verifies values in the format of Django's
// django.core.signing, so that a Go service and a Django site sharing a
// SECRET_KEY can read each other's signed session data and cookies.
//
// # Format
//
// A signed value is
//
//	value:signature                      (Signer)
//	value:timestamp:signature            (TimestampSigner, Dumps)
//
// where the signature is the unpadded URL-safe base64 of an HMAC-SHA256 whose
// key is SHA-256(salt + "signer" + secret) ([SaltedHMAC]) and the timestamp is
// the signing time in Unix seconds, written in base62. [Dumps] signs a JSON
// document: its value part is the unpadded URL-safe base64 of the JSON,
// zlib-compressed and prefixed with "." when that makes it shorter.
//
// # Keys
//
// Signing always uses the current secret; verification tries it and then each
// fallback in order, so a secret can be rotated without invalidating what was
// signed with the old one (Django 4.1's SECRET_KEY_FALLBACKS).
//
// # Errors
//
// Verification failures are reported with sentinels for errors.Is:
// [ErrBadSignature] (and [ErrSignatureExpired], which is also a bad
// signature, as Django's SignatureExpired subclasses BadSignature),
// [ErrMalformed] for a correctly signed value that cannot be decoded, and
// [ErrTooLarge] for input refused because of its size.
//
// The package does not import gin or ginsession, and keeps no global state.
package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
)

const sep = ":"

// ErrBadSignature reports a value whose signature matches none of the keys,
// or that has no signature at all.
var ErrBadSignature = errors.New("signing: bad signature")

// ErrSignatureExpired reports a correctly signed value older than the allowed
// age. It wraps ErrBadSignature, so code that only asks "is this a bad
// signature?" treats an expired value as one.
var ErrSignatureExpired = fmt.Errorf("%w: signature expired", ErrBadSignature)

// ErrMalformed reports a correctly signed value whose content cannot be
// decoded: a bug or a format mismatch rather than tampering.
var ErrMalformed = errors.New("signing: malformed signed value")

// ErrTooLarge reports input or data (after decompression) over the limit.
var ErrTooLarge = errors.New("signing: value too large")

// ErrNoKey reports a missing secret, or an empty fallback secret, which would
// make signatures forgeable by anyone.
var ErrNoKey = errors.New("signing: empty secret key")

// SaltedHMAC returns the HMAC-SHA256 of value keyed with
// SHA-256(keySalt + secret), as Django's salted_hmac with algorithm sha256.
// The salt namespaces the key so that a signature made for one purpose is
// useless for another.
func SaltedHMAC(keySalt, value, secret string) []byte {
	return mac(hmacKey(keySalt, secret), value)
}

func hmacKey(keySalt, secret string) []byte {
	key := sha256.Sum256([]byte(keySalt + secret))
	return key[:]
}

func mac(key []byte, value string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(value))
	return h.Sum(nil)
}

// signature is Django's Signer.signature of value under a key of Signer.keys.
func signature(key []byte, value string) string { return b64Encode(mac(key, value)) }

// verify reports whether sig is value's signature under any of keys, trying
// every key, so the time taken does not tell which one signed.
func verify(keys [][]byte, value, sig string) bool {
	ok := false
	for _, k := range keys {
		ok = hmac.Equal([]byte(sig), []byte(signature(k, value))) || ok
	}
	return ok
}
