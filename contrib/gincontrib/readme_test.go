package gincontrib_test

// gin-contrib/sessions' README examples (v1.1.2), each run twice: on
// gin-contrib/sessions itself and on the adapter. Only the middleware line
// differs (marked "the changed line"); the handlers are the README's, and
// both runs must answer the same.

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	gcredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/contrib/gincontrib"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

// "single session"
func readmeSingle(use gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.Use(use) // the changed line
	r.GET("/hello", func(c *gin.Context) {
		session := sessions.Default(c)

		if session.Get("hello") != "world" {
			session.Set("hello", "world")
			session.Save()
		}

		c.JSON(200, gin.H{"hello": session.Get("hello")})
	})
	return r
}

// "multiple sessions" and "multiple sessions with different stores"
func readmeMany(use gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.Use(use) // the changed line
	r.GET("/hello", func(c *gin.Context) {
		sessionA := sessions.DefaultMany(c, "a")
		sessionB := sessions.DefaultMany(c, "b")

		if sessionA.Get("hello") != "world!" {
			sessionA.Set("hello", "world!")
			sessionA.Save()
		}

		if sessionB.Get("hello") != "world?" {
			sessionB.Set("hello", "world?")
			sessionB.Save()
		}

		c.JSON(200, gin.H{
			"a": sessionA.Get("hello"),
			"b": sessionB.Get("hello"),
		})
	})
	return r
}

// "cookie-based" and "Redis"
func readmeIncr(use gin.HandlerFunc) *gin.Engine {
	r := gin.New()
	r.Use(use) // the changed line
	r.GET("/incr", func(c *gin.Context) {
		session := sessions.Default(c)
		var count int
		v := session.Get("count")
		if v == nil {
			count = 0
		} else {
			count = v.(int)
			count++
		}
		session.Set("count", count)
		session.Save()
		c.JSON(200, gin.H{"count": count})
	})
	return r
}

func newCookiestore(t *testing.T) *cookiestore.Store {
	s, err := cookiestore.New()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func gcRedisStore(t *testing.T) sessions.Store {
	client := testenv.Redis9(t) // also skips or fails, as the suite does, without Redis
	store, err := gcredis.NewStore(10, "tcp", testenv.RedisAddr(), "", "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := gcredis.SetKeyPrefix(store, testenv.Redis9Prefix(t, client, "gincontrib")); err != nil {
		t.Fatal(err)
	}
	return store
}

// TestREADMEExamplesAnswerAsOnGinContrib runs each example for three
// requests of one browser and compares every answer, and whether it set a
// cookie, with gin-contrib's.
func TestREADMEExamplesAnswerAsOnGinContrib(t *testing.T) {
	withSecret := gincontrib.WithSessionOptions(ginsession.WithSecretKey(secret))
	cases := []struct {
		name    string
		app     func(gin.HandlerFunc) *gin.Engine
		path    string
		cookies []string
		contrib func(t *testing.T) gin.HandlerFunc
		adapter func(t *testing.T) gin.HandlerFunc
	}{
		{"single session, cookie store", readmeSingle, "/hello", []string{"mysession"},
			func(t *testing.T) gin.HandlerFunc {
				return sessions.Sessions("mysession", cookie.NewStore([]byte("secret")))
			},
			func(t *testing.T) gin.HandlerFunc {
				return gincontrib.Sessions("mysession", newCookiestore(t), withSecret)
			}},
		{"multiple sessions", readmeMany, "/hello", []string{"a", "b"},
			func(t *testing.T) gin.HandlerFunc {
				return sessions.SessionsMany([]string{"a", "b"}, cookie.NewStore([]byte("secret")))
			},
			func(t *testing.T) gin.HandlerFunc {
				return gincontrib.SessionsMany([]string{"a", "b"}, newMemstore(t))
			}},
		{"multiple sessions with different stores", readmeMany, "/hello", []string{"a", "b"},
			func(t *testing.T) gin.HandlerFunc {
				return sessions.SessionsManyStores([]sessions.SessionStore{
					{Name: "a", Store: cookie.NewStore([]byte("secret"))},
					{Name: "b", Store: gcRedisStore(t)},
				})
			},
			func(t *testing.T) gin.HandlerFunc {
				return gincontrib.SessionsManyStores([]gincontrib.SessionStore{
					{Name: "a", Store: newCookiestore(t)},
					{Name: "b", Store: newRedis9Store(t)},
				}, withSecret)
			}},
		{"cookie-based counter", readmeIncr, "/incr", []string{"mysession"},
			func(t *testing.T) gin.HandlerFunc {
				return sessions.Sessions("mysession", cookie.NewStore([]byte("secret")))
			},
			func(t *testing.T) gin.HandlerFunc {
				return gincontrib.Sessions("mysession", newCookiestore(t), withSecret)
			}},
		{"Redis counter", readmeIncr, "/incr", []string{"mysession"},
			func(t *testing.T) gin.HandlerFunc { return sessions.Sessions("mysession", gcRedisStore(t)) },
			func(t *testing.T) gin.HandlerFunc { return gincontrib.Sessions("mysession", newRedis9Store(t)) }},
	}
	type answer struct {
		status int
		body   string
		set    []bool // per cookie: did the response set it
	}
	run := func(t *testing.T, h http.Handler, path string, cookies []string) []answer {
		srv := serve(t, h)
		b := newBrowser(t)
		var out []answer
		for range 3 {
			status, body, res := b.get(srv.URL + path)
			a := answer{status: status, body: body}
			for _, name := range cookies {
				a.set = append(a.set, len(setCookies(res, name)) > 0)
			}
			out = append(out, a)
		}
		return out
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := run(t, tc.app(tc.contrib(t)), tc.path, tc.cookies)
			got := run(t, tc.app(tc.adapter(t)), tc.path, tc.cookies)
			for i := range want {
				if got[i].status != want[i].status || got[i].body != want[i].body {
					t.Errorf("request %d: adapter answered %d %s, gin-contrib %d %s", i+1, got[i].status, got[i].body, want[i].status, want[i].body)
				}
				for j, name := range tc.cookies {
					if got[i].set[j] != want[i].set[j] {
						t.Errorf("request %d: adapter set cookie %s: %v, gin-contrib: %v", i+1, name, got[i].set[j], want[i].set[j])
					}
				}
			}
		})
	}
}

// TestDeleteClearAndFlashesAnswerAsOnGinContrib runs gin-contrib's own
// tester scenarios for Delete, Clear and Flashes (tester.DeleteKey, Clear,
// Flashes, written out here since the tester builds gin-contrib's
// middleware itself) on both, request by request.
func TestDeleteClearAndFlashesAnswerAsOnGinContrib(t *testing.T) {
	app := func(use gin.HandlerFunc) *gin.Engine {
		r := gin.New()
		r.Use(use)
		r.GET("/set", func(c *gin.Context) {
			s := sessions.Default(c)
			s.Set("key", "ok")
			s.Set("other", 2)
			_ = s.Save()
		})
		r.GET("/delete", func(c *gin.Context) {
			s := sessions.Default(c)
			s.Delete("key")
			_ = s.Save()
		})
		r.GET("/clear", func(c *gin.Context) {
			s := sessions.Default(c)
			s.Clear()
			_ = s.Save()
		})
		r.GET("/flash", func(c *gin.Context) {
			s := sessions.Default(c)
			s.AddFlash("one")
			s.AddFlash("two")
			s.AddFlash(3, "numbers")
			_ = s.Save()
		})
		r.GET("/show", func(c *gin.Context) {
			s := sessions.Default(c)
			shown := fmt.Sprintf("%v %v %v %v", s.Get("key"), s.Get("other"), s.Flashes(), s.Flashes("numbers"))
			_ = s.Save() // before writing: gin-contrib loses a Save after it
			c.String(http.StatusOK, "%s", shown)
		})
		return r
	}
	steps := []string{"/set", "/show", "/delete", "/show", "/set", "/clear", "/show", "/flash", "/show", "/show"}
	run := func(h http.Handler) []string {
		srv := serve(t, h)
		b := newBrowser(t)
		var out []string
		for _, p := range steps {
			status, body, _ := b.get(srv.URL + p)
			out = append(out, fmt.Sprintf("%s: %d %s", p, status, body))
		}
		return out
	}
	want := run(app(sessions.Sessions("mysession", cookie.NewStore([]byte("secret")))))
	got := run(app(gincontrib.Sessions("mysession", newMemstore(t))))
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d: adapter %q, gin-contrib %q", i+1, got[i], want[i])
		}
	}
}
