package signing

import (
	"errors"
	"testing"
	"time"
)

// vectorTime is the frozen clock of the reference vectors: 1700000000, which
// is "1r31eq" in base62.
var vectorTime = time.Unix(1700000000, 0)

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

func TestSignerSignsAsDjango(t *testing.T) {
	// Vectors made with Django 3.2.25's Signer (sha256).
	tests := []struct {
		name   string
		signer Signer
		value  string
		want   string
	}{
		{"default salt", Signer{Key: vectorSecret}, "hello", "hello:l88G8xmGwqzCvxG3VkvGOuKKQcbJ-VeI-kswQrcFMIQ"},
		{"custom salt", Signer{Key: vectorSecret, Salt: "extra"}, "hello", "hello:cg6ROrEPqpKRF0nLfkabJn33d8tk6uOKOkf9KneD0_I"},
		{"empty value", Signer{Key: vectorSecret}, "", ":8uDXBfCf4crcu70UZlaxslMR5I49QA8Cd0-4_T6tRhs"},
		{"fallbacks never sign", Signer{Key: vectorSecret, Fallbacks: []string{"old-secret"}}, "hello", "hello:l88G8xmGwqzCvxG3VkvGOuKKQcbJ-VeI-kswQrcFMIQ"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.signer.Sign(tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("Sign(%q) = %q, want %q", tc.value, got, tc.want)
			}
			v, err := tc.signer.Unsign(tc.want)
			if err != nil || v != tc.value {
				t.Fatalf("Unsign(%q) = %q, %v; want %q", tc.want, v, err, tc.value)
			}
		})
	}
}

func TestSignerUnsignRefusesWhatItDidNotSign(t *testing.T) {
	s := Signer{Key: vectorSecret}
	tests := []struct {
		name, signed string
	}{
		{"value changed", "hellO:l88G8xmGwqzCvxG3VkvGOuKKQcbJ-VeI-kswQrcFMIQ"},
		{"signature changed", "hello:l88G8xmGwqzCvxG3VkvGOuKKQcbJ-VeI-kswQrcFMIq"},
		{"signature truncated", "hello:l88G8xmGwqzCvxG3VkvGOuKKQcbJ-VeI-kswQrcFMI"},
		{"signature missing", "hello:"},
		{"no separator", "hello"},
		{"empty", ""},
		{"signed with another salt", "hello:cg6ROrEPqpKRF0nLfkabJn33d8tk6uOKOkf9KneD0_I"},
		{"signed with another secret", "hello:05FQd6jfozgi9Mi2-OhAt6lNABh1jYTHhFj8c2dydJk"},
		{"split at the last separator, not the first", "hello:l88G8xmGwqzCvxG3VkvGOuKKQcbJ-VeI-kswQrcFMIQ:x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := s.Unsign(tc.signed)
			if !errors.Is(err, ErrBadSignature) {
				t.Fatalf("Unsign(%q) = %q, %v; want ErrBadSignature", tc.signed, v, err)
			}
		})
	}
}

func TestSignerAcceptsValuesSignedWithAFallbackKey(t *testing.T) {
	// Signed by Django with key "old-secret".
	const signed = "hello:05FQd6jfozgi9Mi2-OhAt6lNABh1jYTHhFj8c2dydJk"
	rotated := Signer{Key: vectorSecret, Fallbacks: []string{"other", "old-secret"}}
	if v, err := rotated.Unsign(signed); err != nil || v != "hello" {
		t.Fatalf("with the old key as second fallback: %q, %v", v, err)
	}
	if _, err := (Signer{Key: vectorSecret, Fallbacks: []string{"other"}}).Unsign(signed); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("without the old key: %v, want ErrBadSignature", err)
	}
}

func TestSignerRefusesEmptyKeys(t *testing.T) {
	tests := []struct {
		name string
		s    Signer
	}{
		{"no key", Signer{}},
		{"empty fallback", Signer{Key: "k", Fallbacks: []string{""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.s.Sign("x"); !errors.Is(err, ErrNoKey) {
				t.Errorf("Sign: %v, want ErrNoKey", err)
			}
			// An HMAC keyed with "" is computable by anyone: never accept it.
			forged := "x:" + signature(hmacKey(DefaultSignerSalt+"signer", ""), "x")
			if _, err := tc.s.Unsign(forged); !errors.Is(err, ErrNoKey) {
				t.Errorf("Unsign: %v, want ErrNoKey", err)
			}
		})
	}
}

func TestTimestampSignerSignsAsDjango(t *testing.T) {
	s := TimestampSigner{Signer: Signer{Key: vectorSecret}, Now: fixedClock(vectorTime)}
	const want = "hello:1r31eq:fS78nYYW-HL4WnGsPWcUpjqeP1ygM3cEbZzlz-GEl7k"
	got, err := s.Sign("hello")
	if err != nil || got != want {
		t.Fatalf("Sign = %q, %v; want %q", got, err, want)
	}
	v, at, err := s.Unsign(want)
	if err != nil || v != "hello" || !at.Equal(vectorTime) {
		t.Fatalf("Unsign = %q, %v, %v; want hello, %v", v, at, err, vectorTime)
	}
}

func TestTimestampSignerMaxAgeIsStrictlyGreater(t *testing.T) {
	const signed = "hello:1r31eq:fS78nYYW-HL4WnGsPWcUpjqeP1ygM3cEbZzlz-GEl7k"
	tests := []struct {
		name    string
		maxAge  time.Duration
		now     time.Time
		expired bool
	}{
		{"no limit accepts anything", 0, vectorTime.Add(100 * 365 * 24 * time.Hour), false},
		{"younger than max age", time.Minute, vectorTime.Add(10 * time.Second), false},
		{"exactly max age is still valid", time.Minute, vectorTime.Add(time.Minute), false},
		{"a nanosecond past max age has expired", time.Minute, vectorTime.Add(time.Minute + time.Nanosecond), true},
		{"signed in the future is not expired", time.Minute, vectorTime.Add(-time.Hour), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := TimestampSigner{Signer: Signer{Key: vectorSecret}, MaxAge: tc.maxAge, Now: fixedClock(tc.now)}
			v, _, err := s.Unsign(signed)
			if !tc.expired {
				if err != nil || v != "hello" {
					t.Fatalf("Unsign = %q, %v; want hello", v, err)
				}
				return
			}
			if !errors.Is(err, ErrSignatureExpired) {
				t.Fatalf("Unsign error = %v, want ErrSignatureExpired", err)
			}
			if !errors.Is(err, ErrBadSignature) {
				t.Fatalf("an expired signature must also be a bad signature, got %v", err)
			}
		})
	}
}

func TestTimestampSignerReportsMalformedTimestamps(t *testing.T) {
	// Correctly signed (with the TimestampSigner salt) but not value:timestamp.
	plain := Signer{Key: vectorSecret, Salt: DefaultTimestampSignerSalt}
	ts := TimestampSigner{Signer: Signer{Key: vectorSecret}}
	for _, inner := range []string{"no-timestamp", "hello:", "hello:!!", "hello:zzzzzzzzzzzzzzzzzzzz"} {
		signed, err := plain.Sign(inner)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ts.Unsign(signed); !errors.Is(err, ErrMalformed) {
			t.Errorf("Unsign of signed %q: %v, want ErrMalformed", inner, err)
		}
	}
}

func TestTimestampSignerDoesNotAcceptPlainSignerOutput(t *testing.T) {
	// The default salts differ, so a Signer's output is no TimestampSigner's.
	signed, err := Signer{Key: vectorSecret}.Sign("hello:1r31eq")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := (TimestampSigner{Signer: Signer{Key: vectorSecret}}).Unsign(signed); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("got %v, want ErrBadSignature", err)
	}
}
