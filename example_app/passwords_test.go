package main

import (
	"errors"
	"strings"
	"testing"
)

// djangoHash is Django 3.2's make_password("wonderland",
// salt="Zq3kW9xYvB2nL8mR4tP1sD") with its default hasher.
const djangoHash = "pbkdf2_sha256$260000$Zq3kW9xYvB2nL8mR4tP1sD$IGuxTlhVwYieA/PmgA7mHdwccrqY1BHYda8TC00/rAE="

func TestDjangosPasswordHashesAreChecked(t *testing.T) {
	for pw, want := range map[string]bool{"wonderland": true, "Wonderland": false, "": false, "wonderland ": false} {
		ok, err := checkPassword(pw, djangoHash)
		if err != nil || ok != want {
			t.Errorf("checkPassword(%q, Django's hash of wonderland) = %v, %v; want %v", pw, ok, err, want)
		}
	}
}

func TestNewHashesAreInDjangosFormat(t *testing.T) {
	h, err := makePassword("looking-glass", djangoIterations)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2_sha256" || parts[1] != "260000" || len(parts[2]) != saltLength || len(parts[3]) != 44 {
		t.Fatalf("makePassword = %q, want pbkdf2_sha256$260000$<22-char salt>$<base64 of 32 bytes>", h)
	}
	// The same password and salt give Django's hash.
	if again, _ := encodePassword("wonderland", "Zq3kW9xYvB2nL8mR4tP1sD", djangoIterations); again != djangoHash {
		t.Errorf("encodePassword = %q, Django made %q", again, djangoHash)
	}
	if other, _ := makePassword("looking-glass", djangoIterations); other == h {
		t.Error("two hashes of one password share a salt")
	}
	if ok, err := checkPassword("looking-glass", h); !ok || err != nil {
		t.Errorf("a new hash does not check: %v, %v", ok, err)
	}
}

func TestUnusableHashesNeverMatch(t *testing.T) {
	for _, stored := range []string{
		"",
		"!unusablepasswordfromdjango0123456789abcd",   // set_unusable_password
		"bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuv", // another hasher
		"pbkdf2_sha256$abc$salt$hash",
		"pbkdf2_sha256$0$salt$hash",
		"pbkdf2_sha256$999999999$salt$hash", // would take minutes
		"pbkdf2_sha256$260000$salt",
	} {
		if ok, err := checkPassword("", stored); ok || !errors.Is(err, errUnusableHash) {
			t.Errorf("checkPassword against %q = %v, %v; want false, errUnusableHash", stored, ok, err)
		}
	}
}
