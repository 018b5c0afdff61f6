package ginsession

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession/signing"
)

// Vectors of the reference (django-sessions.md 4.7), made with Django 3.2.25.
const (
	djangoVectorSecret = "test-secret-key-for-vectors"
	djangoBigVector    = ".eJxVjMEOwiAQBf-FMyGyLIX26N0vMIbAArZqSlLoyfjvtkkPen0zb97M-bWNbq1pcVNkA0Ng_HcMnp5p3kl8-PleBJW5LVMQuyIOWsWlxPQ6H-5fYPR13N4ZdNYGrQ0myI4soVIKjQEgk2VQFiRBJyNSzOlkSAZtKWOf-l4Datyi5JfGhqvkwNXt8wVK7jtU:1r31eq:HHhH9HrwZaE6wVKgfy4JGN95ksJGkm835UmeBYfP88U"
)

var djangoBigKeys = []string{"_auth_user_id", "_auth_user_backend", "_auth_user_hash", "cart"}

var djangoBigValues = map[string]any{
	"_auth_user_id":      "42",
	"_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
	"_auth_user_hash":    "f25f57488b7b16c8c433347722c7f1b3821c261d4cdfe07c1b58cf49e9952454",
	"cart":               []any{1, 2, 3},
}

// frozenDjangoCodec returns DjangoCodec(secret, fallbacks...) whose clock
// stands at t.
func frozenDjangoCodec(t time.Time, secret string, fallbacks ...string) Codec {
	return newDjangoCodec(signing.Config{
		Key: secret, Fallbacks: fallbacks, Salt: djangoSessionSalt, Compress: true,
		Now: func() time.Time { return t },
	})
}

func TestDjangoCodecDecodesDjangosSessionVector(t *testing.T) {
	keys, values, err := DjangoCodec(djangoVectorSecret).Decode([]byte(djangoBigVector))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(keys, djangoBigKeys) {
		t.Fatalf("keys %q, want %q in Django's order", keys, djangoBigKeys)
	}
	if !reflect.DeepEqual(values, djangoBigValues) {
		t.Fatalf("values %#v\nwant %#v", values, djangoBigValues)
	}
}

func TestDjangoCodecEncodesAsDjango(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		values map[string]any
		want   string
	}{
		{"{'a': 1}", []string{"a"}, map[string]any{"a": 1},
			"eyJhIjoxfQ:1r31eq:_aJ7yMmc1HwH5IUxenklKf9csAfBeVYWHojANb4Sp0U"},
		{"{'a test key': 'a test value'}", []string{"a test key"}, map[string]any{"a test key": "a test value"},
			"eyJhIHRlc3Qga2V5IjoiYSB0ZXN0IHZhbHVlIn0:1r31eq:88d3WvSrdxeabN8aL-xuHwc1lhuMHgxjakLvdzHaGdI"},
	}
	c := frozenDjangoCodec(time.Unix(1700000000, 0), djangoVectorSecret)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Encode(tc.keys, tc.values)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("Encode = %s\nwant     %s", got, tc.want)
			}
		})
	}
}

func TestDjangoCodecCompressesLargeDataAndReadsItBack(t *testing.T) {
	c := frozenDjangoCodec(time.Unix(1700000000, 0), djangoVectorSecret)
	got, err := c.Encode(djangoBigKeys, djangoBigValues)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(got), ".") || !strings.Contains(string(got), ":1r31eq:") {
		t.Fatalf("Encode = %s, want a compressed payload signed at 1r31eq", got)
	}
	keys, values, err := c.Decode(got)
	if err != nil || !reflect.DeepEqual(keys, djangoBigKeys) || !reflect.DeepEqual(values, djangoBigValues) {
		t.Fatalf("Decode = %q, %#v, %v", keys, values, err)
	}
}

func TestDjangoCodecReadsDataSignedWithAFallbackSecret(t *testing.T) {
	rotated := DjangoCodec("a-brand-new-secret", "some-other-secret", djangoVectorSecret)
	keys, _, err := rotated.Decode([]byte(djangoBigVector))
	if err != nil || !reflect.DeepEqual(keys, djangoBigKeys) {
		t.Fatalf("Decode with the vector secret as fallback: %q, %v", keys, err)
	}
	if _, _, err := DjangoCodec("a-brand-new-secret").Decode([]byte(djangoBigVector)); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("Decode without it: %v, want ErrBadSignature", err)
	}
	enc, err := rotated.Encode([]string{"a"}, map[string]any{"a": 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := DjangoCodec(djangoVectorSecret).Decode(enc); !errors.Is(err, signing.ErrBadSignature) {
		t.Fatalf("Encode must sign with the current secret only, the old one verified it: %v", err)
	}
}

func TestDjangoCodecDecodeFailsOnDataItCannotTrust(t *testing.T) {
	signedNonJSON, err := signing.Dumps([]byte("not json"), signing.Config{Key: djangoVectorSecret, Salt: djangoSessionSalt})
	if err != nil {
		t.Fatal(err)
	}
	signedArray, err := signing.Dumps([]byte("[1,2]"), signing.Config{Key: djangoVectorSecret, Salt: djangoSessionSalt})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		is   error
	}{
		{"tampered", strings.Replace(djangoBigVector, "HHhH", "HHhh", 1), signing.ErrBadSignature},
		{"truncated", djangoBigVector[:100], signing.ErrBadSignature},
		{"plain JSON, as JSONCodec writes it", `{"a":1}`, signing.ErrBadSignature},
		{"empty", "", signing.ErrBadSignature},
		{"a signed cookie (other salt)", "eyJjYXJ0IjpbMSwyLDNdLCJ4IjoieSJ9:1r31eq:X94V9QsYV9SIqMAapsFcu-9ejj1C3npZOnYHShLdrbQ", signing.ErrBadSignature},
		{"correctly signed, not JSON", signedNonJSON, nil},
		{"correctly signed, not an object", signedArray, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys, values, err := DjangoCodec(djangoVectorSecret).Decode([]byte(tc.data))
			if err == nil {
				t.Fatalf("Decode = %q, %v; want an error", keys, values)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("Decode error %v, want %v", err, tc.is)
			}
		})
	}
}

func TestDjangoCodecEncodeNamesTheKeyOfAValueJSONCannotHold(t *testing.T) {
	_, err := DjangoCodec(djangoVectorSecret).Encode([]string{"ok", "bad"}, map[string]any{"ok": 1, "bad": make(chan int)})
	if err == nil || !strings.Contains(err.Error(), `"bad"`) {
		t.Fatalf("Encode error %v, want one naming key \"bad\"", err)
	}
}

func TestDjangoCodecPanicsWithoutASecret(t *testing.T) {
	for name, f := range map[string]func(){
		"empty secret":   func() { DjangoCodec("") },
		"empty fallback": func() { DjangoCodec("secret", "old", "") },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f()
		})
	}
}

// djangoBigIntVector is Django 3.2.25's SessionStore.encode of
// {"big": 2**70, "neg": -2**70, "max": 2**64-1, "min": -2**63,
// "f": float(2**53+2)} with djangoVectorSecret.
const djangoBigIntVector = ".eJx1zEEOwkAMQ9G7zLpUTuJMkt6mSBR1QddIiLuTC7D10_dn3M_n2EQSXjIVIUERg1G5jOvRePunr_3daZIzSIQFyl2meNN5dViqZqGwmc4IT-QyjrEV-qlKeySquOL7A0gjHk4:1xYVhU:9XTxju0MOxhX_2xlG8ux_i5fn8cGnAOFdO8RyzeiXhs"

// TestDjangoCodecKeepsPythonsBigIntegersExactly is the regression test for
// a Django row with an integer past int64 (Python has no limit): it
// decoded to a rounded float64, and the next save wrote that different
// number back for Django. Now every integer comes back exact, beyond 64
// bits as a json.Number, and is saved again digit for digit.
func TestDjangoCodecKeepsPythonsBigIntegersExactly(t *testing.T) {
	keys, values, err := DjangoCodec(djangoVectorSecret).Decode([]byte(djangoBigIntVector))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"big": json.Number("1180591620717411303424"),
		"neg": json.Number("-1180591620717411303424"),
		"max": uint64(math.MaxUint64),
		"min": math.MinInt64,
		"f":   9007199254740994.0,
	}
	if !reflect.DeepEqual(values, want) {
		t.Fatalf("Decode = %#v\nwant %#v", values, want)
	}
	c := frozenDjangoCodec(time.Unix(1700000000, 0), djangoVectorSecret)
	enc, err := c.Encode(keys, values)
	if err != nil {
		t.Fatal(err)
	}
	js, _, err := signing.Loads(string(enc), signing.Config{Key: djangoVectorSecret, Salt: djangoSessionSalt})
	if err != nil {
		t.Fatal(err)
	}
	// What Python's json.dumps(..., separators=(",", ":")) writes.
	if w := `{"big":1180591620717411303424,"neg":-1180591620717411303424,"max":18446744073709551615,"min":-9223372036854775808,"f":9007199254740994.0}`; string(js) != w {
		t.Fatalf("saved again as %s\nwant          %s", js, w)
	}
}
