package signing_test

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ginsession/ginsession/signing"
)

func ExampleDumps() {
	c := signing.Config{
		Key:      "test-secret-key-for-vectors",
		Salt:     "django.contrib.sessions.SessionStore",
		Compress: true,
		Now:      func() time.Time { return time.Unix(1700000000, 0) },
	}
	s, err := signing.Dumps([]byte(`{"a":1}`), c)
	if err != nil {
		panic(err)
	}
	fmt.Println(s)
	data, signedAt, err := signing.Loads(s, c)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(data), signedAt.Unix())
	// Output:
	// eyJhIjoxfQ:1r31eq:_aJ7yMmc1HwH5IUxenklKf9csAfBeVYWHojANb4Sp0U
	// {"a":1} 1700000000
}

func ExampleLoads_keyRotation() {
	old := signing.Config{Key: "old-secret"}
	s, _ := signing.Dumps([]byte(`"hello"`), old)

	rotated := signing.Config{Key: "new-secret", Fallbacks: []string{"old-secret"}}
	data, _, err := signing.Loads(s, rotated)
	fmt.Println(string(data), err)
	// Output: "hello" <nil>
}

func ExampleSaltedHMAC() {
	// Django's user.get_session_auth_hash().
	h := signing.SaltedHMAC(
		"django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
		"pbkdf2_sha256$260000$salt$hash",
		"test-secret-key-for-vectors",
	)
	fmt.Println(hex.EncodeToString(h))
	// Output: f25f57488b7b16c8c433347722c7f1b3821c261d4cdfe07c1b58cf49e9952454
}

func ExampleTimestampSigner() {
	s := signing.TimestampSigner{
		Signer: signing.Signer{Key: "test-secret-key-for-vectors"},
		MaxAge: time.Minute,
		Now:    func() time.Time { return time.Unix(1700000000, 0) },
	}
	signed, _ := s.Sign("hello")
	fmt.Println(signed)
	// Output: hello:1r31eq:fS78nYYW-HL4WnGsPWcUpjqeP1ygM3cEbZzlz-GEl7k
}
