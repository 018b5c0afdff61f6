package cookiestore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// The reference's signed-cookie vector (django-sessions.md 4.7), made by
// Django 3.2.25's signed_cookies engine.
const (
	vectorSecret = "test-secret-key-for-vectors"
	vectorJSON   = `{"cart":[1,2,3],"x":"y"}`
	vectorCookie = "eyJjYXJ0IjpbMSwyLDNdLCJ4IjoieSJ9:1r31eq:X94V9QsYV9SIqMAapsFcu-9ejj1C3npZOnYHShLdrbQ"

	// djangoCompressed was made by the same engine at the same time from a
	// dict with non-ASCII text; Python's zlib compressed it.
	djangoCompressed     = ".eJzt0TsOwjAURNGtRK5v8d74EztbIRSImBIklFSIveNtIKWZ4khT3U94vvYelnC_PdbDrLdpPbYat7HdbDr5Dzkwcr73sFwMR0QSmcJMpeEDHRce8YRnvOAzXvGGDI2PUEQJZVTQjCpq1-8PHzelyg:1r31eq:4trD-_eGb9UfT7xgSVeR5ZIWeRBFfbI16AetUZPhVQM"
	djangoCompressedJSON = `{"note":"caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 caf\u00e9 \ud83d\ude00 ","cart":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29]}`
)

var vectorTime = time.Unix(1700000000, 0)

func keys(ks ...string) [][]byte {
	out := make([][]byte, len(ks))
	for i, k := range ks {
		out[i] = []byte(k)
	}
	return out
}

func fixed(t time.Time) Option { return WithClock(func() time.Time { return t }) }

func TestOpenReadsDjangosSignedCookies(t *testing.T) {
	tests := []struct {
		name, cookie, json string
	}{
		{"the reference vector", vectorCookie, vectorJSON},
		{"a compressed cookie with non-ASCII text", djangoCompressed, djangoCompressedJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, sealed, err := testenv.Must(New()).Open(tc.cookie, keys(vectorSecret))
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.json {
				t.Fatalf("Open = %s\nwant   %s", data, tc.json)
			}
			if sealed.Unix() != 1700000000 {
				t.Fatalf("sealed at %d, want 1700000000", sealed.Unix())
			}
		})
	}
}

func TestSealWritesDjangosSignedCookieVector(t *testing.T) {
	got, err := testenv.Must(New(fixed(vectorTime))).Seal([]byte(vectorJSON), keys(vectorSecret, "an-old-secret"))
	if err != nil {
		t.Fatal(err)
	}
	if got != vectorCookie {
		t.Fatalf("Seal = %q\nwant   %q", got, vectorCookie)
	}
}

func TestSealThenOpenRoundTrips(t *testing.T) {
	s := testenv.Must(New(fixed(vectorTime)))
	for _, data := range []string{`{}`, vectorJSON, djangoCompressedJSON, `{"big":"` + strings.Repeat("abc", 1000) + `"}`} {
		v, err := s.Seal([]byte(data), keys(vectorSecret))
		if err != nil {
			t.Fatal(err)
		}
		got, sealed, err := s.Open(v, keys(vectorSecret))
		if err != nil || string(got) != data || !sealed.Equal(vectorTime) {
			t.Fatalf("round trip of %d bytes: %d bytes, %v, %v", len(data), len(got), sealed, err)
		}
	}
}

func TestOpenAcceptsCookiesSealedWithAFallbackSecret(t *testing.T) {
	s := testenv.Must(New())
	if data, _, err := s.Open(vectorCookie, keys("the-new-secret", vectorSecret)); err != nil || string(data) != vectorJSON {
		t.Fatalf("with the old secret as fallback: %s, %v", data, err)
	}
	if _, _, err := s.Open(vectorCookie, keys("the-new-secret")); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("without it: %v, want ErrNotFound", err)
	}
	// Resealing always uses the first (current) secret.
	v, err := s.Seal([]byte(vectorJSON), keys("the-new-secret", vectorSecret))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(v, keys(vectorSecret)); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("a cookie sealed after rotation opened with the old secret alone: %v", err)
	}
}

func TestOpenTurnsEveryUnreadableCookieIntoErrNotFound(t *testing.T) {
	sessionData := "eyJhIjoxfQ:1r31eq:_aJ7yMmc1HwH5IUxenklKf9csAfBeVYWHojANb4Sp0U" // salt of the db engine
	tests := []struct{ name, value string }{
		{"empty", ""},
		{"garbage", "hello world"},
		{"a session key", "k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8"},
		{"truncated", vectorCookie[:len(vectorCookie)-1]},
		{"payload changed", "eyJjYXJ0IjpbMSwyLDNdLCJ4IjoieiJ9" + vectorCookie[32:]},
		{"timestamp changed", strings.Replace(vectorCookie, ":1r31eq:", ":1r31er:", 1)},
		{"signed for another purpose", sessionData},
		{"signed with another secret", mustSeal(t, testenv.Must(New()), `{}`, "another-secret")},
		{"longer than a browser sends", strings.Repeat("a", 4097)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, _, err := testenv.Must(New()).Open(tc.value, keys(vectorSecret))
			if !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("Open = %q, %v; want ErrNotFound", data, err)
			}
		})
	}
}

func mustSeal(t *testing.T, s *Store, data string, secret string) string {
	t.Helper()
	v, err := s.Seal([]byte(data), keys(secret))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// incompressible returns a JSON document of about n bytes that zlib cannot
// shrink, so the sealed size grows with n.
func incompressible(t *testing.T, n int) []byte {
	b := make([]byte, n/2)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return []byte(`{"x":"` + hex.EncodeToString(b) + `"}`)
}

func TestSealRefusesACookieOverTheLimitAndNeverTruncates(t *testing.T) {
	data := incompressible(t, 3000)
	big := testenv.Must(New(fixed(vectorTime), WithMaxSize(1<<20)))
	v, err := big.Seal(data, keys(vectorSecret))
	if err != nil {
		t.Fatal(err)
	}
	n := len(v)

	if got, err := testenv.Must(New(fixed(vectorTime), WithMaxSize(n))).Seal(data, keys(vectorSecret)); err != nil || got != v {
		t.Fatalf("a cookie of exactly the limit (%d bytes) must be sealed: %d bytes, %v", n, len(got), err)
	}
	got, err := testenv.Must(New(fixed(vectorTime), WithMaxSize(n-1))).Seal(data, keys(vectorSecret))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("one byte over the limit: %v, want ErrTooLarge", err)
	}
	if got != "" {
		t.Fatalf("a refused cookie must not be returned, even truncated: got %d bytes", len(got))
	}
	for _, want := range []string{fmt.Sprint(n), fmt.Sprint(n - 1), "server-side store"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestDefaultLimitFitsABrowserCookie(t *testing.T) {
	if n := len("sessionid=") + DefaultMaxSize; n > 4096 {
		t.Fatalf("a default-named cookie at the limit is %d bytes, over the browsers' 4096", n)
	}
	unlimited := testenv.Must(New(fixed(vectorTime), WithMaxSize(1<<20)))
	s := testenv.Must(New(fixed(vectorTime)))
	seen := map[bool]bool{}
	for n := 2000; n < 8000; n += 100 {
		data := incompressible(t, n)
		v, err := unlimited.Seal(data, keys(vectorSecret))
		if err != nil {
			t.Fatal(err)
		}
		fits := len(v) <= DefaultMaxSize
		seen[fits] = true
		_, err = s.Seal(data, keys(vectorSecret))
		if fits && err != nil {
			t.Fatalf("a %d-byte cookie must fit: %v", len(v), err)
		}
		if !fits && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("a %d-byte cookie must not fit: %v", len(v), err)
		}
	}
	if !seen[true] || !seen[false] {
		t.Fatalf("the sizes tried did not straddle the limit: %v", seen)
	}
	// Compressible data fits far beyond 4 kB of JSON.
	if _, err := s.Seal([]byte(`{"x":"`+strings.Repeat("a", 20000)+`"}`), keys(vectorSecret)); err != nil {
		t.Fatalf("compressible data: %v", err)
	}
}

func TestWithMaxAgeCapsTheCookiesAge(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		ok   bool
	}{
		{"ten seconds old", vectorTime.Add(10 * time.Second), true},
		{"exactly the cap", vectorTime.Add(time.Hour), true},
		{"one second past the cap", vectorTime.Add(time.Hour + time.Second), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := testenv.Must(New(WithMaxAge(time.Hour), fixed(tc.now))).Open(vectorCookie, keys(vectorSecret))
			if tc.ok && err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !tc.ok && !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("Open: %v, want ErrNotFound", err)
			}
		})
	}
	// Without the option, age is the middleware's business.
	if _, _, err := testenv.Must(New(fixed(vectorTime.Add(1000*time.Hour)))).Open(vectorCookie, keys(vectorSecret)); err != nil {
		t.Fatalf("without WithMaxAge: %v", err)
	}
}

func TestSealAndOpenNeedASecret(t *testing.T) {
	s := testenv.Must(New())
	for _, ks := range [][][]byte{nil, keys(""), keys(vectorSecret, "")} {
		if _, err := s.Seal([]byte(`{}`), ks); err == nil || errors.Is(err, stores.ErrNotFound) {
			t.Errorf("Seal with keys %q: %v, want a configuration error", ks, err)
		}
		if _, _, err := s.Open(vectorCookie, ks); err == nil || errors.Is(err, stores.ErrNotFound) {
			t.Errorf("Open with keys %q: %v, want a configuration error", ks, err)
		}
	}
}

func TestClearExpiredIsANoOp(t *testing.T) {
	if err := testenv.Must(New()).ClearExpired(context.Background()); err != nil {
		t.Errorf("ClearExpired: %v", err)
	}
}

func TestOptionsRefuseNonsense(t *testing.T) {
	for name, o := range map[string]Option{
		"WithMaxSize(0)":   WithMaxSize(0),
		"WithMaxAge(-1s)":  WithMaxAge(-time.Second),
		"WithClock(nil)":   WithClock(nil),
		"WithMaxSize(-10)": WithMaxSize(-10),
	} {
		t.Run(name, func(t *testing.T) {
			s, err := New(o)
			if err == nil || s != nil || !strings.Contains(err.Error(), "leave the option out") || !strings.Contains(err.Error(), name[:len(name)-1]) {
				t.Fatalf("New(%s) = %v, %v; want an error naming the option and what to do", name, s, err)
			}
		})
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(vectorCookie)
	f.Add(djangoCompressed)
	f.Add("")
	f.Add("::")
	f.Add(".eJzt:1r31eq:x")
	s := testenv.Must(New())
	ks := keys(vectorSecret, "fallback-secret")
	f.Fuzz(func(t *testing.T, value string) {
		data, sealed, err := s.Open(value, ks)
		if err != nil {
			if !errors.Is(err, stores.ErrNotFound) {
				t.Fatalf("Open returned %v, want ErrNotFound or success", err)
			}
			return
		}
		if len(value) > 4096 {
			t.Fatalf("accepted a %d-byte value over the limit", len(value))
		}
		// Whatever opens must reseal and reopen to the same data.
		v, err := testenv.Must(New(WithMaxSize(1<<20))).Seal(data, ks)
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := testenv.Must(New(WithMaxSize(1<<20))).Open(v, ks)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("reseal of opened data did not round-trip: %v", err)
		}
		_ = sealed
	})
}

func TestOpenReadsCookiesUpToWhatABrowserSendsWhateverTheSealLimit(t *testing.T) {
	// Django sets no size limit, so it may write a cookie longer than our
	// Seal limit that the browser still keeps.
	big := testenv.Must(New(WithMaxSize(1 << 20)))
	for n := 5000; n < 10000; n += 10 {
		data := incompressible(t, n)
		v, err := big.Seal(data, keys(vectorSecret))
		if err != nil {
			t.Fatal(err)
		}
		if len(v) <= DefaultMaxSize {
			continue
		}
		if len(v) > 4096 {
			t.Fatalf("no sealed size found between %d and 4096 bytes (jumped to %d)", DefaultMaxSize, len(v))
		}
		for _, s := range []*Store{testenv.Must(New()), testenv.Must(New(WithMaxSize(100)))} {
			if got, _, err := s.Open(v, keys(vectorSecret)); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("Open of a %d-byte cookie: %v", len(v), err)
			}
		}
		return
	}
	t.Fatal("no data sealed to more than DefaultMaxSize")
}

// TestTheSecretsAreNeverTakenFromStaleDerivedKeys: the store keeps the
// keys it derived for the last secrets it was given, and must drop them the
// moment other secrets come, even in the same slice changed in place: a
// rotated secret seals at once, and a removed one opens nothing. Signed and
// encrypted stores alike.
func TestTheSecretsAreNeverTakenFromStaleDerivedKeys(t *testing.T) {
	for name, s := range map[string]*Store{"signed": testenv.Must(New()), "encrypted": testenv.Must(New(WithEncryption()))} {
		t.Run(name, func(t *testing.T) { staleKeys(t, s) })
	}
}

func staleKeys(t *testing.T, s *Store) {
	data := []byte(`{"a":1}`)
	a, b := bytes.Repeat([]byte("a"), 32), bytes.Repeat([]byte("b"), 32)
	keys := [][]byte{bytes.Clone(a)}
	byA, err := s.Seal(data, keys)
	if err != nil {
		t.Fatal(err)
	}
	// The caller's slice now holds b: the cached keys for a must not be used.
	copy(keys[0], b)
	byB, err := s.Seal(data, keys)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(byA, keys); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("a cookie sealed with a secret no longer given opened: %v", err)
	}
	if got, _, err := s.Open(byB, [][]byte{b}); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the cookie was not sealed with the new secret: %s, %v", got, err)
	}
	if _, _, err := s.Open(byB, [][]byte{a}); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("the cookie sealed after the change opened with the old secret: %v", err)
	}
	if got, _, err := s.Open(byA, [][]byte{b, a}); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the old secret as a fallback: %s, %v", got, err)
	}
	rotated, err := s.Seal(data, [][]byte{b, a})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Open(rotated, [][]byte{a}); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Seal signed with a fallback instead of the current secret: %v", err)
	}
}

// TestTheServerHoldsNothing checks the Store methods a cookie store has so
// that ginsession.New takes it: the server holds no record, the calls that
// would need one fail loudly, and the others say so without an error.
func TestTheServerHoldsNothing(t *testing.T) {
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	ctx, key, exp := context.Background(), stores.NewKey(), time.Now().Add(time.Hour)
	if _, err := s.Load(ctx, key); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Load = %v, want errors.ErrUnsupported", err)
	}
	if err := s.Create(ctx, key, []byte("{}"), exp); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Create = %v, want errors.ErrUnsupported", err)
	}
	if err := s.Update(ctx, key, []byte("{}"), exp); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Update = %v, want errors.ErrUnsupported", err)
	}
	if ok, err := s.Exists(ctx, key); ok || err != nil {
		t.Errorf("Exists = %v, %v; want false, nil", ok, err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("Delete = %v, want nil", err)
	}
	if err := s.ClearExpired(ctx); err != nil {
		t.Errorf("ClearExpired = %v, want nil", err)
	}
}
