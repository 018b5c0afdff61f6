package signing

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	sessionSalt = "django.contrib.sessions.SessionStore"
	cookieSalt  = "django.contrib.sessions.backends.signed_cookies"

	// bigJSON is the session dict of the reference's section 4.7 as Django's
	// JSONSerializer writes it (187 bytes).
	bigJSON = `{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"f25f57488b7b16c8c433347722c7f1b3821c261d4cdfe07c1b58cf49e9952454","cart":[1,2,3]}`
	// bigVector is Django's SessionStore.encode of bigJSON at 1700000000,
	// compressed by Python's zlib.
	bigVector = ".eJxVjMEOwiAQBf-FMyGyLIX26N0vMIbAArZqSlLoyfjvtkkPen0zb97M-bWNbq1pcVNkA0Ng_HcMnp5p3kl8-PleBJW5LVMQuyIOWsWlxPQ6H-5fYPR13N4ZdNYGrQ0myI4soVIKjQEgk2VQFiRBJyNSzOlkSAZtKWOf-l4Datyi5JfGhqvkwNXt8wVK7jtU:1r31eq:HHhH9HrwZaE6wVKgfy4JGN95ksJGkm835UmeBYfP88U"
)

func TestDumpsWritesDjangosExactUncompressedVectors(t *testing.T) {
	tests := []struct {
		name string
		salt string
		json string
		want string
	}{
		{"session data {'a': 1}", sessionSalt, `{"a":1}`,
			"eyJhIjoxfQ:1r31eq:_aJ7yMmc1HwH5IUxenklKf9csAfBeVYWHojANb4Sp0U"},
		{"session data with spaces", sessionSalt, `{"a test key":"a test value"}`,
			"eyJhIHRlc3Qga2V5IjoiYSB0ZXN0IHZhbHVlIn0:1r31eq:88d3WvSrdxeabN8aL-xuHwc1lhuMHgxjakLvdzHaGdI"},
		{"signed cookie", cookieSalt, `{"cart":[1,2,3],"x":"y"}`,
			"eyJjYXJ0IjpbMSwyLDNdLCJ4IjoieSJ9:1r31eq:X94V9QsYV9SIqMAapsFcu-9ejj1C3npZOnYHShLdrbQ"},
		{"default salt", "", `"hello"`,
			"ImhlbGxvIg:1r31eq:_m0Q3GPx5ZEqIwEtJP0gpj88gsaAWXskGP7bUmNDhfY"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Compression is asked for but does not pay on data this small,
			// so the output must be byte-identical to Django's.
			c := Config{Key: vectorSecret, Salt: tc.salt, Compress: true, Now: fixedClock(vectorTime)}
			got, err := Dumps([]byte(tc.json), c)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Dumps = %q\nwant    %q", got, tc.want)
			}
			data, at, err := Loads(tc.want, c)
			if err != nil || string(data) != tc.json || !at.Equal(vectorTime) {
				t.Fatalf("Loads = %s, %v, %v", data, at, err)
			}
		})
	}
}

func TestLoadsReadsDjangosCompressedVectors(t *testing.T) {
	tests := []struct {
		name   string
		salt   string
		signed string
		json   string
		at     int64
	}{
		{"section 4.7 session at a frozen time", sessionSalt, bigVector, bigJSON, 1700000000},
		{"section 4.7 session at real time", sessionSalt,
			".eJxVjMEOwiAQBf-FMyGyLIX26N0vMIbAArZqSlLoyfjvtkkPen0zb97M-bWNbq1pcVNkA0Ng_HcMnp5p3kl8-PleBJW5LVMQuyIOWsWlxPQ6H-5fYPR13N4ZdNYGrQ0myI4soVIKjQEgk2VQFiRBJyNSzOlkSAZtKWOf-l4Datyi5JfGhqvkwNXt8wVK7jtU:1xWIfZ:LkvgnkoD5rNPnirgw-3DdHPCfWbL2tJT_Os8NwQqSxk",
			bigJSON, 1795634921},
		{"signing.dumps(list(range(1, 20)), compress=True)", "",
			".eJwFwcERACAIwLCF-rCiILN47r-GyZVJsNgkxaFxoDgxcOHGxMKD_T7vhAml:1r31eq:BSNYKVn45s5a0Z85D8htZdXaq2EzVPuBgTGoR82Z6nA",
			"[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]", 1700000000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, at, err := Loads(tc.signed, Config{Key: vectorSecret, Salt: tc.salt})
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != tc.json {
				t.Fatalf("Loads = %s\nwant    %s", data, tc.json)
			}
			if at.Unix() != tc.at {
				t.Fatalf("signed at %d, want %d", at.Unix(), tc.at)
			}
		})
	}
}

func TestDumpsCompressesTheBigVectorAndSignsItAsDjangoWould(t *testing.T) {
	c := Config{Key: vectorSecret, Salt: sessionSalt, Compress: true, Now: fixedClock(vectorTime)}
	got, err := Dumps([]byte(bigJSON), c)
	if err != nil {
		t.Fatal(err)
	}
	// ".eA" is a zlib header (0x78 0x01) at BestSpeed; Django's level 6 gives ".eJ".
	if !strings.HasPrefix(got, ".eA") || !strings.Contains(got, ":1r31eq:") {
		t.Fatalf("Dumps = %q, want a compressed payload signed at 1r31eq", got)
	}
	// Go's zlib stream differs from Python's (reference 4.8), but the
	// signature over it is computed the same way.
	i := strings.LastIndex(got, ":")
	if want := signature(hmacKey(sessionSalt+"signer", vectorSecret), got[:i]); got[i+1:] != want {
		t.Fatalf("signature %q, want %q", got[i+1:], want)
	}
	data, _, err := Loads(got, c)
	if err != nil || string(data) != bigJSON {
		t.Fatalf("Loads = %s, %v", data, err)
	}
}

func TestDumpsCompressesOnlyWhenItSavesTwoBytes(t *testing.T) {
	// Django keeps the compressed form only if len(c) < len(data)-1; Dumps
	// does not try below minCompress bytes. Walk data of growing length and
	// repetitiveness across both points.
	sawBoth := [2]bool{}
	for n := 0; n < minCompress+48; n++ {
		for _, unit := range []string{"a", "ab", "abc12", "q7Zx!@#$%^&*()"} {
			data := []byte(strings.Repeat(unit, n/len(unit)+1)[:n])
			var buf bytes.Buffer
			zw, _ := zlib.NewWriterLevel(&buf, compressionLevel)
			zw.Write(data)
			zw.Close()
			wantCompressed := n >= minCompress && buf.Len() < len(data)-1

			got, err := Dumps(data, Config{Key: "k", Compress: true})
			if err != nil {
				t.Fatal(err)
			}
			if compressed := strings.HasPrefix(got, "."); compressed != wantCompressed {
				t.Fatalf("%q (%d bytes, %d compressed): compressed=%v, want %v", data, len(data), buf.Len(), compressed, wantCompressed)
			}
			if wantCompressed {
				sawBoth[1] = true
			} else {
				sawBoth[0] = true
			}
			back, _, err := Loads(got, Config{Key: "k"})
			if err != nil || !bytes.Equal(back, data) {
				t.Fatalf("round trip of %q: %q, %v", data, back, err)
			}
		}
	}
	if !sawBoth[0] || !sawBoth[1] {
		t.Fatalf("the walk did not cross the break-even point: %v", sawBoth)
	}
	got, err := Dumps([]byte(bigJSON), Config{Key: "k"})
	if err != nil || strings.HasPrefix(got, ".") {
		t.Fatalf("without Compress the payload must stay uncompressed: %q, %v", got, err)
	}
}

func TestLoadsUsesFallbackKeysAndSignsWithTheCurrentOne(t *testing.T) {
	old := Config{Key: "old-secret", Salt: sessionSalt, Compress: true}
	signed, err := Dumps([]byte(bigJSON), old)
	if err != nil {
		t.Fatal(err)
	}
	rotated := Config{Key: "new-secret", Fallbacks: []string{"older-secret", "old-secret"}, Salt: sessionSalt, Compress: true}
	if data, _, err := Loads(signed, rotated); err != nil || string(data) != bigJSON {
		t.Fatalf("Loads with the old key among the fallbacks: %s, %v", data, err)
	}
	resigned, err := Dumps([]byte(bigJSON), rotated)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Loads(resigned, old); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("Dumps must sign with Key, not a fallback; the old key verified it: %v", err)
	}
	if _, _, err := Loads(resigned, Config{Key: "new-secret", Salt: sessionSalt}); err != nil {
		t.Fatalf("Dumps must sign with Key: %v", err)
	}
}

func TestLoadsEnforcesMaxAge(t *testing.T) {
	const signed = "eyJjYXJ0IjpbMSwyLDNdLCJ4IjoieSJ9:1r31eq:X94V9QsYV9SIqMAapsFcu-9ejj1C3npZOnYHShLdrbQ"
	twoWeeks := 1209600 * time.Second
	c := Config{Key: vectorSecret, Salt: cookieSalt, MaxAge: twoWeeks}

	c.Now = fixedClock(vectorTime.Add(10 * time.Second))
	if _, _, err := Loads(signed, c); err != nil {
		t.Fatalf("10 s old: %v", err)
	}
	c.Now = fixedClock(vectorTime.Add(twoWeeks + time.Second))
	_, _, err := Loads(signed, c)
	if !errors.Is(err, ErrSignatureExpired) || !errors.Is(err, ErrBadSignature) {
		t.Fatalf("1209601 s old: %v, want ErrSignatureExpired", err)
	}
}

func TestLoadsRefusesDjangosLegacySHA1Signatures(t *testing.T) {
	// Django 3.2 still accepts these; 4.0 dropped them, and so do we.
	i := strings.LastIndex(bigVector, ":")
	sha1 := bigVector[:i+1] + "JY9OnFSlIQdltfeAPcnoyJqJt9M"
	if _, _, err := Loads(sha1, Config{Key: vectorSecret, Salt: sessionSalt}); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("got %v, want ErrBadSignature", err)
	}
}

// signedPayload signs an arbitrary payload string as Dumps would, so tests
// can build correctly signed hostile content.
func signedPayload(t testing.TB, c Config, payload string) string {
	t.Helper()
	s, err := signerOf(c).Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func zlibOf(t testing.TB, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

func TestLoadsIsSafeOnHostileInput(t *testing.T) {
	c := Config{Key: vectorSecret, Salt: sessionSalt, MaxSize: 1 << 20}
	bomb := zlibOf(t, make([]byte, 8<<20)) // 8 MiB of zeros in ~8 KiB
	valid := zlibOf(t, []byte(bigJSON))

	tests := []struct {
		name   string
		signed string
		want   error
	}{
		{"a zlib bomb, correctly signed", signedPayload(t, c, "."+b64Encode(bomb)), ErrTooLarge},
		{"input longer than MaxSize allows, even unsigned", strings.Repeat("A", 2<<20), ErrTooLarge},
		{"an uncompressed payload over MaxSize", signedPayload(t, c, b64Encode(make([]byte, 1<<20+1))), ErrTooLarge},
		{"garbage", "not a signed value", ErrBadSignature},
		{"empty", "", ErrBadSignature},
		{"a truncated vector", bigVector[:len(bigVector)-10], ErrBadSignature},
		{"a vector with its payload cut", bigVector[20:], ErrBadSignature},
		{"bad base64, correctly signed", signedPayload(t, c, "e$J"), ErrMalformed},
		{"base64 of impossible length, correctly signed", signedPayload(t, c, "eyJhI"), ErrMalformed},
		{"a broken zlib stream, correctly signed", signedPayload(t, c, "."+b64Encode([]byte("not zlib"))), ErrMalformed},
		{"a truncated zlib stream, correctly signed", signedPayload(t, c, "."+b64Encode(valid[:len(valid)-6])), ErrMalformed},
		{"a zlib stream with a wrong checksum, correctly signed", signedPayload(t, c, "."+b64Encode(append(valid[:len(valid)-1:len(valid)-1], valid[len(valid)-1]^1))), ErrMalformed},
		{"a lone compression flag, correctly signed", signedPayload(t, c, "."), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, _, err := Loads(tc.signed, c)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Loads = %d bytes, %v; want %v", len(data), err, tc.want)
			}
		})
	}
}

func TestLoadsAcceptsDataOfExactlyMaxSize(t *testing.T) {
	for _, compress := range []bool{false, true} {
		t.Run(fmt.Sprintf("compress=%v", compress), func(t *testing.T) {
			c := Config{Key: "k", Compress: compress, MaxSize: 1000}
			data := bytes.Repeat([]byte("x"), 1000)
			s, err := Dumps(data, c)
			if err != nil {
				t.Fatal(err)
			}
			if got, _, err := Loads(s, c); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("Loads = %d bytes, %v", len(got), err)
			}
			if _, err := Dumps(append(data, 'x'), c); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Dumps of MaxSize+1 bytes: %v, want ErrTooLarge", err)
			}
		})
	}
}

func TestDumpsAndLoadsRefuseAnEmptyKey(t *testing.T) {
	if _, err := Dumps([]byte(`{}`), Config{}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Dumps: %v, want ErrNoKey", err)
	}
	if _, _, err := Loads("e30:1r31eq:x", Config{}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("Loads: %v, want ErrNoKey", err)
	}
}

func TestSaltsSeparateSignedValues(t *testing.T) {
	const signed = "eyJhIjoxfQ:1r31eq:_aJ7yMmc1HwH5IUxenklKf9csAfBeVYWHojANb4Sp0U"
	if _, _, err := Loads(signed, Config{Key: vectorSecret, Salt: cookieSalt}); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("session data read as a signed cookie: %v, want ErrBadSignature", err)
	}
}

// TestPreparedGivesWhatDumpsAndLoadsGive: a prepared Config signs exactly
// as Dumps does with the same Config (Django's vectors among the inputs),
// reads what Dumps wrote, honours fallbacks, MaxAge and MaxSize, and
// refuses an empty key at Prepare.
func TestPreparedGivesWhatDumpsAndLoadsGive(t *testing.T) {
	for _, c := range []Config{
		{Key: vectorSecret, Salt: sessionSalt, Compress: true, Now: fixedClock(vectorTime)},
		{Key: vectorSecret, Salt: cookieSalt, Compress: true, Now: fixedClock(vectorTime)},
		{Key: vectorSecret, Now: fixedClock(vectorTime)},
		{Key: "new", Fallbacks: []string{"old"}, Salt: cookieSalt, Compress: true, Now: fixedClock(vectorTime), MaxSize: 4096},
	} {
		p, err := c.Prepare()
		if err != nil {
			t.Fatal(err)
		}
		for _, js := range []string{`{"a":1}`, `{"cart":[1,2,3],"x":"y"}`, bigJSON, strings.Repeat(`{"k":"v"}`, 300), ""} {
			want, err := Dumps([]byte(js), c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Dumps([]byte(js))
			if err != nil || got != want {
				t.Fatalf("Prepared.Dumps(%.20s) = %q, %v\nwant %q", js, got, err, want)
			}
			data, at, err := p.Loads(want)
			if err != nil || string(data) != js || !at.Equal(vectorTime) {
				t.Fatalf("Prepared.Loads = %.20s, %v, %v", data, at, err)
			}
		}
	}
	old := Config{Key: "old", Salt: cookieSalt, Now: fixedClock(vectorTime)}
	signed, _ := Dumps([]byte(`{"a":1}`), old)
	rotated, _ := Config{Key: "new", Fallbacks: []string{"old"}, Salt: cookieSalt, MaxAge: time.Minute, Now: fixedClock(vectorTime.Add(time.Minute))}.Prepare()
	if data, _, err := rotated.Loads(signed); err != nil || string(data) != `{"a":1}` {
		t.Fatalf("a fallback's signature: %s, %v", data, err)
	}
	late, _ := Config{Key: "old", Salt: cookieSalt, MaxAge: time.Minute, Now: fixedClock(vectorTime.Add(time.Minute + time.Second))}.Prepare()
	if _, _, err := late.Loads(signed); !errors.Is(err, ErrSignatureExpired) {
		t.Fatalf("past MaxAge: %v, want ErrSignatureExpired", err)
	}
	other, _ := Config{Key: "other", Salt: cookieSalt}.Prepare()
	if _, _, err := other.Loads(signed); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a foreign key: %v, want ErrBadSignature", err)
	}
	if _, _, err := other.Loads(signed[:len(signed)-1]); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a truncated signature: %v, want ErrBadSignature", err)
	}
	small, _ := Config{Key: "k", MaxSize: 10}.Prepare()
	if _, err := small.Dumps(make([]byte, 11)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over MaxSize: %v, want ErrTooLarge", err)
	}
	for _, c := range []Config{{}, {Key: "k", Fallbacks: []string{""}}} {
		if _, err := c.Prepare(); !errors.Is(err, ErrNoKey) {
			t.Fatalf("Prepare(%+v) = %v, want ErrNoKey", c, err)
		}
	}
}

// TestPreparedIsSafeForConcurrentUse: goroutines sharing a Prepared (and
// the pooled zlib writers) each get their own, correct value, under -race.
func TestPreparedIsSafeForConcurrentUse(t *testing.T) {
	p, err := Config{Key: vectorSecret, Salt: cookieSalt, Compress: true}.Prepare()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				js := fmt.Sprintf(`{"g":%d,"i":%d,"pad":%q}`, g, i, strings.Repeat("x", i%200))
				s, err := p.Dumps([]byte(js))
				if err != nil {
					errs <- err
					return
				}
				data, _, err := p.Loads(s)
				if err != nil || string(data) != js {
					errs <- fmt.Errorf("round trip of %s: %s, %v", js, data, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func BenchmarkDumps(b *testing.B) {
	c := Config{Key: vectorSecret, Salt: cookieSalt, Compress: true}
	p, err := c.Prepare()
	if err != nil {
		b.Fatal(err)
	}
	for _, js := range []string{`{"name":"gopher"}`, bigJSON} {
		b.Run(fmt.Sprintf("%dB/Dumps", len(js)), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := Dumps([]byte(js), c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%dB/Prepared", len(js)), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := p.Dumps([]byte(js)); err != nil {
					b.Fatal(err)
				}
			}
		})
		s, _ := p.Dumps([]byte(js))
		b.Run(fmt.Sprintf("%dB/PreparedLoads", len(js)), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, _, err := p.Loads(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// signerOf is the TimestampSigner that signs as Dumps with c does.
func signerOf(c Config) TimestampSigner {
	if c.Salt == "" {
		c.Salt = DefaultSalt
	}
	return TimestampSigner{Signer: Signer{Key: c.Key, Fallbacks: c.Fallbacks, Salt: c.Salt}, MaxAge: c.MaxAge, Now: c.Now}
}
