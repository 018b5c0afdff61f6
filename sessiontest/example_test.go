package sessiontest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/messages"
	"github.com/ginsession/ginsession/sessiontest"
	"github.com/ginsession/ginsession/stores/memstore"
)

func init() { gin.SetMode(gin.TestMode) }

const secret = "sessiontest-example-secret-0123456789"

// user is the application's user type.
type user struct{ id, passwordHash string }

func (u user) SessionAuthID() string { return u.id }
func (u user) PasswordHash() string  { return u.passwordHash }

var alice = user{"42", "pbkdf2_sha256$260000$salt$hash"}

func loadUser(_ context.Context, id string) (auth.User, error) {
	if id == alice.id {
		return alice, nil
	}
	return nil, auth.ErrUserNotFound
}

// newRouter is the application under test: a page only a logged-in user
// sees, which counts visits and leaves a flash message.
func newRouter() *gin.Engine {
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithSecretKey(secret)))
	r.GET("/profile", auth.RequireUser("/login", loadUser), profile)
	return r
}

func profile(c *gin.Context) {
	s := ginsession.From(c)
	n, _ := ginsession.Get[int](s, "visits")
	s.Set("visits", n+1)
	if err := messages.Info(c, "Welcome back!"); err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	u, _ := auth.CurrentUser(c, loadUser)
	c.String(http.StatusOK, "hello, user %s", u.SessionAuthID())
}

// A handler test: log a user in, visit a protected page, look at the
// session and the flash message it left.
func Example() {
	t := new(testing.T) // in a test: the test's t

	c := sessiontest.NewClient(t, newRouter())
	c.ForceLogin(alice, "")
	body := c.Get("/profile").ExpectStatus(http.StatusOK).Body

	visits, _ := c.Session().Get("visits")
	fmt.Println(body)
	fmt.Println("visits:", visits)
	fmt.Println("flash:", c.Messages()[0].Text)
	// Output:
	// hello, user 42
	// visits: 1
	// flash: Welcome back!
}

// The client keeps the session cookie across requests, and follows
// redirects when asked to.
func ExampleClient() {
	t := new(testing.T) // in a test: the test's t

	c := sessiontest.NewClient(t, newRouter())
	r := c.Get("/profile")
	fmt.Println(r.Code, r.Location())

	c.ForceLogin(alice, "")
	c.Get("/profile")
	c.Get("/profile")
	visits, _ := c.Session().Get("visits")
	fmt.Println("visits:", visits)

	c.Logout()
	c.FollowRedirects = true
	r = c.Get("/profile")
	fmt.Println(r.Code, r.URL.Path, r.Redirects)
	// Output:
	// 302 /login?next=%2Fprofile
	// visits: 2
	// 404 /login [https://example.com/login?next=%2Fprofile]
}

// ForceLogin makes the session auth.Login makes: same keys, same hash, a
// new key; Logout ends it.
func ExampleClient_ForceLogin() {
	t := new(testing.T) // in a test: the test's t

	c := sessiontest.NewClient(t, newRouter())
	c.ForceLogin(alice, "")
	s := c.Session()
	id, _ := s.Get(auth.SessionKeyUserID)
	hash, _ := s.Get(auth.SessionKeyHash)
	fmt.Println(s.Keys())
	fmt.Println(id, hash == auth.SessionAuthHash(secret, alice.PasswordHash()), len(s.Key()))

	c.Logout()
	fmt.Println(c.Session().Len(), c.Cookie("sessionid") == nil)
	// Output:
	// [_auth_verified_at _auth_user_id _auth_user_backend _auth_user_hash]
	// 42 true 32
	// 0 true
}

// SetSession seeds the session before a request, as a handler's Set would;
// Session reads what the request left.
func ExampleClient_SetSession() {
	t := new(testing.T) // in a test: the test's t

	c := sessiontest.NewClient(t, newRouter())
	c.ForceLogin(alice, "")
	c.SetSession("visits", 41)
	c.Get("/profile")

	n, _ := sessiontest.Get[int](c.Session(), "visits")
	fmt.Println("visits:", n)
	// Output:
	// visits: 42
}

// Messages shows the flash messages pending in the session, without
// consuming them.
func ExampleClient_Messages() {
	t := new(testing.T) // in a test: the test's t

	c := sessiontest.NewClient(t, newRouter())
	c.ForceLogin(alice, "")
	c.Get("/profile")
	c.Get("/profile")
	for _, m := range c.Messages() {
		fmt.Println(m.LevelTag, m.Text)
	}
	// Output:
	// info Welcome back!
	// info Welcome back!
}

// A handler called directly, with the session the middleware attaches,
// and what the middleware then committed.
func ExampleNewContext() {
	t := new(testing.T) // in a test: the test's t

	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	addToCart := func(c *gin.Context) {
		s := ginsession.From(c)
		cart, _ := ginsession.Get[[]string](s, "cart")
		s.Set("cart", append(cart, c.Query("item")))
		c.String(http.StatusOK, "added")
	}

	x := sessiontest.NewContext(t, ginsession.New(store), httptest.NewRequest(http.MethodPost, "/cart?item=tea", nil))
	addToCart(x.C)
	res := x.Finish()

	cart, _ := sessiontest.Get[[]string](res.Saved, "cart")
	fmt.Println(res.Code, res.Body, res.Accessed)
	fmt.Println("cookie set:", res.SetCookie("sessionid") != nil)
	fmt.Println("saved cart:", cart)
	// Output:
	// 200 added true
	// cookie set: true
	// saved cart: [tea]
}

// A Clock moves time for the middleware, the store and the client's
// cookie jar at once: an idle timeout passes without sleeping.
func ExampleClock() {
	t := new(testing.T) // in a test: the test's t

	clock := sessiontest.NewClock(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC))
	store, err := memstore.New(memstore.WithClock(clock.Now))
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithClock(clock.Now), ginsession.WithIdleTimeout(30*time.Minute)))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "n")
		s.Set("n", n+1)
		c.String(http.StatusOK, "%d", n+1)
	})

	c := sessiontest.NewClient(t, r, sessiontest.WithClock(clock))
	fmt.Println(c.Get("/").Body, c.Get("/").Body)
	clock.Advance(29 * time.Minute)
	fmt.Println(c.Get("/").Body)
	clock.Advance(31 * time.Minute)
	fmt.Println(c.Get("/").Body)
	// Output:
	// 1 2
	// 3
	// 1
}

// An application that registers the middleware on a group hands it to the
// client.
func ExampleWithMiddleware() {
	t := new(testing.T) // in a test: the test's t

	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	sessions := ginsession.New(store)
	r := gin.New()
	app := r.Group("/app", sessions)
	app.GET("/theme", func(c *gin.Context) {
		theme, _ := ginsession.From(c).Get("theme")
		c.String(http.StatusOK, "%v", theme)
	})

	c := sessiontest.NewClient(t, r, sessiontest.WithMiddleware(sessions))
	c.SetSession("theme", "dark")
	fmt.Println(c.Get("/app/theme").Body)
	// Output:
	// dark
}

// ChangeSession makes any change a handler could, here a session that ends
// with the browser.
func ExampleClient_ChangeSession() {
	t := new(testing.T) // in a test: the test's t

	c := sessiontest.NewClient(t, newRouter())
	c.ForceLogin(alice, "")
	c.ChangeSession(func(s *ginsession.Session) error {
		s.SetExpiry(0)
		return nil
	})
	r := c.Get("/profile")
	fmt.Println(r.Code, r.SetCookie("sessionid").MaxAge)
	// Output:
	// 200 0
}

// Two instances of an application on one store, and one browser: a login
// on one is a login on the other.
func ExampleWithCookiesOf() {
	t := new(testing.T) // in a test: the test's t

	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	instance := func() *gin.Engine {
		r := gin.New()
		r.Use(ginsession.New(store, ginsession.WithSecretKey(secret)))
		r.GET("/profile", auth.RequireUser("/login", loadUser), profile)
		return r
	}
	one := sessiontest.NewClient(t, instance())
	two := sessiontest.NewClient(t, instance(), sessiontest.WithCookiesOf(one))
	one.ForceLogin(alice, "")
	fmt.Println(two.Get("/profile").Body)
	// Output:
	// hello, user 42
}
