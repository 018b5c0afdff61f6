package cookiestore

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/ginsession/ginsession/stores"
)

// EncryptedPrefix starts every encrypted cookie value. It names the format
// version, so a later format can be told apart and read beside this one; no
// Django-signed value starts with it (their payload is base64 JSON, "eyJ...",
// or "." when compressed).
const EncryptedPrefix = "e1."

// EncryptionLabel is the HKDF info string that turns a secret into an
// encryption key. It keeps the key apart from every other use of the same
// secret (Django's signatures, the auth hash) and names the format version.
const EncryptionLabel = "ginsession cookiestore encryption v1"

const (
	nonceSize = chacha20poly1305.NonceSizeX // 24 random bytes: no practical collision bound
	timeSize  = 8                           // big-endian Unix seconds, inside the ciphertext

	// encOverhead is the raw (pre-base64) size an encrypted value adds to the
	// session's JSON.
	encOverhead = nonceSize + timeSize + chacha20poly1305.Overhead
)

// b64 is strict so that each value has exactly one spelling: a changed
// trailing character is refused rather than decoding to the same bytes.
var b64 = base64.RawURLEncoding.Strict()

// additionalData binds the ciphertext to the format version in its prefix.
var additionalData = []byte(EncryptedPrefix)

// EncryptionOption configures WithEncryption.
type EncryptionOption func(*Store)

// AcceptSigned lets an encrypting store also read Django-signed cookies, for
// the migration of a site that used the signed format: a signed cookie is
// read until its session is next saved, which seals it encrypted. Leave it
// out once the old cookies have expired, so that no client can choose to be
// read through the signed format.
func AcceptSigned() EncryptionOption {
	return func(s *Store) { s.acceptSigned = true }
}

// WithEncryption makes the store encrypt the session, so that the client can
// neither read nor change it, instead of signing it in Django's format (which
// anyone can base64-decode). Cookies are sealed with XChaCha20-Poly1305 under
// a key derived by HKDF-SHA256 from the middleware's secret, and opened with
// a key derived from the secret or any fallback, so rotating the secret works
// as for signed cookies. Django cannot read these cookies. Optional. Default
// is Django's signed format.
func WithEncryption(opts ...EncryptionOption) Option {
	return func(s *Store) {
		s.encrypt = true
		for _, o := range opts {
			o(s)
		}
	}
}

// newAEAD returns the AEAD under the key derived from secret.
func newAEAD(secret []byte) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, EncryptionLabel, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("cookiestore: derive the encryption key: %w", err)
	}
	a, err := chacha20poly1305.NewX(key)
	clear(key)
	if err != nil {
		return nil, fmt.Errorf("cookiestore: encryption: %w", err)
	}
	return a, nil
}

// sealEncrypted returns EncryptedPrefix + base64url(nonce || ciphertext),
// where the ciphertext holds the seal time then data, sealed under the
// current secret's key. The time travels inside the ciphertext, so it is
// authenticated (the middleware enforces expiry from it) and hidden. The
// data is not compressed: see the package doc.
func (s *Store) sealEncrypted(d *derived, data []byte) (string, error) {
	size := len(EncryptedPrefix) + b64.EncodedLen(encOverhead+len(data))
	if size > s.maxSize {
		return "", fmt.Errorf("%w: %d bytes of session data make a %d-byte encrypted cookie, the limit is %d (encrypted sessions are not compressed): keep less in the session or use a server-side store (sqlstore, redisstore, filestore)", ErrTooLarge, len(data), size, s.maxSize)
	}
	nonce := make([]byte, nonceSize, encOverhead+len(data))
	rand.Read(nonce) // never fails: crypto/rand crashes the program rather than return short
	plain := binary.BigEndian.AppendUint64(nil, uint64(s.now().Unix()))
	plain = append(plain, data...)
	return EncryptedPrefix + b64.EncodeToString(d.aeads[0].Seal(nonce, nonce, plain, additionalData)), nil
}

// openEncrypted reads enc, a value made by sealEncrypted without its
// prefix, with the key of any of the secrets. Every failure to read is
// stores.ErrNotFound; the reason is not passed on.
func (s *Store) openEncrypted(d *derived, enc string) ([]byte, time.Time, error) {
	if strings.ContainsAny(enc, "\r\n") {
		// The base64 decoder skips line breaks; one spelling per value.
		return nil, time.Time{}, stores.ErrNotFound
	}
	raw, err := b64.DecodeString(enc)
	if err != nil || len(raw) < encOverhead {
		return nil, time.Time{}, stores.ErrNotFound
	}
	nonce, sealed := raw[:nonceSize], raw[nonceSize:]
	for _, a := range d.aeads {
		plain, err := a.Open(nil, nonce, sealed, additionalData)
		if err != nil {
			continue
		}
		t := time.Unix(int64(binary.BigEndian.Uint64(plain)), 0)
		if s.maxAge > 0 && s.now().Sub(t) > s.maxAge {
			return nil, time.Time{}, stores.ErrNotFound
		}
		return plain[timeSize:], t, nil
	}
	return nil, time.Time{}, stores.ErrNotFound
}
