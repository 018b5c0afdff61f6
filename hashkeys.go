package ginsession

import (
	"encoding/base32"
	"errors"
	"fmt"

	"github.com/ginsession/ginsession/internal/errprefix"
	"github.com/ginsession/ginsession/signing"
	"github.com/ginsession/ginsession/stores"
)

// ErrSharedWithDjango reports that WithHashedKeys was combined with a
// store or codec set up to share records with a Django site, which looks
// records up by the cookie's key and so cannot find a hashed one.
var ErrSharedWithDjango = errors.New("ginsession: a Django site cannot find records kept under hashed keys (it looks them up by the cookie's key): drop WithHashedKeys, or the option that shares the records with Django")

// WithHashedKeys keeps the session key out of the store: every record and
// user index entry is kept under a keyed hash of the key (HMAC-SHA256 under
// secret, 200 bits, 40 characters of the key alphabet), so a dump of the
// store (a django_session table, a Redis RDB file, the session files)
// holds no key a browser could send back. A lookup is still one store call.
// The cookie and Session.Key still carry the key itself (pass Exists and
// DeleteKey the key), and auth's Devices API matches the hashes a user's
// index lists.
//
// secret must be at least MinSecretKeyLength bytes and stay the same:
// another secret, like turning the option on, finds none of the records
// saved before, which ends those sessions. Django cannot read hashed
// records: New panics with an error wrapping ErrSharedWithDjango when the
// codec or the store shares them with Django (DjangoCodec, djangocache,
// sqlstore.WithDjangoCache, filestore.WithDjangoMtime); the cookie store
// has no keys to hash. Optional. Default value is off.
func WithHashedKeys(secret string) Option {
	return func(o *options) { o.KeyHashSecret = &secret }
}

// keyHashEncoding writes a hash in stores.KeyAlphabet: 25 bytes make 40
// characters, Django's session_key width, with no padding.
var keyHashEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// keyHashSalt keys the hash apart from every other use of the secret.
const keyHashSalt = "github.com/ginsession/ginsession.WithHashedKeys"

// stored returns what the store keeps a session under: key itself, or its
// hash with WithHashedKeys.
func (m *middleware) stored(key string) string {
	if m.keyHash == "" || key == "" {
		return key
	}
	return keyHashEncoding.EncodeToString(signing.SaltedHMAC(keyHashSalt, key, m.keyHash)[:25])
}

// checkHashedKeys reports why WithHashedKeys cannot work with store and
// the options' codec, in an error for New to panic with.
func checkHashedKeys(store stores.Store, o *options) error {
	if o.KeyHashSecret == nil {
		return nil
	}
	if err := checkSecrets(*o.KeyHashSecret, nil, false); err != nil {
		return fmt.Errorf("ginsession: WithHashedKeys: %w", err)
	}
	if _, ok := store.(stores.ClientSide); ok {
		return errors.New("ginsession: WithHashedKeys: the cookie store keeps no keys on the server to hash: drop the option")
	}
	for _, v := range []any{o.Codec, store} {
		if opt := stores.SharedWithDjango(v); opt != "" {
			return errprefix.Wrap("ginsession: WithHashedKeys with "+opt, ErrSharedWithDjango)
		}
	}
	return nil
}
