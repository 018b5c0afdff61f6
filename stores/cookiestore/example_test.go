package cookiestore_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/filestore"
)

// The package doc's two ways to keep sessions in the cookie.
func ExampleNew() {
	secret := "a-secret-of-at-least-32-random-bytes"
	r := gin.New()

	signed, err := cookiestore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(signed, ginsession.WithSecretKey(secret)))

	encrypted, err := cookiestore.New(cookiestore.WithEncryption())
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(encrypted, ginsession.WithSecretKey(secret)))
}

// The three choices of the README: signed (Django's format), encrypted,
// and a server-side store that can revoke.
func Example_choices() {
	djangoSecretKey := "the Django site's SECRET_KEY, 32 bytes or more"
	secret := "a-secret-of-at-least-32-random-bytes"

	signed := func(r *gin.Engine) {
		store, err := cookiestore.New()
		if err != nil {
			panic(err)
		}
		r.Use(ginsession.New(store,
			ginsession.WithSecretKey(djangoSecretKey), // Django's SECRET_KEY
			ginsession.WithCookieSecure(true),
		))
	}
	encrypted := func(r *gin.Engine) {
		store, err := cookiestore.New(cookiestore.WithEncryption())
		if err != nil {
			panic(err)
		}
		r.Use(ginsession.New(store,
			ginsession.WithSecretKey(secret),
			ginsession.WithCookieSecure(true),
		))
	}
	serverSide := func(r *gin.Engine) {
		store, err := filestore.New("/var/lib/app/sessions") // or sqlstore.New(db), redisstore.New(client)
		if err != nil {
			log.Fatal(err)
		}
		r.Use(ginsession.New(store,
			ginsession.WithSecretKey(secret), // for auth hashes; the cookie is a random key
			ginsession.WithCookieSecure(true),
		))
	}
	_ = []func(*gin.Engine){signed, encrypted, serverSide} // each configures an engine
}

func ExampleStore_Open() {
	// A cookie written by Django's signed_cookies engine with this SECRET_KEY.
	cookie := "eyJjYXJ0IjpbMSwyLDNdLCJ4IjoieSJ9:1r31eq:X94V9QsYV9SIqMAapsFcu-9ejj1C3npZOnYHShLdrbQ"
	secrets := [][]byte{[]byte("test-secret-key-for-vectors")}

	store, err := cookiestore.New()
	if err != nil {
		panic(err)
	}
	data, sealed, err := store.Open(cookie, secrets)
	fmt.Println(string(data), sealed.Unix(), err)
	// Output: {"cart":[1,2,3],"x":"y"} 1700000000 <nil>
}

func ExampleWithEncryption() {
	store, err := cookiestore.New(cookiestore.WithEncryption())
	if err != nil {
		panic(err)
	}
	// The middleware passes its secret and fallbacks, newest first.
	secrets := [][]byte{[]byte("a-secret-of-at-least-32-random-bytes")}

	cookie, err := store.Seal([]byte(`{"card":"4929 7361 0258 9145"}`), secrets)
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(cookie, cookiestore.EncryptedPrefix), strings.Contains(cookie, "4929"))

	data, _, err := store.Open(cookie, secrets)
	fmt.Println(string(data), err)
	// Output:
	// true false
	// {"card":"4929 7361 0258 9145"} <nil>
}

func ExampleAcceptSigned() {
	// While a site moves from signed to encrypted cookies, the store reads
	// both and writes encrypted ones.
	store, err := cookiestore.New(cookiestore.WithEncryption(cookiestore.AcceptSigned()))
	if err != nil {
		panic(err)
	}
	signed := "eyJjYXJ0IjpbMSwyLDNdLCJ4IjoieSJ9:1r31eq:X94V9QsYV9SIqMAapsFcu-9ejj1C3npZOnYHShLdrbQ"
	secrets := [][]byte{[]byte("test-secret-key-for-vectors")}

	data, _, err := store.Open(signed, secrets)
	fmt.Println(string(data), err)
	// Output: {"cart":[1,2,3],"x":"y"} <nil>
}
