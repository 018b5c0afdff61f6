// Package cookiestore keeps the whole session in the cookie: signed (not
// encrypted) in the format of Django's signed_cookies session engine, so a Go
// service and a Django site sharing a SECRET_KEY read each other's cookies,
// or, with [WithEncryption], encrypted, so the client can read nothing.
//
//	signed, err := cookiestore.New()
//	if err != nil {
//		panic(err)
//	}
//	r.Use(ginsession.New(signed, ginsession.WithSecretKey(secret)))
//
//	encrypted, err := cookiestore.New(cookiestore.WithEncryption())
//	if err != nil {
//		panic(err)
//	}
//	r.Use(ginsession.New(encrypted, ginsession.WithSecretKey(secret)))
//
// # What it trades
//
// Nothing is stored on the server, so any number of instances share sessions
// without a database. In exchange:
//   - with the default, signed format the client can read the session data
//     (anyone can base64-decode it): keep secrets out of it, or encrypt;
//   - a session cannot be revoked, signed or encrypted: after a logout,
//     copies of the old cookie stay valid until they expire. The middleware
//     enforces the expiry (the default age or a custom SetExpiry) from the
//     time the cookie was sealed, which Django does not; rotating the secret
//     is the only way to end every session at once;
//   - the data must fit in a cookie: Seal refuses, with [ErrTooLarge], a
//     value over the limit instead of letting the browser drop it silently.
//
// # Encrypted cookies
//
// [WithEncryption] seals the session with XChaCha20-Poly1305, an AEAD, so
// it is both unreadable and tamper-proof. The value is [EncryptedPrefix]
// ("e1.", the format version) followed by unpadded base64url of a 24-byte
// random nonce and the ciphertext of the seal time (8 bytes, Unix seconds)
// and the session JSON, with the 16-byte tag. The seal time is inside the
// ciphertext, so the expiry the middleware enforces from it cannot be
// changed; the prefix is authenticated as associated data.
//
// Keys come from HKDF-SHA256 over each secret with the label
// [EncryptionLabel], so the encryption key differs from anything else made
// from the same secret. Seal uses the current secret and Open tries each
// secret in turn, so rotating SECRET_KEY works as for signed cookies: a
// cookie sealed under a fallback is read, and the next save seals it under
// the current secret.
//
// XChaCha20-Poly1305 rather than AES-GCM because its 192-bit random nonces
// never collide in a key's lifetime, where GCM's 96-bit ones would on a busy
// site. It is refused in FIPS 140-only mode (Seal and Open then return an
// error). Encrypted sessions are not compressed: compressing values an
// attacker chooses next to secrets would let cookie sizes reveal the secrets
// (CRIME, BREACH). The README says more on both choices.
//
// A store with encryption reads only encrypted cookies; [AcceptSigned] makes
// it read Django-signed ones too, for the time it takes to migrate a site
// that used them (each is re-sealed encrypted at its next save). Django
// cannot read encrypted cookies.
//
// # The Store methods
//
// [*Store] is a [stores.ClientSide], and so a [stores.Store] that
// ginsession.New takes, but there is no record on the server, as in
// Django's engine: Load, Create and Update fail with errors.ErrUnsupported,
// and Delete, Exists and ClearExpired have nothing to do.
package cookiestore

import (
	"bytes"
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ginsession/ginsession/signing"
	"github.com/ginsession/ginsession/stores"
)

// Salt is the salt of Django's signed_cookies engine; it keeps a signed
// cookie from being accepted as any other signed value and vice versa.
const Salt = "django.contrib.sessions.backends.signed_cookies"

// DefaultMaxSize is the default limit, in bytes, on a sealed cookie value.
//
// Browsers (Chrome, Firefox, and RFC 6265bis) cap a cookie's name and value
// together at 4096 bytes and drop a longer cookie without a word; attributes
// such as Path and Expires are capped separately and do not count. The store
// does not know the cookie's name, so the limit leaves 32 bytes for it:
// "sessionid" needs 9.
const DefaultMaxSize = 4096 - 32

// browserMax is the longest cookie value a browser can send back (with a
// one-letter name). Open accepts values up to this length even when the Seal
// limit is lower, so that a cookie written by Django, which sets no limit,
// and kept by the browser is still read.
const browserMax = 4096

// maxData bounds the JSON a cookie may carry once inflated. A 4 KB cookie of
// real session JSON inflates to tens of kilobytes at most; the bound keeps a
// validly signed zlib bomb from costing more than this per request.
const maxData = 256 << 10

// ErrTooLarge reports a session that does not fit in a cookie. Seal wraps it
// with the size and the limit.
var ErrTooLarge = errors.New("cookiestore: session too large for a cookie")

// Store keeps sessions in signed cookies, or encrypted ones with
// WithEncryption. Make one with New; it is safe for concurrent use. The
// middleware passes the secrets in on every call; the store keeps a copy of
// the last ones with the keys it derived from them.
type Store struct {
	maxSize      int
	maxAge       time.Duration
	now          func() time.Time
	encrypt      bool // WithEncryption; false: Django's signed format
	acceptSigned bool // AcceptSigned

	// derived holds the keys made from the last secrets seen: the
	// middleware passes the same secrets on every request, so their keys
	// are derived once, not per call.
	derived atomic.Pointer[derived]
}

// derived is what the store makes of one list of secrets.
type derived struct {
	secrets [][]byte // a copy of the list
	signer  *signing.Prepared
	aeads   []cipher.AEAD // one per secret, with WithEncryption
}

var _ stores.ClientSide = (*Store)(nil)

// Option configures a Store. Options only record their values; New checks
// them.
type Option func(*Store)

// WithMaxSize sets the largest cookie value Seal produces, in bytes; Open
// accepts values up to this size or 4096 bytes, whichever is larger.
// Optional. Default value is DefaultMaxSize; New refuses an n that is not
// positive.
func WithMaxSize(n int) Option {
	return func(s *Store) { s.maxSize = n }
}

// WithMaxAge makes Open refuse cookies sealed longer ago than d, whatever
// expiry the session asked for: a hard cap on top of the middleware's own
// check, for deployments that want one. Optional. Default value is 0, no
// cap. New refuses a negative d.
func WithMaxAge(d time.Duration) Option {
	return func(s *Store) { s.maxAge = d }
}

// WithClock sets the source of the current time used to timestamp sealed
// cookies and to check WithMaxAge. Optional. Default value is time.Now;
// tests pass a fixed clock. New refuses nil.
func WithClock(now func() time.Time) Option {
	return func(s *Store) { s.now = now }
}

// New returns a cookie store configured by opts, or an error naming the fix
// for an option out of range.
func New(opts ...Option) (*Store, error) {
	s := &Store{maxSize: DefaultMaxSize, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	switch {
	case s.maxSize <= 0:
		return nil, fmt.Errorf("cookiestore: WithMaxSize(%d): the limit must be positive; leave the option out for %d bytes", s.maxSize, DefaultMaxSize)
	case s.maxAge < 0:
		return nil, fmt.Errorf("cookiestore: WithMaxAge(%v): the age must not be negative; leave the option out for no cap", s.maxAge)
	case s.now == nil:
		return nil, errors.New("cookiestore: WithClock(nil): pass a function, or leave the option out for time.Now")
	}
	return s, nil
}

// derive returns the keys for secrets, made once for as long as the same
// secrets come back. Like Django's signing it refuses no secret, or an
// empty one, which would seal with a key anyone can derive.
func (s *Store) derive(secrets [][]byte) (*derived, error) {
	if d := s.derived.Load(); d != nil && slices.EqualFunc(d.secrets, secrets, bytes.Equal) {
		return d, nil
	}
	if len(secrets) == 0 {
		return nil, fmt.Errorf("cookiestore: %w: no secret given", signing.ErrNoKey)
	}
	c := signing.Config{Key: string(secrets[0]), Salt: Salt, Compress: true, MaxAge: s.maxAge, MaxSize: maxData, Now: s.now}
	for _, k := range secrets[1:] {
		c.Fallbacks = append(c.Fallbacks, string(k))
	}
	p, err := c.Prepare() // refuses an empty secret
	if err != nil {
		return nil, fmt.Errorf("cookiestore: %w", err)
	}
	d := &derived{signer: p}
	for _, k := range secrets {
		d.secrets = append(d.secrets, bytes.Clone(k))
		if s.encrypt {
			a, err := newAEAD(k)
			if err != nil {
				return nil, err
			}
			d.aeads = append(d.aeads, a)
		}
	}
	s.derived.Store(d)
	return d, nil
}

// Seal returns the cookie value carrying data (the session's JSON), signed
// with keys[0] and timestamped now, exactly as Django's signed_cookies engine
// writes it (compressed output may differ in its bytes from Python's, but
// each side reads the other's). A value over the size limit is an error
// wrapping ErrTooLarge, never a truncated cookie.
//
// With WithEncryption it returns an encrypted value instead (see the package
// doc), under a key derived from keys[0].
func (s *Store) Seal(data []byte, keys [][]byte) (string, error) {
	d, err := s.derive(keys)
	if err != nil {
		return "", err
	}
	if s.encrypt {
		return s.sealEncrypted(d, data)
	}
	v, err := d.signer.Dumps(data)
	if errors.Is(err, signing.ErrTooLarge) {
		return "", fmt.Errorf("%w: %d bytes of session data, over the %d-byte limit of signed data: keep less in the session or use a server-side store (sqlstore, redisstore, filestore)", ErrTooLarge, len(data), maxData)
	}
	if err != nil {
		return "", fmt.Errorf("cookiestore: seal: %w", err)
	}
	if len(v) > s.maxSize {
		return "", fmt.Errorf("%w: the sealed cookie is %d bytes, the limit is %d: keep less in the session or use a server-side store (sqlstore, redisstore, filestore)", ErrTooLarge, len(v), s.maxSize)
	}
	return v, nil
}

// Open returns the session JSON in a cookie value made by Seal (or by
// Django's signed_cookies engine with the same secret) and the time it was
// sealed. Any of keys may have signed it. A tampered, truncated, foreign,
// oversized or (with WithMaxAge) too old value gives stores.ErrNotFound.
//
// With WithEncryption it reads encrypted values only, unless AcceptSigned
// was given, in which case it reads signed ones too.
func (s *Store) Open(value string, keys [][]byte) ([]byte, time.Time, error) {
	d, err := s.derive(keys)
	if err != nil {
		return nil, time.Time{}, err
	}
	if len(value) > max(s.maxSize, browserMax) {
		// No browser sends such a value back and Seal never makes one:
		// refuse it before any HMAC work.
		return nil, time.Time{}, stores.ErrNotFound
	}
	switch enc, encrypted := strings.CutPrefix(value, EncryptedPrefix); {
	case s.encrypt && encrypted:
		return s.openEncrypted(d, enc)
	case s.encrypt && !s.acceptSigned:
		return nil, time.Time{}, stores.ErrNotFound
	}
	data, sealed, err := d.signer.Loads(value)
	if err != nil {
		// The reason is not passed on: to the caller every unreadable cookie
		// is the same, and the value itself must not end up in a log.
		return nil, time.Time{}, stores.ErrNotFound
	}
	return data, sealed, nil
}

// errNoServerRecord is what the Store methods that need a record on the
// server return: the middleware calls Seal and Open instead.
var errNoServerRecord = fmt.Errorf("cookiestore: the session lives in its cookie, not under a key on the server: pass the store to ginsession.New, which calls Seal and Open: %w", errors.ErrUnsupported)

// Load returns an error wrapping errors.ErrUnsupported: no record lives on
// the server.
func (s *Store) Load(context.Context, string) ([]byte, error) { return nil, errNoServerRecord }

// Create returns an error wrapping errors.ErrUnsupported: no record lives
// on the server.
func (s *Store) Create(context.Context, string, []byte, time.Time) error { return errNoServerRecord }

// Update returns an error wrapping errors.ErrUnsupported: no record lives
// on the server.
func (s *Store) Update(context.Context, string, []byte, time.Time) error { return errNoServerRecord }

// Delete does nothing and returns nil: there is no record on the server to
// delete (a cookie, once sent, cannot be revoked).
func (s *Store) Delete(context.Context, string) error { return nil }

// Exists reports false: no key is taken on the server.
func (s *Store) Exists(context.Context, string) (bool, error) { return false, nil }

// ClearExpired does nothing and returns nil: there is nothing on the server
// to purge.
func (s *Store) ClearExpired(context.Context) error { return nil }
