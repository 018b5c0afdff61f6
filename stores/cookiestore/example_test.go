package cookiestore_test

import (
	"fmt"

	"github.com/ginsession/ginsession/stores/cookiestore"
)

func ExampleStore_Open() {
	// A cookie written by Django's signed_cookies engine with this SECRET_KEY.
	cookie := "eyJjYXJ0IjpbMSwyLDNdLCJ4IjoieSJ9:1r31eq:X94V9QsYV9SIqMAapsFcu-9ejj1C3npZOnYHShLdrbQ"
	secrets := [][]byte{[]byte("test-secret-key-for-vectors")}

	data, sealed, err := cookiestore.New().Open(cookie, secrets)
	fmt.Println(string(data), sealed.Unix(), err)
	// Output: {"cart":[1,2,3],"x":"y"} 1700000000 <nil>
}
