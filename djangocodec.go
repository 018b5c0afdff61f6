package ginsession

import (
	"fmt"

	"github.com/ginsession/ginsession/internal/errprefix"
	"github.com/ginsession/ginsession/internal/pyjson"
	"github.com/ginsession/ginsession/signing"
)

// djangoSessionSalt is the key_salt of Django's db, cached_db, file and cache
// engines: "django.contrib.sessions." plus the class name, which is
// SessionStore in every built-in engine.
const djangoSessionSalt = "django.contrib.sessions.SessionStore"

// DjangoCodec returns a Codec that reads and writes session data exactly as
// Django's SessionStore.encode and decode do: JSON (as JSONCodec writes it)
// passed through signing.Dumps with compression and the salt
// "django.contrib.sessions.SessionStore". Use it with a server-side store
// (sqlstore, filestore) to share sessions with a Django site that has the
// same SECRET_KEY. Values follow JSONCodec's rules: an integer Python wrote
// beyond 64 bits (2**70) comes back as a json.Number and is saved again digit
// for digit, never rounded.
//
// Encode signs with secret; Decode accepts data signed with secret or any of
// fallbacks, so SECRET_KEY can be rotated (Django 4.1's SECRET_KEY_FALLBACKS).
// Decode fails on a bad signature or a damaged payload; the session then
// starts empty and a warning is logged, as Django does. Django 3.2's legacy
// formats (pre-3.1 sessions, SHA-1 signatures) are not read.
//
// The secrets are Django's SECRET_KEY and SECRET_KEY_FALLBACKS, passed here
// rather than taken from WithSecretKey: the codec also works without the
// middleware (a script reading django_session rows, or test vectors that a
// Django site signed with a short key, which Django only warns about), and
// a site may sign sessions with Django's key and auth hashes with another.
// It panics if secret or a fallback is empty, because anyone could then
// forge session data; New, when given the codec, panics as for
// WithSecretKey if one is shorter than MinSecretKeyLength (32) bytes.
func DjangoCodec(secret string, fallbacks ...string) Codec {
	if secret == "" {
		panic("ginsession: DjangoCodec needs Django's SECRET_KEY: pass it as the first argument")
	}
	for i, f := range fallbacks {
		if f == "" {
			panic(fmt.Sprintf("ginsession: DjangoCodec fallback secret #%d is empty: remove it or pass the old SECRET_KEY", i+1))
		}
	}
	return newDjangoCodec(signing.Config{Key: secret, Fallbacks: fallbacks, Salt: djangoSessionSalt, Compress: true})
}

// newDjangoCodec is DjangoCodec with cfg's keys (checked by the caller)
// derived once; tests set cfg.Now to freeze the signing time.
func newDjangoCodec(cfg signing.Config) *djangoCodec {
	p, err := cfg.Prepare()
	if err != nil {
		panic("ginsession: DjangoCodec: " + err.Error())
	}
	return &djangoCodec{secrets: append([]string{cfg.Key}, cfg.Fallbacks...), signer: p}
}

// djangoCodec implements DjangoCodec.
type djangoCodec struct {
	secrets []string // SECRET_KEY then its fallbacks, for New's length check
	signer  *signing.Prepared
}

// DjangoOption answers stores.SharedWithDjango: the codec is Django's.
func (*djangoCodec) DjangoOption() string { return "DjangoCodec" }

// Encode implements Codec.
func (c *djangoCodec) Encode(keys []string, values map[string]any) ([]byte, error) {
	js, err := JSONCodec{}.Encode(keys, values)
	if err != nil {
		return nil, err
	}
	s, err := c.signer.Dumps(js)
	if err != nil {
		return nil, errprefix.Wrap("ginsession: sign session data", err)
	}
	return []byte(s), nil
}

// Decode implements Codec.
func (c *djangoCodec) Decode(data []byte) ([]string, map[string]any, error) {
	js, _, err := c.signer.Loads(string(data))
	if err != nil {
		return nil, nil, errprefix.Wrap("ginsession: django session data", err)
	}
	keys, values, err := pyjson.DecodeObject(js)
	if err != nil {
		return nil, nil, errprefix.Wrap("ginsession: django session data", err)
	}
	return keys, values, nil
}
