package ginsession_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/memstore"
)

// send runs one request through h with an optional session cookie and
// returns the session cookie the response sets (or the one it had).
func send(h http.Handler, path, cookie string) (body, newCookie string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	newCookie = cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "sessionid" {
			newCookie = "sessionid=" + c.Value
			if c.MaxAge < 0 {
				newCookie = ""
			}
		}
	}
	return strings.TrimSpace(w.Body.String()), newCookie
}

func ExampleNew() {
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store,
		ginsession.WithCookieSecure(true), // production: HTTPS only
		ginsession.WithCookieAge(24*time.Hour),
	))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "visits")
		s.Set("visits", n+1)
		c.String(http.StatusOK, "visit %d", n+1)
	})

	body, cookie := send(r, "/", "")
	fmt.Println(body)
	body, _ = send(r, "/", cookie)
	fmt.Println(body)
	// Output:
	// visit 1
	// visit 2
}

// The README's first example, run: a counter kept in the session.
func Example_quickStart() {
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	defer func(w io.Writer) { gin.DefaultWriter = w }(gin.DefaultWriter)
	gin.DefaultWriter = io.Discard // gin.Default's request log would mix with the output

	r := gin.Default()
	r.Use(ginsession.New(store)) // once
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)                  // or c.MustGet(ginsession.ContextKey).(*ginsession.Session)
		n, _ := ginsession.Get[int](s, "visits") // typed read: 42 comes back as 42, not 42.0
		s.Set("visits", n+1)                     // no Save(): committed before the first byte of the response
		c.String(http.StatusOK, "visit %d", n+1)
	})

	_, cookie := send(r, "/", "")
	body, _ := send(r, "/", cookie)
	fmt.Println(body)
	// Output: visit 2
}

func ExampleGet() {
	type cart struct {
		Items []string `json:"items"`
		Total int      `json:"total"`
	}
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.GET("/add", func(c *gin.Context) {
		ginsession.From(c).Set("cart", cart{Items: []string{"book"}, Total: 12})
		c.Status(http.StatusNoContent)
	})
	r.GET("/show", func(c *gin.Context) {
		// After a round trip through the store the value is JSON-shaped;
		// Get converts it back to the type asked for.
		got, ok := ginsession.Get[cart](ginsession.From(c), "cart")
		c.String(http.StatusOK, "%v %+v", ok, got)
	})

	_, cookie := send(r, "/add", "")
	body, _ := send(r, "/show", cookie)
	fmt.Println(body)
	// Output: true {Items:[book] Total:12}
}

func ExampleSession_Flush() {
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.GET("/login", func(c *gin.Context) {
		ginsession.From(c).Set("user", "alice")
		c.Status(http.StatusNoContent)
	})
	r.GET("/logout", func(c *gin.Context) {
		// Deletes the record and the cookie: the old key is worthless now.
		if err := ginsession.From(c).Flush(); err != nil {
			_ = c.Error(err)
			return
		}
		c.String(http.StatusOK, "bye")
	})
	r.GET("/whoami", func(c *gin.Context) {
		user, _ := ginsession.From(c).Get("user")
		c.String(http.StatusOK, "%v", user)
	})

	_, cookie := send(r, "/login", "")
	body, _ := send(r, "/whoami", cookie)
	fmt.Println(body)
	_, after := send(r, "/logout", cookie)
	fmt.Printf("cookie after logout: %q\n", after)
	body, _ = send(r, "/whoami", cookie) // replaying the old cookie
	fmt.Println(body)
	// Output:
	// alice
	// cookie after logout: ""
	// <nil>
}

func ExampleSession_CycleKey() {
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.GET("/cart", func(c *gin.Context) {
		ginsession.From(c).Set("cart", []string{"book"})
		c.Status(http.StatusNoContent)
	})
	r.GET("/login", func(c *gin.Context) {
		s := ginsession.From(c)
		// Privileges change: give the session a new key so a key planted
		// before login is useless after it. The data stays.
		if err := s.CycleKey(); err != nil {
			_ = c.Error(err)
			return
		}
		s.Set("user", "alice")
		cart, _ := s.Get("cart")
		c.String(http.StatusOK, "%v", cart)
	})

	_, before := send(r, "/cart", "")
	body, after := send(r, "/login", before)
	fmt.Println(body, before != after)
	// Output: [book] true
}

func ExampleSession_SetExpiry() {
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.GET("/login", func(c *gin.Context) {
		s := ginsession.From(c)
		if c.Query("remember") == "" {
			s.SetExpiry(0) // ends when the browser closes
		} else {
			s.SetExpiry(30 * 24 * time.Hour)
		}
		s.Set("user", "alice")
		c.String(http.StatusOK, "browser close: %v, age: %v", s.ExpireAtBrowserClose(), s.ExpiryAge())
	})

	body, _ := send(r, "/login", "")
	fmt.Println(body)
	body, _ = send(r, "/login?remember=1", "")
	fmt.Println(body)
	// Output:
	// browser close: true, age: 336h0m0s
	// browser close: false, age: 720h0m0s
}

func ExampleWithHashedKeys() {
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithHashedKeys("a-random-secret-of-at-least-32-bytes")))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "visits")
		s.Set("visits", n+1)
		c.String(http.StatusOK, "visit %d", n+1)
	})

	_, cookie := send(r, "/", "")
	held, _ := store.Exists(context.Background(), strings.TrimPrefix(cookie, "sessionid="))
	fmt.Println("the store holds the cookie's key:", held)
	body, _ := send(r, "/", cookie)
	fmt.Println(body)
	// Output:
	// the store holds the cookie's key: false
	// visit 2
}
