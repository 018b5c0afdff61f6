package djangohash

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// password is the password of every hash below. Django 3.2 made them with
// its hashers' encode(password, "Zq3kW9xYvB2nL8mR4tP1sD") at low costs (the
// costs are in the hashes; the interop tests check Django's defaults):
// bcrypt with the bcrypt salt "$2b$04$abcdefghijklmnopqrstuu", scrypt with
// Python's hashlib.scrypt in Django 4.0's format, argon2i with argon2-cffi's
// hash_secret (Django before 3.2 wrote argon2i).
const password = "correct horse battery stäple"

var djangoHashes = []struct{ name, encoded string }{
	{"pbkdf2_sha256", "pbkdf2_sha256$1000$Zq3kW9xYvB2nL8mR4tP1sD$3WvTty5BI+ZBKsZV25iN1JR7BLRZng7aR08bXtwuXJU="},
	{"pbkdf2_sha1", "pbkdf2_sha1$1000$Zq3kW9xYvB2nL8mR4tP1sD$YcSQ7qt7tPJp73azmE4/OWt0ZQk="},
	{"argon2id", "argon2$argon2id$v=19$m=1024,t=1,p=2$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$/KvRHzIyu8lsrUrTdpvnhg"},
	{"argon2i", "argon2$argon2i$v=19$m=512,t=2,p=2$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$krp5lC6HpmjYLtNC5CjQJw"},
	{"bcrypt_sha256", "bcrypt_sha256$$2b$04$abcdefghijklmnopqrstuu0lXkc139PTTclvfuJXQTel61p81IYJe"},
	{"scrypt", "scrypt$1024$Zq3kW9xYvB2nL8mR4tP1sD$8$1$ysugfqyWveIRRApKtMtIR131PBlvpIbUzqhsTUOhrxDeX1Co4vDs61wtX1NoCxZHv/jDmFPo9TLfF+dAWPCmeQ=="},
}

// fast has Django's algorithm with a low count, so that the work Check does
// for refused and wrong passwords stays small in tests.
var fast = Hasher{Iterations: 1000}

func TestDjangosHashesMatchTheirPasswordOnly(t *testing.T) {
	for _, tc := range djangoHashes {
		t.Run(tc.name, func(t *testing.T) {
			for pw, want := range map[string]bool{password: true, "correct horse battery staple": false, "": false, password + " ": false} {
				if ok, err := fast.Check(pw, tc.encoded); ok != want || err != nil {
					t.Errorf("Check(%q) = %v, %v; want %v, nil", pw, ok, err, want)
				}
			}
		})
	}
}

func TestTheSameSaltGivesDjangosHash(t *testing.T) {
	salt := "Zq3kW9xYvB2nL8mR4tP1sD"
	got := map[string]string{}
	got["pbkdf2_sha256"], _ = pbkdf2Hash{algorithm: PBKDF2SHA256, iterations: 1000, salt: salt}.encode(password)
	got["pbkdf2_sha1"], _ = pbkdf2Hash{algorithm: PBKDF2SHA1, iterations: 1000, salt: salt}.encode(password)
	got["argon2id"] = newArgon2(Argon2Params{Time: 1, Memory: 1024, Threads: 2}, salt).encode(password)
	got["scrypt"], _ = scryptHash{n: 1024, r: 8, p: 1, salt: salt}.encode(password)
	for name, encoded := range got {
		found := false
		for _, d := range djangoHashes {
			found = found || d.encoded == encoded
		}
		if !found {
			t.Errorf("%s: made %q, which is none of Django's hashes", name, encoded)
		}
	}
}

func TestMadeHashesAreInDjangosFormatAndCheck(t *testing.T) {
	formats := map[string]*regexp.Regexp{
		PBKDF2SHA256: regexp.MustCompile(`^pbkdf2_sha256\$1000\$[a-zA-Z0-9]{22}\$[A-Za-z0-9+/]{43}=$`),
		PBKDF2SHA1:   regexp.MustCompile(`^pbkdf2_sha1\$1000\$[a-zA-Z0-9]{22}\$[A-Za-z0-9+/]{27}=$`),
		Argon2:       regexp.MustCompile(`^argon2\$argon2id\$v=19\$m=64,t=1,p=2\$[A-Za-z0-9+/]{30}\$[A-Za-z0-9+/]{22}$`),
		BcryptSHA256: regexp.MustCompile(`^bcrypt_sha256\$\$2b\$04\$[./A-Za-z0-9]{53}$`),
		Scrypt:       regexp.MustCompile(`^scrypt\$1024\$[a-zA-Z0-9]{22}\$8\$1\$[A-Za-z0-9+/]{86}==$`),
	}
	for alg, format := range formats {
		t.Run(alg, func(t *testing.T) {
			h := Hasher{Algorithm: alg, Iterations: 1000, Argon2: Argon2Params{Time: 1, Memory: 64, Threads: 2}, BcryptCost: 4, Scrypt: ScryptParams{N: 1024, R: 8, P: 1}}
			encoded, err := h.Make(password)
			if err != nil {
				t.Fatal(err)
			}
			if !format.MatchString(encoded) {
				t.Errorf("Make = %q, want %v", encoded, format)
			}
			if ok, err := h.Check(password, encoded); !ok || err != nil {
				t.Errorf("Check(the password) = %v, %v", ok, err)
			}
			if ok, err := h.Check("wrong", encoded); ok || err != nil {
				t.Errorf("Check(a wrong password) = %v, %v", ok, err)
			}
			if again, _ := h.Make(password); again == encoded {
				t.Error("two hashes of one password share a salt")
			}
			if h.NeedsUpgrade(encoded) {
				t.Error("a hash Make just made needs an upgrade")
			}
		})
	}
}

func TestTheZeroHasherIsDjangosLatestDefault(t *testing.T) {
	// NeedsUpgrade tells the zero Hasher's settings without hashing at
	// Django's cost: pbkdf2_sha256 with Django 6.1's 1,500,000 iterations.
	var h Hasher
	at := func(n string) string { return "pbkdf2_sha256$" + n + "$Zq3kW9xYvB2nL8mR4tP1sD$x" }
	if !h.NeedsUpgrade(at("1499999")) || h.NeedsUpgrade(at("1500000")) {
		t.Error("the zero Hasher does not make 1,500,000 iterations")
	}
	if !h.NeedsUpgrade(strings.Replace(at("1500000"), "sha256", "sha1", 1)) {
		t.Error("the zero Hasher's algorithm is not pbkdf2_sha256")
	}
	if !h.NeedsUpgrade("argon2$argon2id$v=19$m=102399,t=2,p=8$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$/KvRHzIyu8lsrUrTdpvnhg") ||
		(Hasher{Algorithm: Argon2}).NeedsUpgrade("argon2$argon2id$v=19$m=102400,t=2,p=8$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$/KvRHzIyu8lsrUrTdpvnhg") {
		t.Error("the zero Hasher's argon2 costs are not Django's m=102400,t=2,p=8")
	}
}

func TestUnusablePasswordsNeverMatch(t *testing.T) {
	u := Unusable()
	if len(u) != 41 || u[0] != '!' || IsUsable(u) {
		t.Errorf("Unusable() = %q (usable: %v), want \"!\" and 40 characters", u, IsUsable(u))
	}
	for _, encoded := range []string{u, "!", "!pbkdf2_sha256$1000$Zq3kW9xYvB2nL8mR4tP1sD$3WvTty5BI+ZBKsZV25iN1JR7BLRZng7aR08bXtwuXJU="} {
		for _, pw := range []string{"", encoded, encoded[1:], password} {
			if ok, err := fast.Check(pw, encoded); ok || !errors.Is(err, ErrUnusablePassword) {
				t.Errorf("Check(%q, %q) = %v, %v; want false, ErrUnusablePassword", pw, encoded, ok, err)
			}
		}
		if fast.NeedsUpgrade(encoded) {
			t.Errorf("NeedsUpgrade(%q): an unusable password has no password to re-hash", encoded)
		}
	}
	if !IsUsable("pbkdf2_sha256$1$a$b") || !IsUsable("") {
		t.Error("IsUsable differs from Django's is_password_usable")
	}
}

func TestHashesThatCannotMatchAreClearErrors(t *testing.T) {
	for _, tc := range []struct {
		name, encoded string
		want          error
	}{
		{"an empty string", "", ErrMalformed},
		{"no algorithm before the first $", "$1000$salt$hash", ErrMalformed},
		{"Django's unsalted md5", "5f4dcc3b5aa765d61d8327deb882cf99", ErrUnknownAlgorithm},
		{"Django's salted md5", "md5$salt$5f4dcc3b5aa765d61d8327deb882cf99", ErrUnknownAlgorithm},
		{"Django's plain bcrypt", "bcrypt$$2b$12$abcdefghijklmnopqrstuu0lXkc139PTTclvfuJXQTel61p81IYJe", ErrUnknownAlgorithm},
		{"pbkdf2 with 3 fields", "pbkdf2_sha256$260000$salt", ErrMalformed},
		{"pbkdf2 with a word for a count", "pbkdf2_sha256$many$salt$hash", ErrMalformed},
		{"pbkdf2 with a zero count", "pbkdf2_sha256$0$salt$hash", ErrMalformed},
		{"pbkdf2 with a signed count", "pbkdf2_sha256$+1000$salt$hash", ErrMalformed},
		{"pbkdf2 with an empty salt", "pbkdf2_sha256$1000$$hash", ErrMalformed},
		{"argon2d", "argon2$argon2d$v=19$m=512,t=2,p=2$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$krp5lC6HpmjYLtNC5CjQJw", ErrUnknownAlgorithm},
		{"argon2 version 1.0", "argon2$argon2i$m=512,t=2,p=2$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$krp5lC6HpmjYLtNC5CjQJw", ErrMalformed},
		{"argon2 with costs out of order", "argon2$argon2i$v=19$t=2,m=512,p=2$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$krp5lC6HpmjYLtNC5CjQJw", ErrMalformed},
		{"argon2 with no lanes", "argon2$argon2i$v=19$m=512,t=2,p=0$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$krp5lC6HpmjYLtNC5CjQJw", ErrMalformed},
		{"argon2 asking for 4 TiB", "argon2$argon2id$v=19$m=4294967295,t=2,p=2$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$krp5lC6HpmjYLtNC5CjQJw", ErrMalformed},
		{"argon2 with a padded salt", "argon2$argon2i$v=19$m=512,t=2,p=2$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA==$krp5lC6HpmjYLtNC5CjQJw", ErrMalformed},
		{"argon2 with a short salt", "argon2$argon2i$v=19$m=512,t=2,p=2$WnEza1c$krp5lC6HpmjYLtNC5CjQJw", ErrMalformed},
		{"bcrypt_sha256 cut short", "bcrypt_sha256$$2b$04$abcdefghijklmnopqrstuu0lXkc139PT", ErrMalformed},
		{"bcrypt_sha256 with cost 99", "bcrypt_sha256$$2b$99$abcdefghijklmnopqrstuu0lXkc139PTTclvfuJXQTel61p81IYJe", ErrMalformed},
		{"scrypt with N not a power of 2", "scrypt$1000$Zq3kW9xYvB2nL8mR4tP1sD$8$1$hash", ErrMalformed},
		{"scrypt asking for 2 GiB", "scrypt$1048576$Zq3kW9xYvB2nL8mR4tP1sD$16$1$hash", ErrMalformed},
		{"scrypt with 5 fields", "scrypt$16384$Zq3kW9xYvB2nL8mR4tP1sD$8$1", ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := fast.Check(password, tc.encoded)
			if ok || !errors.Is(err, tc.want) {
				t.Errorf("Check(%q) = %v, %v; want false, %v", tc.encoded, ok, err, tc.want)
			}
		})
	}
}

func TestKeysAreComparedAsDjangoComparesThem(t *testing.T) {
	// Django compares the whole encoded string: the same key without its
	// base64 padding is not Django's hash, so it matches nowhere.
	unpadded := strings.TrimSuffix(djangoHashes[0].encoded, "=")
	if ok, err := fast.Check(password, unpadded); ok || err != nil {
		t.Errorf("Check(the key without padding) = %v, %v; want false, nil", ok, err)
	}
}

func TestNeedsUpgradeWhenWeakerOnly(t *testing.T) {
	const (
		pbkdf2At1000 = "pbkdf2_sha256$1000$Zq3kW9xYvB2nL8mR4tP1sD$3WvTty5BI+ZBKsZV25iN1JR7BLRZng7aR08bXtwuXJU="
		shortSalt    = "pbkdf2_sha256$1000$Zq3kW9xYvB2n$3WvTty5BI+ZBKsZV25iN1JR7BLRZng7aR08bXtwuXJU="
		argon2i      = "argon2$argon2i$v=19$m=512,t=2,p=2$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$krp5lC6HpmjYLtNC5CjQJw"
		argon2id     = "argon2$argon2id$v=19$m=102400,t=2,p=8$WnEza1c5eFl2QjJuTDhtUjR0UDFzRA$ZyNQnHckUWe/zAcQlj/+HA"
		scrypt       = "scrypt$16384$Zq3kW9xYvB2nL8mR4tP1sD$8$1$VjGXqkSZSsrqIjxFlbpHuj6JXjKOKZpRm+9+stf81d7CYGXVUGC0kvcPmm7Z/TnHx1dX3KUvHDp6DRxDdw7UKA=="
		bcrypt4      = "bcrypt_sha256$$2b$04$abcdefghijklmnopqrstuu0lXkc139PTTclvfuJXQTel61p81IYJe"
	)
	for _, tc := range []struct {
		name    string
		h       Hasher
		encoded string
		want    bool
	}{
		{"a lower count than the hasher's", Hasher{}, pbkdf2At1000, true},
		{"the hasher's count", Hasher{Iterations: 1000}, pbkdf2At1000, false},
		{"a higher count than the hasher's (never downgraded)", Hasher{Iterations: 500}, pbkdf2At1000, false},
		{"a salt under 128 bits", Hasher{Iterations: 1000}, shortSalt, true},
		{"another algorithm than the hasher's", Hasher{Iterations: 1000}, djangoHashes[1].encoded, true},
		{"argon2i for an argon2 hasher", Hasher{Algorithm: Argon2}, argon2i, true},
		{"argon2id at Django's costs", Hasher{Algorithm: Argon2}, argon2id, false},
		{"argon2id under more memory", Hasher{Algorithm: Argon2, Argon2: Argon2Params{Time: 2, Memory: 200000, Threads: 8}}, argon2id, true},
		{"bcrypt cost 4 for a cost 12 hasher", Hasher{Algorithm: BcryptSHA256}, bcrypt4, true},
		{"bcrypt cost 4 for a cost 4 hasher", Hasher{Algorithm: BcryptSHA256, BcryptCost: 4}, bcrypt4, false},
		{"scrypt at Django's costs", Hasher{Algorithm: Scrypt}, scrypt, false},
		{"scrypt under a higher N", Hasher{Algorithm: Scrypt, Scrypt: ScryptParams{N: 1 << 15, R: 8, P: 1}}, scrypt, true},
		{"a malformed hash", Hasher{}, "pbkdf2_sha256$x$y$z", false},
	} {
		if got := tc.h.NeedsUpgrade(tc.encoded); got != tc.want {
			t.Errorf("%s: NeedsUpgrade = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestMakeRefusesCostsCheckWouldRefuse(t *testing.T) {
	for _, h := range []Hasher{
		{Algorithm: "md5"},
		{Algorithm: Argon2, Argon2: Argon2Params{Time: 1, Memory: 64}},
		{Algorithm: Argon2, Argon2: Argon2Params{Time: 1, Memory: 2 << 20, Threads: 1}},
		{Algorithm: BcryptSHA256, BcryptCost: 3},
		{Algorithm: Scrypt, Scrypt: ScryptParams{N: 1000, R: 8, P: 1}},
	} {
		if encoded, err := h.Make(password); err == nil {
			t.Errorf("%+v: Make = %q, want an error", h, encoded)
		}
	}
}
