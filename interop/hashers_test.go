package interop

import (
	"strings"
	"testing"

	"github.com/ginsession/ginsession/auth/djangohash"
)

// djangoHashers are the hashers of Django 3.2's default PASSWORD_HASHERS
// (argon2 and bcrypt_sha256 through Debian's python3-argon2 and
// python3-bcrypt).
var djangoHashers = []string{djangohash.PBKDF2SHA256, djangohash.PBKDF2SHA1, djangohash.Argon2, djangohash.BcryptSHA256}

// A user whose password Django set, with each of its hashers at its default
// costs, logs in through the Go service (the hash read from auth_user over
// SQL, then auth.Login, which Django's get_user accepts); a password the Go
// service set with each hasher logs in through Django's authenticate.
func TestPasswordsSetByDjangoLogInThroughGoAndBack(t *testing.T) {
	a := newDjangoAuthDB(t, sqliteDB)
	// Django 3.2's costs: a Go service beside a Django 3.2 site would set
	// them too, and the checks then do no harden_runtime top-up.
	for _, alg := range djangoHashers {
		t.Run(alg, func(t *testing.T) {
			h := djangohash.Hasher{Algorithm: alg, Iterations: 260000}
			password := "Pässwörd 😀 of " + alg
			var u djangoUser
			a.env.run(t, "auth_create_user_hashed", map[string]string{"username": "u_" + alg, "password": password, "hasher": alg}, &u)
			var stored string
			if err := a.users.Get(&stored, "SELECT password FROM auth_user WHERE username = ?", "u_"+alg); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(stored, alg+"$") || stored != u.Password {
				t.Fatalf("Django stored %q", stored)
			}
			if ok, err := h.Check(password, stored); !ok || err != nil {
				t.Fatalf("Go's check of the password Django set = %v, %v", ok, err)
			} // (wrong passwords against Django's hashes: auth/djangohash's tests)
			key := goLogin(t, a.goApp(t, secret, u))
			a.wantDjangoUser(t, key, u)

			// The other way round, at low costs: the format is what is proved,
			// and Django re-hashes at its own costs when it logs the user in.
			goPassword := "Go's " + password
			goHash, err := djangohash.Hasher{Algorithm: alg, Iterations: 1000, BcryptCost: 4,
				Argon2: djangohash.Argon2Params{Time: 1, Memory: 1024, Threads: 2}}.Make(goPassword)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.users.Exec("UPDATE auth_user SET password = ? WHERE username = ?", goHash, "u_"+alg); err != nil {
				t.Fatal(err)
			}
			if got := djangoAuthenticate(t, a, "u_"+alg, goPassword+"!"); got != nil {
				t.Errorf("Django's authenticate with a wrong password against Go's %s hash: %+v", alg, got)
			}
			if got := djangoAuthenticate(t, a, "u_"+alg, goPassword); got == nil || got.ID != u.ID {
				t.Errorf("Django's authenticate with the password Go set as %q: %+v, want user %d", goHash, got, u.ID)
			}
		})
	}
}

// Django 3.2 has no scrypt hasher: the scrypt hashes are checked and made
// by Python's hashlib.scrypt in Django 4.0's format and verify.
func TestScryptHashesInDjango4sFormatCheckBothWays(t *testing.T) {
	needDjango(t)
	env := djangoEnv{engine: dbEngine, secret: secret}
	password := "Pässwörd 😀 of scrypt"
	var made struct {
		Encoded string `json:"encoded"`
	}
	env.run(t, "scrypt_make", map[string]string{"password": password}, &made)
	h := djangohash.Hasher{Algorithm: djangohash.Scrypt}
	if ok, err := h.Check(password, made.Encoded); !ok || err != nil {
		t.Errorf("Go's check of Python's %q = %v, %v", made.Encoded, ok, err)
	}
	if ok, err := h.Check(password+"!", made.Encoded); ok || err != nil {
		t.Errorf("Go's check of a wrong password = %v, %v", ok, err)
	}
	goHash, err := h.Make(password)
	if err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{password: true, password + "!": false} {
		var checked struct {
			OK bool `json:"ok"`
		}
		env.run(t, "scrypt_check", map[string]string{"password": pw, "encoded": goHash}, &checked)
		if checked.OK != want {
			t.Errorf("Python's check of %q against Go's %q = %v, want %v", pw, goHash, checked.OK, want)
		}
	}
}

// djangoAuthenticate is Django's authenticate(username, password): the
// user, or nil.
func djangoAuthenticate(t *testing.T, a authDB, username, password string) *djangoUser {
	t.Helper()
	var resp struct {
		User *djangoUser `json:"user"`
	}
	a.env.run(t, "auth_authenticate", map[string]string{"username": username, "password": password}, &resp)
	return resp.User
}
