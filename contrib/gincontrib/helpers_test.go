package gincontrib_test

import (
	"encoding/gob"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redis9store"
)

// User is a struct an application keeps in its session, registered with gob
// as gin-contrib requires.
type User struct {
	ID    int
	Name  string
	Roles []string
	Since time.Time
}

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode)
	gob.Register(User{})
	os.Exit(m.Run())
}

// browser is an HTTP client with a cookie jar; cookies are kept per host,
// not port, so one browser visits several test servers as one site.
type browser struct {
	t   *testing.T
	c   *http.Client
	jar *cookiejar.Jar
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, c: &http.Client{Jar: jar}, jar: jar}
}

// do sends a request and returns the status, the body and the response.
func (b *browser) do(method, url string, body io.Reader, hdr ...string) (int, string, *http.Response) {
	b.t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		b.t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res.StatusCode, string(data), res
}

func (b *browser) get(url string) (int, string, *http.Response) {
	b.t.Helper()
	return b.do(http.MethodGet, url, nil)
}

// cookie returns the value the browser holds for name at srv, "" for none.
func (b *browser) cookie(srv *httptest.Server, name string) string {
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	for _, c := range b.jar.Cookies(req.URL) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookies returns the response's Set-Cookie lines for name.
func setCookies(res *http.Response, name string) []string {
	var out []string
	for _, l := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, name+"=") {
			out = append(out, l)
		}
	}
	return out
}

func serve(t *testing.T, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func newMemstore(t testing.TB) *memstore.Store {
	s, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newRedis9Store returns a ginsession Redis store under a key prefix of the
// test's own, cleaned up when it ends.
func newRedis9Store(t *testing.T) *redis9store.Store {
	client := testenv.Redis9(t)
	s, err := redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, "gincontrib")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const secret = "gincontrib-test-secret-of-at-least-32-bytes"
