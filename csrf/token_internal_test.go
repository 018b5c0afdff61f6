package csrf

import (
	"strings"
	"testing"
)

// Django's vectors for _unmask_cipher_token (tests/csrf_tests).
func TestUnmaskGivesDjangosSecrets(t *testing.T) {
	const secret = "lcccccccX2kcccccccY2jcccccccssIC"
	cases := []struct{ secret, masked string }{
		{secret, "1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD"},
		{secret, "2JgchWvM1tpxT2lfz9aydoXW9yT1DN3NdLiejYxOOlzzV4nhBbYqmqZYbAV3V5Bf"},
		{strings.Repeat("a", 32), "vFioG3XOLyGyGsPRFyB9iYUs341ufzIEvFioG3XOLyGyGsPRFyB9iYUs341ufzIE"},
		{strings.Repeat("a", 32), strings.Repeat("a", 64)},
		{strings.Repeat("a", 32), strings.Repeat("b", 64)},
		{strings.Repeat("b", 32), strings.Repeat("a", 32) + strings.Repeat("b", 32)},
		{strings.Repeat("b", 32), strings.Repeat("b", 32) + strings.Repeat("c", 32)},
		{strings.Repeat("c", 32), strings.Repeat("a", 32) + strings.Repeat("c", 32)},
	}
	for _, tc := range cases {
		if got := unmask(tc.masked); got != tc.secret {
			t.Errorf("unmask(%s) = %s, want %s", tc.masked, got, tc.secret)
		}
	}
}

func TestMaskGivesAFreshTokenOfTheSecret(t *testing.T) {
	for _, secret := range []string{strings.Repeat("a", 32), "lcccccccX2kcccccccY2jcccccccssIC", "da4SrUiHJYoJ0HYQ0vcgisoIuFOxx4ER", newSecret()} {
		a, b := mask(secret), mask(secret)
		if len(a) != TokenLength || !onlyAllowed(a) || unmask(a) != secret || unmask(b) != secret || a == b {
			t.Errorf("mask(%s) = %s, %s", secret, a, b)
		}
	}
}

// The secret's characters are uniform over the 62: with 62*2000 draws each
// character comes up 2000 times on average; a modulo bias (256 % 62 = 8
// favoured characters) would put the first eight near 2400.
func TestSecretsAreUniformOverTheAlphabet(t *testing.T) {
	counts := map[byte]int{}
	for range 62 * 2000 / SecretLength {
		s := newSecret()
		if len(s) != SecretLength || !onlyAllowed(s) {
			t.Fatalf("secret %q", s)
		}
		for i := range len(s) {
			counts[s[i]]++
		}
	}
	if len(counts) != len(allowedChars) {
		t.Fatalf("%d distinct characters", len(counts))
	}
	for c, n := range counts {
		if n < 1700 || n > 2300 {
			t.Errorf("%q drawn %d times of ~2000", c, n)
		}
	}
}

func TestCheckFormatIsDjangos(t *testing.T) {
	for token, want := range map[string]string{
		strings.Repeat("a", 32):           "",
		strings.Repeat("Z9", 32):          "",
		strings.Repeat("a", 31):           reasonIncorrectLength,
		strings.Repeat("a", 65):           reasonIncorrectLength,
		"":                                reasonIncorrectLength,
		strings.Repeat("*", 16):           reasonIncorrectLength, // length first
		strings.Repeat("a", 31) + "é"[:1]: reasonInvalidCharacters,
		strings.Repeat("a", 63) + "-":     reasonInvalidCharacters,
	} {
		if got := checkFormat(token); got != want {
			t.Errorf("checkFormat(%q) = %q, want %q", token, got, want)
		}
	}
}
