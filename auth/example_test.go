package auth_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/stores/memstore"
)

// account is an application's user type; it implements auth.User.
type account struct {
	ID       int
	Password string // the stored hash, as Django's password column
}

func (a *account) SessionAuthID() string { return fmt.Sprint(a.ID) }
func (a *account) PasswordHash() string  { return a.Password }

func ExampleSessionAuthHash() {
	// Django's user.get_session_auth_hash() for the same SECRET_KEY and
	// stored password.
	fmt.Println(auth.SessionAuthHash("test-secret-key-for-vectors", "pbkdf2_sha256$260000$salt$hash"))
	// Output: f25f57488b7b16c8c433347722c7f1b3821c261d4cdfe07c1b58cf49e9952454
}

func ExampleLogin() {
	accounts := map[string]*account{"42": {ID: 42, Password: "pbkdf2_sha256$260000$salt$hash"}}
	load := func(_ context.Context, id string) (auth.User, error) {
		a, ok := accounts[id]
		if !ok {
			return nil, auth.ErrUserNotFound
		}
		return a, nil
	}

	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store, ginsession.WithSecretKey("example-secret-of-at-least-32-bytes!")))
	r.POST("/login", func(c *gin.Context) {
		// A real handler checks the password first.
		if err := auth.Login(c, accounts["42"], ""); err != nil {
			c.String(http.StatusInternalServerError, "login failed")
			return
		}
		c.Redirect(http.StatusSeeOther, auth.SafeNext(c.Query("next"), "/"))
	})
	r.GET("/profile", auth.RequireLogin("/login"), func(c *gin.Context) {
		u, err := auth.CurrentUser(c, load)
		if errors.Is(err, auth.ErrNotLoggedIn) {
			c.Redirect(http.StatusFound, "/login")
			return
		}
		if err != nil {
			c.String(http.StatusInternalServerError, "try again later")
			return
		}
		c.String(http.StatusOK, "hello, user %s", u.SessionAuthID())
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	show := func(resp *http.Response, err error) {
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "" {
			fmt.Println(resp.StatusCode, "to", loc)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, string(b))
	}
	show(browser.Get(srv.URL + "/profile"))
	show(browser.Post(srv.URL+"/login?next=/profile", "", nil))
	show(browser.Get(srv.URL + "/profile"))
	// Output:
	// 302 to /login?next=%2Fprofile
	// 303 to /profile
	// 200 hello, user 42
}

func ExampleSafeNext() {
	for _, next := range []string{"/profile?tab=2", "/docs/../caf\u00e9", "//evil.example/", "https://evil.example/", "/./\\evil.example"} {
		fmt.Println(auth.SafeNext(next, "/"))
	}
	// Output:
	// /profile?tab=2
	// /caf%C3%A9
	// /
	// /
	// /
}

func ExampleRequireLogin() {
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store, ginsession.WithSecretKey("example-secret-of-at-least-32-bytes!")))
	r.GET("/account", auth.RequireLogin("/login"), func(c *gin.Context) { c.String(http.StatusOK, "your account") })

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/account?tab=security", nil))
	fmt.Println(w.Code, w.Header().Get("Location"))

	w = httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/account", nil)
	req.Header.Set("Accept", "application/json")
	r.ServeHTTP(w, req)
	fmt.Println(w.Code, w.Body.String())
	// Output:
	// 302 /login?next=%2Faccount%3Ftab%3Dsecurity
	// 401 {"error":"login required","login_url":"/login?next=%2Faccount"}
}

func ExampleUpdateSessionAuthHash() {
	alice := &account{ID: 1, Password: "bcrypt-hash-of-the-old-password"}
	load := func(context.Context, string) (auth.User, error) { return alice, nil }

	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store, ginsession.WithSecretKey("example-secret-of-at-least-32-bytes!")))
	r.POST("/login", func(c *gin.Context) { _ = auth.Login(c, alice, "") })
	r.POST("/password", func(c *gin.Context) {
		alice.Password = "bcrypt-hash-of-the-new-password" // stored by the password form
		if err := auth.UpdateSessionAuthHash(c, alice); err != nil {
			c.String(http.StatusInternalServerError, "try again")
		}
	})
	r.GET("/whoami", func(c *gin.Context) {
		if u, err := auth.CurrentUser(c, load); err == nil {
			c.String(http.StatusOK, "user %s", u.SessionAuthID())
			return
		}
		c.String(http.StatusOK, "anonymous")
	})
	srv := httptest.NewServer(r)
	defer srv.Close()

	browser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar}
	}
	whoami := func(b *http.Client) string {
		resp, err := b.Get(srv.URL + "/whoami")
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	laptop, phone := browser(), browser()
	for _, b := range []*http.Client{laptop, phone} {
		resp, err := b.Post(srv.URL+"/login", "", nil)
		if err == nil {
			resp.Body.Close()
		}
	}
	if resp, err := laptop.Post(srv.URL+"/password", "", nil); err == nil {
		resp.Body.Close()
	}
	fmt.Println("laptop:", whoami(laptop))
	fmt.Println("phone:", whoami(phone))
	// Output:
	// laptop: user 1
	// phone: anonymous
}
