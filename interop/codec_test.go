package interop

import (
	"errors"
	"testing"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/signing"
)

// djangoEncode has Django's SessionStore.encode sign js with key.
func djangoEncode(t *testing.T, key, js string) string {
	t.Helper()
	var resp struct {
		Value string `json:"value"`
	}
	djangoEnv{engine: dbEngine, secret: key}.run(t, "encode", map[string]string{"json": js}, &resp)
	return resp.Value
}

func goEncode(t *testing.T, c ginsession.Codec, js string) string {
	t.Helper()
	k, v := goValues(t, js)
	data, err := c.Encode(k, v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestDjangoEncodedDataDecodesInGo(t *testing.T) {
	t.Parallel()
	needDjango(t)
	for _, tc := range samples {
		t.Run(tc.name, func(t *testing.T) {
			enc := djangoEncode(t, secret, tc.json)
			keys, values, err := ginsession.DjangoCodec(secret).Decode([]byte(enc))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			sameSession(t, keys, values, tc.json)
		})
	}
}

func TestGoEncodedDataDecodesInDjango(t *testing.T) {
	t.Parallel()
	needDjango(t)
	for _, tc := range samples {
		t.Run(tc.name, func(t *testing.T) {
			enc := goEncode(t, ginsession.DjangoCodec(secret), tc.json)
			var resp pyLoaded
			djangoEnv{engine: dbEngine, secret: secret}.run(t, "decode", map[string]string{"value": enc, "json": tc.json}, &resp)
			if !resp.Same {
				t.Fatalf("Django decoded %s", resp.JSON)
			}
		})
	}
}

func TestDjangoDecodesGoDataSignedWithAnotherSecretAsEmpty(t *testing.T) {
	t.Parallel()
	needDjango(t)
	enc := goEncode(t, ginsession.DjangoCodec("a-secret-django-does-not-know-at-all-000"), sampleJSON)
	var resp pyLoaded
	djangoEnv{engine: dbEngine, secret: secret}.run(t, "decode", map[string]string{"value": enc, "json": sampleJSON}, &resp)
	if resp.Same || resp.JSON != "{}" {
		t.Fatalf("Django decoded foreign data as %s, want {}", resp.JSON)
	}
}

func TestDataSignedWithAnOldSecretDecodesInGoWhenListedAsFallback(t *testing.T) {
	t.Parallel()
	needDjango(t)
	enc := djangoEncode(t, oldSecret, sampleJSON)
	keys, values, err := ginsession.DjangoCodec(secret, oldSecret).Decode([]byte(enc))
	if err != nil {
		t.Fatalf("Decode with the old secret as fallback: %v", err)
	}
	sameSession(t, keys, values, sampleJSON)
	if _, _, err := ginsession.DjangoCodec(secret).Decode([]byte(enc)); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("Decode without it: %v, want ErrBadSignature", err)
	}
}

func TestDataSignedWithAnOldSecretDecodesInDjangoWhenListedAsFallback(t *testing.T) {
	t.Parallel()
	needDjango(t)
	if v, ok := djangoVersion(t); !ok {
		t.Skipf("Django %s has no SECRET_KEY_FALLBACKS (added in 4.1)", v)
	}
	enc := goEncode(t, ginsession.DjangoCodec(oldSecret), sampleJSON)
	var resp pyLoaded
	djangoEnv{engine: dbEngine, secret: secret, fallbacks: []string{oldSecret}}.run(t, "decode", map[string]string{"value": enc, "json": sampleJSON}, &resp)
	if !resp.Same {
		t.Fatalf("Django with the old secret as fallback decoded %s", resp.JSON)
	}
}
