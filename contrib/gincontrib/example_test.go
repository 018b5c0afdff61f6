package gincontrib_test

import (
	"encoding/gob"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/contrib/gincontrib"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
)

// visit sends a GET with cookies, and returns the body and the cookies a
// browser would hold after the response (set in order, Max-Age=0 deletes).
func visit(h http.Handler, path string, cookies []*http.Cookie) (string, []*http.Cookie) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	for _, set := range w.Result().Cookies() {
		cookies = slices.DeleteFunc(cookies, func(c *http.Cookie) bool { return c.Name == set.Name })
		if set.MaxAge >= 0 {
			cookies = append(cookies, set)
		}
	}
	return w.Body.String(), cookies
}

// A gin-contrib handler on a ginsession store: only the middleware line
// changed.
func Example() {
	store, _ := memstore.New()
	r := gin.New()
	r.Use(gincontrib.Sessions("mysession", store)) // was sessions.Sessions("mysession", store)
	r.GET("/incr", func(c *gin.Context) {
		session := sessions.Default(c) // github.com/gin-contrib/sessions, unchanged
		count, _ := session.Get("count").(int)
		session.Set("count", count+1) // saved without session.Save()
		c.String(http.StatusOK, "%d", count+1)
	})

	var cookies []*http.Cookie
	for range 3 {
		var body string
		body, cookies = visit(r, "/incr", cookies)
		fmt.Println(body)
	}
	// Output:
	// 1
	// 2
	// 3
}

// gin-contrib's cookie store becomes ginsession's, which needs a secret of
// 32 bytes or more.
func ExampleSessions_cookieStore() {
	secret := "a-secret-of-at-least-32-bytes-long!"
	r := gin.New()
	// before: r.Use(sessions.Sessions("mysession", cookie.NewStore([]byte(secret))))
	store, err := cookiestore.New()
	if err != nil {
		panic(err)
	}
	r.Use(gincontrib.Sessions("mysession", store,
		gincontrib.WithSessionOptions(ginsession.WithSecretKey(secret)))) // cookie stores need 32 bytes or more
	r.GET("/", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("user_id", int64(7))
		c.String(http.StatusOK, "%T", s.Get("user_id"))
	})
	body, _ := visit(r, "/", nil)
	fmt.Println(body)
	// Output: int64
}

// A user logged in on gin-contrib's cookie store is still logged in after the
// switch: the reader adopts the session on its first request.
func ExampleWithMigration() {
	oldSecret := "the-secret-gin-contrib-had"
	old := gin.New()
	old.Use(sessions.Sessions("mysession", cookie.NewStore([]byte(oldSecret))))
	old.GET("/login", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("user", User{ID: 7, Name: "ana"})
		_ = s.Save()
	})
	_, cookies := visit(old, "/login", nil)

	store, _ := memstore.New()
	r := gin.New()
	gob.Register(User{}) // as before: gob needs it to decode the old sessions
	r.Use(gincontrib.Sessions("mysession", store,
		gincontrib.WithTypes(User{}),
		gincontrib.WithMigration(gincontrib.Migration{
			KeyPairs: [][]byte{[]byte(oldSecret)}, // what you gave cookie.NewStore, in order
		})))
	r.GET("/me", func(c *gin.Context) {
		u := sessions.Default(c).Get("user").(User)
		c.String(http.StatusOK, "%s (%d)", u.Name, u.ID)
	})
	body, cookies := visit(r, "/me", cookies)
	fmt.Println(body, len(cookies[0].Value)) // a ginsession key now
	body, _ = visit(r, "/me", cookies)
	fmt.Println(body)
	// Output:
	// ana (7) 32
	// ana (7)
}

// The reader for gin-contrib's Redis store (boj/redistore) reads the data
// from the old server through go-redis v9.
func ExampleMigration_redis() {
	oldSecret := "the-secret-gin-contrib-had"
	redisClient := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	store, _ := memstore.New()
	r := gin.New()
	r.Use(gincontrib.Sessions("mysession", store,
		gincontrib.WithTypes(User{}),
		gincontrib.WithMigration(gincontrib.Migration{
			KeyPairs:  [][]byte{[]byte(oldSecret)}, // what you gave redis.NewStore
			Redis:     redisClient,                 // go-redis v9, on the old store's server
			KeyPrefix: "session_",                  // redistore's default; SetKeyPrefix's if you changed it
		})))
}
