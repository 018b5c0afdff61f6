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
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/ginsession/ginsession/signing"
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
	tagSize   = chacha20poly1305.Overhead
	timeSize  = 8 // big-endian Unix seconds, inside the ciphertext

	// encOverhead is the raw (pre-base64) size an encrypted value adds to the
	// session's JSON.
	encOverhead = nonceSize + timeSize + tagSize

	// maxCachedKeys bounds the derived-key cache. The middleware passes the
	// same few secrets on every request; a caller cycling through more than
	// this still works, it just derives the extra keys each time.
	maxCachedKeys = 16
)

// b64 is strict so that each value has exactly one spelling: a changed
// trailing character is refused rather than decoding to the same bytes.
var b64 = base64.RawURLEncoding.Strict()

// additionalData binds the ciphertext to the format version in its prefix.
var additionalData = []byte(EncryptedPrefix)

// EncryptionOption configures WithEncryption.
type EncryptionOption func(*encryption)

// AcceptSigned lets an encrypting store also read Django-signed cookies, for
// the migration of a site that used the signed format: a signed cookie is
// read until its session is next saved, which seals it encrypted. Leave it
// out once the old cookies have expired, so that no client can choose to be
// read through the signed format.
func AcceptSigned() EncryptionOption {
	return func(e *encryption) { e.acceptSigned = true }
}

// WithEncryption makes the store encrypt the session, so that the client can
// neither read nor change it, instead of signing it in Django's format (which
// anyone can base64-decode). Cookies are sealed with XChaCha20-Poly1305 under
// a key derived by HKDF-SHA256 from the middleware's secret, and opened with
// a key derived from the secret or any fallback, so rotating the secret works
// as for signed cookies. Django cannot read these cookies. Optional. Default
// is Django's signed format.
func WithEncryption(opts ...EncryptionOption) Option {
	return func(c *config) {
		e := &encryption{}
		for _, o := range opts {
			o(e)
		}
		c.enc = e
	}
}

// encryption is the encrypted engine's state: its options and the AEADs
// derived so far, one per distinct secret.
type encryption struct {
	acceptSigned bool

	// aeads maps SHA-256(secret) to the AEAD under the key derived from it.
	// Readers load the map without locking; writers copy it under mu.
	aeads atomic.Pointer[map[[sha256.Size]byte]cipher.AEAD]
	mu    sync.Mutex
}

// aead returns the AEAD for secret, deriving its key on first use.
func (e *encryption) aead(secret []byte) (cipher.AEAD, error) {
	id := sha256.Sum256(secret)
	if m := e.aeads.Load(); m != nil {
		if a, ok := (*m)[id]; ok {
			return a, nil
		}
	}
	key, err := hkdf.Key(sha256.New, secret, nil, EncryptionLabel, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("cookiestore: derive the encryption key: %w", err)
	}
	a, err := chacha20poly1305.NewX(key)
	clear(key)
	if err != nil {
		return nil, fmt.Errorf("cookiestore: encryption: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	old := e.aeads.Load()
	if old != nil && len(*old) >= maxCachedKeys {
		return a, nil
	}
	m := make(map[[sha256.Size]byte]cipher.AEAD, 1+lenOf(old))
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	m[id] = a
	e.aeads.Store(&m)
	return a, nil
}

func lenOf[M ~map[K]V, K comparable, V any](m *M) int {
	if m == nil {
		return 0
	}
	return len(*m)
}

// checkKeys refuses what the signed engine refuses: no secret, or an empty
// one, which would seal with a key anyone can derive.
func checkKeys(keys [][]byte) error {
	if len(keys) == 0 {
		return fmt.Errorf("cookiestore: %w: no secret given", signing.ErrNoKey)
	}
	for i, k := range keys {
		if len(k) == 0 {
			return fmt.Errorf("cookiestore: %w: secret #%d is empty", signing.ErrNoKey, i)
		}
	}
	return nil
}

// sealEncrypted returns EncryptedPrefix + base64url(nonce || ciphertext),
// where the ciphertext holds the seal time then data. The time travels inside
// the ciphertext, so it is authenticated (the middleware enforces expiry from
// it) and hidden. The data is not compressed: see the package doc.
func (s *Store) sealEncrypted(data []byte, keys [][]byte) (string, error) {
	if err := checkKeys(keys); err != nil {
		return "", err
	}
	size := len(EncryptedPrefix) + b64.EncodedLen(encOverhead+len(data))
	if size > s.maxSize {
		return "", fmt.Errorf("%w: %d bytes of session data make a %d-byte encrypted cookie, the limit is %d (encrypted sessions are not compressed): keep less in the session or use a server-side store (sqlstore, redisstore, filestore)", ErrTooLarge, len(data), size, s.maxSize)
	}
	a, err := s.enc.aead(keys[0])
	if err != nil {
		return "", err
	}
	// One buffer: the raw sealed bytes first, their encoding after them.
	rawLen := encOverhead + len(data)
	buf := make([]byte, rawLen, rawLen+size)
	nonce, plain := buf[:nonceSize], buf[nonceSize:nonceSize+timeSize+len(data)]
	rand.Read(nonce) // never fails: crypto/rand crashes the program rather than return short
	binary.BigEndian.PutUint64(plain, uint64(s.now().Unix()))
	copy(plain[timeSize:], data)
	a.Seal(plain[:0], nonce, plain, additionalData)
	out := append(buf[rawLen:], EncryptedPrefix...)
	out = b64.AppendEncode(out, buf)
	return string(out), nil
}

// openEncrypted reads a value made by sealEncrypted with any of keys. Every
// failure to read is stores.ErrNotFound; the reason is not passed on.
func (s *Store) openEncrypted(value string, keys [][]byte) ([]byte, time.Time, error) {
	if err := checkKeys(keys); err != nil {
		return nil, time.Time{}, fmt.Errorf("cookiestore: open: %w", err)
	}
	if len(value) > max(s.maxSize, browserMax) {
		return nil, time.Time{}, stores.ErrNotFound
	}
	enc, ok := strings.CutPrefix(value, EncryptedPrefix)
	if !ok {
		if s.enc.acceptSigned {
			return s.openSigned(value, keys)
		}
		return nil, time.Time{}, stores.ErrNotFound
	}
	// One buffer: the decoded value, then room for the plaintext. Opening
	// in place would not do: a failed Open zeroes its output, and the next
	// key needs the ciphertext intact.
	if strings.ContainsAny(enc, "\r\n") {
		// The base64 decoder skips line breaks; one spelling per value.
		return nil, time.Time{}, stores.ErrNotFound
	}
	// The encoded text is copied in too, as Decode wants a byte slice.
	el, dl := len(enc), b64.DecodedLen(len(enc))
	buf := make([]byte, el+dl+max(dl-nonceSize-tagSize, 0))
	src, raw := buf[:el], buf[el:el+dl]
	copy(src, enc)
	n, err := b64.Decode(raw, src)
	if err != nil || n < encOverhead {
		return nil, time.Time{}, stores.ErrNotFound
	}
	nonce, sealed, out := raw[:nonceSize], raw[nonceSize:n], buf[el+dl:el+dl]
	for _, k := range keys {
		a, err := s.enc.aead(k)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("cookiestore: open: %w", err)
		}
		plain, err := a.Open(out, nonce, sealed, additionalData)
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
