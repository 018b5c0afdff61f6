package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// vectorSecret is the SECRET_KEY of the reference's worked vectors
// (django-sessions.md sections 4.7 and 5.2), computed with Django 3.2.25.
const vectorSecret = "test-secret-key-for-vectors"

func TestSaltedHMACMatchesDjangosAuthHashVector(t *testing.T) {
	got := hex.EncodeToString(SaltedHMAC(
		"django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
		"pbkdf2_sha256$260000$salt$hash",
		vectorSecret,
	))
	const want = "f25f57488b7b16c8c433347722c7f1b3821c261d4cdfe07c1b58cf49e9952454"
	if got != want {
		t.Fatalf("SaltedHMAC = %s, want %s", got, want)
	}
}

func TestSaltedHMACKeysTheHMACWithTheHashOfSaltAndSecret(t *testing.T) {
	// The reference states the derived keys; an HMAC keyed with them must
	// equal SaltedHMAC's result.
	tests := []struct {
		name, salt, derivedKey string
	}{
		{"auth hash salt", "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
			"fa6ac1134544bb30d40f61d967671ff516b818432df794e0239ec90213125250"},
		{"session data signer salt", "django.contrib.sessions.SessionStoresigner",
			"5f1233b323d122a8661900822ffc8de1eee5a07b9e62bc69d6ddfcad0b1bf9a2"},
		{"signed cookie signer salt", "django.contrib.sessions.backends.signed_cookiessigner",
			"a7f0404a28adfa425a2fc4c709ca00708c7ee4e4d79e87cac3e2e6b262c2adb3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, err := hex.DecodeString(tc.derivedKey)
			if err != nil {
				t.Fatal(err)
			}
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte("some value"))
			if got := SaltedHMAC(tc.salt, "some value", vectorSecret); !hmac.Equal(got, mac.Sum(nil)) {
				t.Fatalf("SaltedHMAC does not use the derived key %s", tc.derivedKey)
			}
		})
	}
}
