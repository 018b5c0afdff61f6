package cookiestore

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// canary is a value that must never be visible in an encrypted cookie.
const canary = "CANARY-card-4929-7361-0258-9145"

func encrypted(opts ...Option) *Store {
	return testenv.Must(New(append([]Option{WithEncryption()}, opts...)...))
}

func mustSealWith(t testing.TB, s *Store, data string, ks ...string) string {
	t.Helper()
	v, err := s.Seal([]byte(data), keys(ks...))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wantNotFound(t *testing.T, s *Store, value string, ks ...string) {
	t.Helper()
	data, _, err := s.Open(value, keys(ks...))
	if !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Open(%.40q...) = %q, %v; want ErrNotFound", value, data, err)
	}
}

func rawOf(t *testing.T, v string) []byte {
	t.Helper()
	enc, ok := strings.CutPrefix(v, EncryptedPrefix)
	if !ok {
		t.Fatalf("%.20q... does not start with %q", v, EncryptedPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestEncryptedSealThenOpenRoundTrips(t *testing.T) {
	at := vectorTime.Add(1500 * time.Millisecond)
	s := encrypted(fixed(at))
	for _, data := range []string{`{}`, vectorJSON, djangoCompressedJSON, `{"big":"` + strings.Repeat("abc", 950) + `"}`} {
		v := mustSealWith(t, s, data, vectorSecret)
		if !strings.HasPrefix(v, EncryptedPrefix) {
			t.Fatalf("value %.20q... lacks the version prefix", v)
		}
		got, sealed, err := s.Open(v, keys(vectorSecret))
		if err != nil || string(got) != data {
			t.Fatalf("round trip of %d bytes: %d bytes, %v", len(data), len(got), err)
		}
		if want := vectorTime.Add(time.Second); !sealed.Equal(want) {
			t.Fatalf("sealed %v, want the seal time to the second, %v", sealed, want)
		}
	}
}

// TestEncryptedFormatIsAsDocumented builds a cookie from the primitives the
// package doc names, without the package's code, and opens it: the format
// (prefix, label, layout, associated data) cannot change unnoticed.
func TestEncryptedFormatIsAsDocumented(t *testing.T) {
	key, err := hkdf.Key(sha256.New, []byte(vectorSecret), nil, "ginsession cookiestore encryption v1", 32)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		t.Fatal(err)
	}
	nonce := bytes.Repeat([]byte{7}, 24)
	plain := binary.BigEndian.AppendUint64(nil, 1700000000)
	plain = append(plain, vectorJSON...)
	raw := aead.Seal(append([]byte(nil), nonce...), nonce, plain, []byte("e1."))
	cookie := "e1." + base64.RawURLEncoding.EncodeToString(raw)

	data, sealed, err := encrypted().Open(cookie, keys(vectorSecret))
	if err != nil || string(data) != vectorJSON || sealed.Unix() != 1700000000 {
		t.Fatalf("Open = %q, %v, %v", data, sealed.Unix(), err)
	}
	// And a cookie from Seal has the documented length.
	v := mustSealWith(t, encrypted(), vectorJSON, vectorSecret)
	if len(v) != len(cookie) {
		t.Fatalf("Seal made %d bytes, the documented layout %d", len(v), len(cookie))
	}
}

// goldenEncrypted was made by Seal with vectorSecret at vectorTime from
// vectorJSON; cookies already in browsers must stay readable.
const goldenEncrypted = "e1.R2X5KDWsif8NqKs9P_xCweJ68AXcLFjGDy8z-Wqo8A29zUDijNgOPVNrV3w-5QZFjQ8QdOvEkdJhSTClvZ0IchD6pfBnodvH"

func TestOpenReadsAGoldenEncryptedCookie(t *testing.T) {
	data, sealed, err := encrypted().Open(goldenEncrypted, keys(vectorSecret))
	if err != nil || string(data) != vectorJSON || !sealed.Equal(vectorTime) {
		t.Fatalf("Open = %q, %v, %v", data, sealed, err)
	}
}

func TestAnEncryptedCookieDoesNotRevealItsData(t *testing.T) {
	data := `{"card":"` + canary + `","_auth_user_id":"42"}`
	v := mustSealWith(t, encrypted(fixed(vectorTime)), data, vectorSecret)

	needles := []string{canary, "_auth_user_id", "card"}
	// The base64 of the canary at each of the three alignments, in both
	// alphabets: what a signed cookie would show.
	for i := range 3 {
		for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.RawStdEncoding} {
			b := enc.EncodeToString([]byte(strings.Repeat("x", i) + canary))
			needles = append(needles, b[(i*4+2)/3+1:len(b)-2])
		}
	}
	for _, n := range needles {
		if strings.Contains(v, n) {
			t.Fatalf("the cookie contains %q", n)
		}
	}
	// No base64 decoding of any part of the cookie, at any offset, shows it.
	parts := append(strings.Split(v, "."), v)
	for _, p := range parts {
		for off := range 4 {
			if off > len(p) {
				continue
			}
			for _, d := range []struct {
				enc    *base64.Encoding
				padded bool
			}{{base64.RawURLEncoding, false}, {base64.URLEncoding, true}, {base64.RawStdEncoding, false}, {base64.StdEncoding, true}} {
				s := strings.TrimRight(p[off:], "=")
				if d.padded {
					s += strings.Repeat("=", (4-len(s)%4)%4)
				}
				dec, _ := d.enc.DecodeString(s) // partial output on error is still checked
				// Needles of four bytes or more: a shorter one such as `{"`
				// turns up in the random bytes about once in a hundred runs.
				for _, n := range []string{canary, "_auth_user_id", "card", `{"card"`} {
					if bytes.Contains(dec, []byte(n)) {
						t.Fatalf("decoding part %.12q... at offset %d shows %q", p, off, n)
					}
				}
			}
		}
	}
	// The seal time is hidden as well.
	ts := binary.BigEndian.AppendUint64(nil, uint64(vectorTime.Unix()))
	if bytes.Contains(rawOf(t, v), ts[4:]) {
		t.Fatal("the seal time is visible in the cookie")
	}
	// While the same data in a signed cookie is readable: the check above
	// would catch a store that signed instead of encrypting.
	signed := mustSealWith(t, testenv.Must(New(fixed(vectorTime))), `{"card":"`+canary+`"}`, vectorSecret)
	dec, _ := base64.RawURLEncoding.DecodeString(strings.Split(signed, ":")[0])
	if !bytes.Contains(dec, []byte(canary)) {
		t.Fatal("the control: a signed cookie should show the canary when decoded")
	}
}

func TestTwoSealsOfTheSameDataUseDifferentNonces(t *testing.T) {
	s := encrypted(fixed(vectorTime))
	seen := map[string]bool{}
	values := map[string]bool{}
	for range 100 {
		v := mustSealWith(t, s, vectorJSON, vectorSecret)
		nonce := string(rawOf(t, v)[:24])
		if seen[nonce] || values[v] {
			t.Fatal("a nonce or a value repeated")
		}
		seen[nonce], values[v] = true, true
	}
}

func TestEncryptedCookieLengthDependsOnlyOnTheDataLength(t *testing.T) {
	// Without compression, repetitive and random data of one length give
	// cookies of one length: the size reveals nothing about the content.
	s := encrypted()
	for _, n := range []int{0, 1, 2, 3, 100, 1000, 2900} {
		repetitive := `{"x":"` + strings.Repeat("a", n) + `"}`
		random := string(incompressible(t, n+n%2))[:len(repetitive)]
		a, b := mustSealWith(t, s, repetitive, vectorSecret), mustSealWith(t, s, random, vectorSecret)
		want := len(EncryptedPrefix) + base64.RawURLEncoding.EncodedLen(24+8+len(repetitive)+16)
		if len(a) != want || len(b) != want {
			t.Fatalf("%d bytes of data: cookies of %d and %d bytes, want %d", len(repetitive), len(a), len(b), want)
		}
	}
}

func TestEncryptedCookiesSurviveSecretRotation(t *testing.T) {
	s := encrypted()
	old := mustSealWith(t, s, vectorJSON, "the-old-secret")
	if data, _, err := s.Open(old, keys("the-new-secret", "the-old-secret")); err != nil || string(data) != vectorJSON {
		t.Fatalf("with the old secret as a fallback: %q, %v", data, err)
	}
	wantNotFound(t, s, old, "the-new-secret")
	resealed := mustSealWith(t, s, vectorJSON, "the-new-secret", "the-old-secret")
	if _, _, err := s.Open(resealed, keys("the-new-secret")); err != nil {
		t.Fatalf("a value sealed after rotation does not open with the current secret: %v", err)
	}
	wantNotFound(t, s, resealed, "the-old-secret")
	// A cookie under the second of two fallbacks.
	if _, _, err := s.Open(old, keys("the-new-secret", "a-middle-secret", "the-old-secret")); err != nil {
		t.Fatalf("under the second fallback: %v", err)
	}
}

func TestEncryptedOpenTurnsEveryUnreadableCookieIntoErrNotFound(t *testing.T) {
	good := mustSealWith(t, encrypted(), `{}`, vectorSecret)
	// A cookie whose encoding uses '-' or '_', so spelling it in the
	// standard alphabet really changes it (a random one lacks both about
	// one time in six).
	urlOnly := good
	for !strings.ContainsAny(urlOnly[3:], "-_") {
		urlOnly = mustSealWith(t, encrypted(), `{}`, vectorSecret)
	}
	tests := []struct{ name, value string }{
		{"empty", ""},
		{"garbage", "hello world"},
		{"the prefix alone", EncryptedPrefix},
		{"the prefix and less than a nonce and tag", EncryptedPrefix + strings.Repeat("A", 60)},
		{"a Django-signed cookie", vectorCookie},
		{"a compressed Django-signed cookie", djangoCompressed},
		{"sealed under another secret", mustSealWith(t, encrypted(), `{}`, "another-secret")},
		{"another format version", "e2." + good[3:]},
		{"an upper-case prefix", "E1." + good[3:]},
		{"padding added", good + strings.Repeat("=", (4-len(good[3:])%4)%4+4)},
		{"standard base64 alphabet", EncryptedPrefix + base64.RawStdEncoding.EncodeToString(rawOf(t, urlOnly))},
		{"a space inside", good[:20] + " " + good[20:]},
		{"a newline inside", good[:20] + "\n" + good[20:]},
		{"doubled", good + good},
		{"the ciphertext of another cookie spliced onto this nonce", good[:3+32] + mustSealWith(t, encrypted(), `{}`, vectorSecret)[3+32:]},
		{"longer than a browser sends", EncryptedPrefix + strings.Repeat("A", 4094)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantNotFound(t, encrypted(), tc.value, vectorSecret)
		})
	}
}

func TestEveryBitFlipOfAnEncryptedCookieIsRefused(t *testing.T) {
	s := encrypted()
	v := mustSealWith(t, s, `{"a":1}`, vectorSecret, "fallback-secret")
	raw := rawOf(t, v)
	for i := range raw {
		for bit := range 8 {
			flipped := bytes.Clone(raw)
			flipped[i] ^= 1 << bit
			wantNotFound(t, s, EncryptedPrefix+base64.RawURLEncoding.EncodeToString(flipped), vectorSecret, "fallback-secret")
		}
	}
	// Every character of the cookie itself, prefix included, replaced by
	// every other cookie-safe character: base64 decoding is strict, so even
	// the unused low bits of the last character count.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/"
	for i := range len(v) {
		for _, c := range []byte(alphabet) {
			if c == v[i] {
				continue
			}
			b := []byte(v)
			b[i] = c
			wantNotFound(t, s, string(b), vectorSecret, "fallback-secret")
		}
	}
	if _, _, err := s.Open(v, keys(vectorSecret)); err != nil {
		t.Fatalf("the untouched cookie: %v", err)
	}
}

func TestEveryTruncationOfAnEncryptedCookieIsRefused(t *testing.T) {
	s := encrypted()
	v := mustSealWith(t, s, `{"a":1}`, vectorSecret)
	for n := range len(v) {
		wantNotFound(t, s, v[:n], vectorSecret)
		wantNotFound(t, s, v[len(v)-n:], vectorSecret) // the head cut off instead
	}
}

func TestEncryptionRefusesSignedCookiesUnlessMigrating(t *testing.T) {
	wantNotFound(t, encrypted(), vectorCookie, vectorSecret)
	wantNotFound(t, encrypted(), djangoCompressed, vectorSecret)

	migrating := testenv.Must(New(WithEncryption(AcceptSigned())))
	for _, tc := range []struct{ cookie, json string }{{vectorCookie, vectorJSON}, {djangoCompressed, djangoCompressedJSON}} {
		data, sealed, err := migrating.Open(tc.cookie, keys("the-new-secret", vectorSecret))
		if err != nil || string(data) != tc.json || sealed.Unix() != 1700000000 {
			t.Fatalf("migrating: Open = %q, %v, %v", data, sealed.Unix(), err)
		}
	}
	wantNotFound(t, migrating, vectorCookie, "the-new-secret")
	// It still seals encrypted, and reads what it seals.
	v := mustSealWith(t, migrating, vectorJSON, vectorSecret)
	if !strings.HasPrefix(v, EncryptedPrefix) {
		t.Fatalf("a migrating store sealed %.20q...", v)
	}
	if _, _, err := encrypted().Open(v, keys(vectorSecret)); err != nil {
		t.Fatal(err)
	}
	// And a signed store does not take an encrypted cookie for a signed one.
	wantNotFound(t, testenv.Must(New()), v, vectorSecret)
}

func TestEncryptedSealRefusesACookieOverTheLimitAndNeverTruncates(t *testing.T) {
	data := []byte(`{"x":"` + strings.Repeat("a", 3000) + `"}`)
	n := len(mustSealWith(t, encrypted(WithMaxSize(1<<20)), string(data), vectorSecret))
	if _, err := encrypted(WithMaxSize(n)).Seal(data, keys(vectorSecret)); err != nil {
		t.Fatalf("a cookie of exactly the limit (%d bytes) must be sealed: %v", n, err)
	}
	got, err := encrypted(WithMaxSize(n-1)).Seal(data, keys(vectorSecret))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("one byte over the limit: %v, want ErrTooLarge", err)
	}
	if got != "" {
		t.Fatalf("a refused cookie must not be returned: got %d bytes", len(got))
	}
	for _, want := range []string{fmt.Sprint(n), fmt.Sprint(n - 1), fmt.Sprint(len(data)), "not compressed", "server-side store"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	// Repetitive data a signed cookie would compress does not fit.
	big := []byte(`{"x":"` + strings.Repeat("a", 4000) + `"}`)
	if _, err := testenv.Must(New()).Seal(big, keys(vectorSecret)); err != nil {
		t.Fatalf("the signed engine compresses it: %v", err)
	}
	if _, err := encrypted().Seal(big, keys(vectorSecret)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("encrypted: %v, want ErrTooLarge", err)
	}
}

func TestEncryptedOpenReadsCookiesUpToWhatABrowserSends(t *testing.T) {
	v := mustSealWith(t, encrypted(WithMaxSize(4096)), `{"x":"`+strings.Repeat("a", 3000)+`"}`, vectorSecret)
	if _, _, err := encrypted(WithMaxSize(100)).Open(v, keys(vectorSecret)); err != nil {
		t.Fatalf("a %d-byte cookie, Seal limit 100: %v", len(v), err)
	}
}

func TestWithMaxAgeCapsAnEncryptedCookiesAge(t *testing.T) {
	v := mustSealWith(t, encrypted(fixed(vectorTime)), vectorJSON, vectorSecret)
	for _, tc := range []struct {
		age time.Duration
		ok  bool
	}{{10 * time.Second, true}, {time.Hour, true}, {time.Hour + time.Second, false}} {
		_, _, err := encrypted(WithMaxAge(time.Hour), fixed(vectorTime.Add(tc.age))).Open(v, keys(vectorSecret))
		if tc.ok != (err == nil) || (!tc.ok && !errors.Is(err, stores.ErrNotFound)) {
			t.Fatalf("%v old: %v", tc.age, err)
		}
	}
}

func TestEncryptedSealAndOpenNeedASecret(t *testing.T) {
	s := encrypted()
	v := mustSealWith(t, s, `{}`, vectorSecret)
	for _, ks := range [][][]byte{nil, keys(""), keys(vectorSecret, "")} {
		if _, err := s.Seal([]byte(`{}`), ks); err == nil || errors.Is(err, stores.ErrNotFound) {
			t.Errorf("Seal with keys %q: %v, want a configuration error", ks, err)
		}
		if _, _, err := s.Open(v, ks); err == nil || errors.Is(err, stores.ErrNotFound) {
			t.Errorf("Open with keys %q: %v, want a configuration error", ks, err)
		}
	}
}

// TestEncryptionKeysAreDerivedOncePerListOfSecrets: the same secrets give
// the same AEADs without deriving them again, each secret its own, and the
// store keeps the keys of the last list only, however many lists it sees.
func TestEncryptionKeysAreDerivedOncePerListOfSecrets(t *testing.T) {
	s := encrypted()
	d1, _ := s.derive(keys("secret-one", "secret-two"))
	d2, _ := s.derive(keys("secret-one", "secret-two"))
	if d1 != d2 || d1.aeads[0] != d2.aeads[0] {
		t.Fatal("the same secrets derived twice")
	}
	if d1.aeads[0] == d1.aeads[1] {
		t.Fatal("two secrets share an AEAD")
	}
	for i := range 50 {
		if _, err := s.derive(keys(fmt.Sprintf("secret-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if d := s.derived.Load(); len(d.secrets) != 1 || string(d.secrets[0]) != "secret-49" {
		t.Fatalf("the store keeps the keys of %q, want the last list only", d.secrets)
	}
	v := mustSealWith(t, s, `{}`, "secret-one")
	if _, _, err := s.Open(v, keys("secret-two", "secret-one")); err != nil {
		t.Fatal(err)
	}
}

func TestAnEncryptingStoreIsSafeForConcurrentUse(t *testing.T) {
	s := encrypted()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ks := keys(fmt.Sprintf("secret-%d", g%3), "shared-fallback")
			for i := range 200 {
				data := fmt.Sprintf(`{"g":%d,"i":%d}`, g, i)
				v, err := s.Seal([]byte(data), ks)
				if err != nil {
					t.Error(err)
					return
				}
				got, _, err := s.Open(v, ks)
				if err != nil || string(got) != data {
					t.Errorf("goroutine %d: %q, %v", g, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func FuzzOpenEncrypted(f *testing.F) {
	// The committed corpus in testdata/fuzz/FuzzOpenEncrypted holds cookies
	// sealed under these keys (current and fallback), signed ones, and
	// damaged ones.
	ks := keys(vectorSecret, "fallback-secret")
	f.Add(goldenEncrypted)
	f.Add(vectorCookie)
	f.Add(EncryptedPrefix)
	f.Add("")
	enc := encrypted()
	migrating := testenv.Must(New(WithEncryption(AcceptSigned())))
	big := encrypted(WithMaxSize(1 << 20))
	f.Fuzz(func(t *testing.T, value string) {
		data, sealed, err := enc.Open(value, ks)
		mdata, _, merr := migrating.Open(value, ks)
		for _, e := range []error{err, merr} {
			if e != nil && !errors.Is(e, stores.ErrNotFound) {
				t.Fatalf("Open returned %v, want ErrNotFound or success", e)
			}
		}
		if err == nil && (merr != nil || !bytes.Equal(data, mdata)) {
			t.Fatalf("the migrating store read an encrypted cookie differently: %v", merr)
		}
		if merr == nil && err != nil && strings.HasPrefix(value, EncryptedPrefix) {
			t.Fatal("an encrypted-looking cookie was read as a signed one")
		}
		if err != nil {
			return
		}
		if len(value) > 4096 {
			t.Fatalf("accepted a %d-byte value", len(value))
		}
		// Strict decoding: an accepted value is the one spelling of its bytes.
		raw, derr := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(value, EncryptedPrefix))
		if derr != nil || EncryptedPrefix+base64.RawURLEncoding.EncodeToString(raw) != value {
			t.Fatal("accepted a non-canonical value")
		}
		v, err := big.Seal(data, ks)
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := big.Open(v, ks)
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("reseal of opened data did not round-trip: %v", err)
		}
		_ = sealed
	})
}
