package ginsession_test

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/memstore"
)

// GetErr tells a missing key from a value of another type.
func ExampleGetErr() {
	type prefs struct{ Color string }
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("n", 42)
		s.Set("p", map[string]any{"Theme": "dark"}) // no Color: not a prefs
		_, errMissing := ginsession.GetErr[string](s, "missing")
		_, errInt := ginsession.GetErr[string](s, "n")
		_, errPrefs := ginsession.GetErr[prefs](s, "p")
		c.String(http.StatusOK, "%v %v %v", errors.Is(errMissing, ginsession.ErrNoKey),
			errors.Is(errInt, ginsession.ErrWrongType), errors.Is(errPrefs, ginsession.ErrWrongType))
	})
	body, _ := send(r, "/", "")
	fmt.Println(body)
	// Output: true true true
}

// Err names a value the codec cannot store as soon as it is set; a handler
// told of it may answer a client error of its own, which stands.
func ExampleSession_Err() {
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("upload", make(chan int))
		if err := s.Err(); errors.Is(err, ginsession.ErrUnstorable) {
			c.String(http.StatusBadRequest, "%v", err)
			return
		}
		c.String(http.StatusOK, "saved")
	})
	body, cookie := send(r, "/", "")
	fmt.Printf("%s; cookie %q\n", body, cookie)
	// Output: ginsession: session key "upload": cannot store chan int as JSON: type chan int has no JSON form; cookie ""
}
