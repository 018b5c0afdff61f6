package interop

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

func secrets(ks ...string) [][]byte {
	out := make([][]byte, len(ks))
	for i, k := range ks {
		out[i] = []byte(k)
	}
	return out
}

// djangoCookie has Django's signed_cookies engine save a session holding js,
// signed with key.
func djangoCookie(t *testing.T, key, js string) string {
	t.Helper()
	var resp struct {
		Value string `json:"value"`
	}
	djangoEnv{engine: cookieEngine, secret: key}.run(t, "cookie_seal", map[string]string{"json": js}, &resp)
	return resp.Value
}

// goCookie seals js as the middleware does: JSONCodec's bytes through
// cookiestore.Seal.
func goCookie(t *testing.T, js string, keys ...string) string {
	t.Helper()
	k, v := goValues(t, js)
	data, err := ginsession.JSONCodec{}.Encode(k, v)
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := testenv.Must(cookiestore.New()).Seal(data, secrets(keys...))
	if err != nil {
		t.Fatal(err)
	}
	return cookie
}

func TestDjangoSignedCookieOpensInGo(t *testing.T) {
	t.Parallel()
	needDjango(t)
	for _, tc := range samples {
		t.Run(tc.name, func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			cookie := djangoCookie(t, secret, tc.json)
			after := time.Now().Add(time.Second)
			if tc.json == bigJSON && !strings.HasPrefix(cookie, ".") {
				t.Fatalf("Django did not compress the large sample: %q", cookie[:20])
			}
			data, sealed, err := testenv.Must(cookiestore.New()).Open(cookie, secrets(secret))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if sealed.Before(before) || sealed.After(after) {
				t.Errorf("sealed at %v, want between %v and %v", sealed, before, after)
			}
			keys, values, err := ginsession.JSONCodec{}.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			sameSession(t, keys, values, tc.json)
		})
	}
}

func TestGoSealedCookieLoadsInDjango(t *testing.T) {
	t.Parallel()
	needDjango(t)
	for _, tc := range samples {
		t.Run(tc.name, func(t *testing.T) {
			cookie := goCookie(t, tc.json, secret)
			var resp pyLoaded
			djangoEnv{engine: cookieEngine, secret: secret}.run(t, "cookie_open", map[string]string{"value": cookie, "json": tc.json}, &resp)
			if !resp.Accepted || !resp.Same {
				t.Fatalf("Django accepted=%v, same=%v, loaded %s", resp.Accepted, resp.Same, resp.JSON)
			}
		})
	}
}

func TestDjangoRejectsAGoCookieSignedWithAnotherSecret(t *testing.T) {
	t.Parallel()
	needDjango(t)
	cookie := goCookie(t, sampleJSON, "a-secret-django-does-not-know-at-all-000")
	var resp pyLoaded
	djangoEnv{engine: cookieEngine, secret: secret}.run(t, "cookie_open", map[string]string{"value": cookie, "json": sampleJSON}, &resp)
	if resp.Accepted || resp.Same {
		t.Fatalf("Django accepted a cookie signed with a foreign secret: %+v", resp)
	}
}

func TestCookieSignedWithAnOldSecretStillOpensInGoWhenListedAsFallback(t *testing.T) {
	t.Parallel()
	needDjango(t)
	cookie := djangoCookie(t, oldSecret, sampleJSON)
	s := testenv.Must(cookiestore.New())
	data, _, err := s.Open(cookie, secrets(secret, oldSecret))
	if err != nil {
		t.Fatalf("Open with the old secret as fallback: %v", err)
	}
	keys, values, err := ginsession.JSONCodec{}.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	sameSession(t, keys, values, sampleJSON)
	if _, _, err := s.Open(cookie, secrets(secret)); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Open without the old secret: %v, want ErrNotFound", err)
	}
}

func TestCookieSignedWithAnOldSecretStillLoadsInDjangoWhenListedAsFallback(t *testing.T) {
	t.Parallel()
	needDjango(t)
	if v, ok := djangoVersion(t); !ok {
		t.Skipf("Django %s has no SECRET_KEY_FALLBACKS (added in 4.1)", v)
	}
	cookie := goCookie(t, sampleJSON, oldSecret)
	var resp pyLoaded
	djangoEnv{engine: cookieEngine, secret: secret, fallbacks: []string{oldSecret}}.run(t, "cookie_open", map[string]string{"value": cookie, "json": sampleJSON}, &resp)
	if !resp.Accepted || !resp.Same {
		t.Fatalf("Django with the old secret as fallback: %+v", resp)
	}
	djangoEnv{engine: cookieEngine, secret: secret}.run(t, "cookie_open", map[string]string{"value": cookie, "json": sampleJSON}, &resp)
	if resp.Accepted {
		t.Fatalf("Django without the fallback accepted the old cookie: %+v", resp)
	}
}
