package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"sync"
)

// sigLen is the length of a signature: the unpadded base64 of a SHA-256.
var sigLen = base64.RawURLEncoding.EncodedLen(sha256.Size)

// macKey signs for one salt and secret: the HMAC key Django derives from
// them, SHA-256(keySalt + secret), is computed once, and keyed HMAC states
// are reused rather than made for every signature. Deriving the key and
// keying a new HMAC is two thirds of the hashing of a session-sized
// signature; a Prepared that keeps its macKeys spares it on every call.
type macKey struct {
	macs sync.Pool // of *keyedMAC
}

type keyedMAC struct {
	h   hash.Hash
	sum [sha256.Size]byte
	buf []byte // a string's bytes, as hash.Hash takes a slice
}

// maxKeptBuf bounds the string buffer a pooled HMAC keeps: a huge value
// (Dumps accepts megabytes) must not stay pinned in the pool.
const maxKeptBuf = 64 << 10

func newMACKey(keySalt, secret string) *macKey {
	key := sha256.Sum256([]byte(keySalt + secret))
	k := &macKey{}
	k.macs.New = func() any { return &keyedMAC{h: hmac.New(sha256.New, key[:])} }
	return k
}

// appendSignature appends the signature of value (Django's
// Signer.signature) to dst.
func (k *macKey) appendSignature(dst, value []byte) []byte {
	m := k.macs.Get().(*keyedMAC)
	m.h.Reset()
	m.h.Write(value)
	dst = base64.RawURLEncoding.AppendEncode(dst, m.h.Sum(m.sum[:0]))
	k.macs.Put(m)
	return dst
}

// appendStringSignature is appendSignature for a string value.
func (k *macKey) appendStringSignature(dst []byte, value string) []byte {
	m := k.macs.Get().(*keyedMAC)
	m.buf = append(m.buf[:0], value...)
	m.h.Reset()
	m.h.Write(m.buf)
	dst = base64.RawURLEncoding.AppendEncode(dst, m.h.Sum(m.sum[:0]))
	if cap(m.buf) > maxKeptBuf {
		m.buf = nil
	}
	k.macs.Put(m)
	return dst
}

// verify reports whether sig is the signature of value, in time that does
// not depend on where they differ.
func (k *macKey) verify(value, sig string) bool {
	var buf [64]byte
	want := k.appendStringSignature(buf[:0], value)
	if len(sig) != len(want) {
		return false
	}
	var diff byte
	for i := range want {
		diff |= sig[i] ^ want[i]
	}
	return diff == 0
}

// keyring is the current secret's macKey, then each fallback's.
type keyring []*macKey

func newKeyring(keySalt, key string, fallbacks []string) keyring {
	kr := make(keyring, 0, 1+len(fallbacks))
	kr = append(kr, newMACKey(keySalt, key))
	for _, f := range fallbacks {
		kr = append(kr, newMACKey(keySalt, f))
	}
	return kr
}

// verify reports whether any key signed value with sig. Every key is tried
// even after a match, so the time taken tells nothing about which key (if
// any) signed the value.
func (kr keyring) verify(value, sig string) bool {
	ok := false
	for _, k := range kr {
		if k.verify(value, sig) {
			ok = true
		}
	}
	return ok
}
