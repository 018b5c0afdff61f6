package ginsession_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

var keyPattern = regexp.MustCompile(`^[a-z0-9]{32}$`)

func TestFromPanicsWithAnInstructionWithoutTheMiddleware(t *testing.T) {
	r := gin.New()
	var msg any
	r.GET("/", func(c *gin.Context) {
		defer func() { msg = recover() }()
		ginsession.From(c)
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if s, _ := msg.(string); !strings.Contains(s, "r.Use(ginsession.New(store))") {
		t.Fatalf("panic %v", msg)
	}
}

func TestMustGetWithContextKeyReturnsTheSession(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/", func(c *gin.Context) {
		s := c.MustGet(ginsession.ContextKey).(*ginsession.Session)
		c.String(200, "%v", s == ginsession.From(c))
	})
	if r := a.get("/", ""); r.body != "true" {
		t.Fatal(r.body)
	}
}

func TestSessionsFollowACookieJar(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/count", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "n")
		s.Set("n", n+1)
		c.String(200, "%d", n+1)
	})
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	for want := 1; want <= 5; want++ {
		resp, err := client.Get(a.srv.URL + "/count")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != fmt.Sprint(want) {
			t.Fatalf("visit %d: %q", want, b)
		}
	}
}

func TestGoroutinesOfOneRequestMayShareTheSession(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/fan-out", func(c *gin.Context) {
		s := ginsession.From(c)
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				s.Set(fmt.Sprintf("k%d", i), i)
				_, _ = s.Get("k0")
				_ = s.Keys()
				for range s.All() {
				}
			}(i)
		}
		wg.Wait()
		c.String(200, "%d", s.Len())
	})
	if r := a.get("/fan-out", ""); r.body != "20" {
		t.Fatal(r.body)
	}
}
