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
// Django's SessionStore.encode and decode do: JSONCodec's JSON passed
// through signing.Dumps with compression and the salt
// "django.contrib.sessions.SessionStore". Use it with a server-side store
// (sqlstore, filestore) to share sessions with a Django site that has the
// same SECRET_KEY; values follow JSONCodec's rules.
//
// Encode signs with secret (Django's SECRET_KEY); Decode accepts data
// signed with secret or any of fallbacks (SECRET_KEY_FALLBACKS), so the key
// can be rotated. Decode fails on a bad signature or a damaged payload; the
// session then starts empty and a warning is logged, as Django does.
// Django 3.2's legacy formats (pre-3.1 sessions, SHA-1) are not read.
//
// The secrets are passed here, not taken from WithSecretKey, so that the
// codec works without the middleware (a script reading django_session, or
// test vectors a Django site signed with a short key) and a site may sign
// auth hashes with another key. It panics if secret or a fallback is
// empty, since anyone could then forge session data; New, when given the
// codec, panics as for WithSecretKey on one shorter than
// MinSecretKeyLength (32) bytes.
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
