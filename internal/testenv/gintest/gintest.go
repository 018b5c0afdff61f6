// Package gintest serves requests through a gin.Engine with the ginsession
// middleware on a store: the HTTP harness of the store packages' tests
// ([Site]), and what a store costs a real request, counted in round trips
// (testenv.RoundTrips) for each kind of request.
//
// It is separate from testenv because it imports the root package, whose
// own tests may use testenv.
package gintest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// Site is a gin.Engine with the ginsession middleware on a store, its log
// kept in Logs. Tests add their routes to Engine and call Get.
type Site struct {
	T      testing.TB
	Engine *gin.Engine
	Logs   *testenv.LogBuffer
}

// NewSite returns a Site whose middleware uses store with opts, logging
// every level into Logs.
func NewSite(t testing.TB, store stores.Store, opts ...ginsession.Option) *Site {
	t.Helper()
	gin.SetMode(gin.TestMode)
	s := &Site{T: t, Engine: gin.New(), Logs: &testenv.LogBuffer{}}
	s.Engine.Use(ginsession.New(store, append([]ginsession.Option{ginsession.WithLogger(s.Logs.Logger())}, opts...)...))
	return s
}

// Reply is what the site answered to one request.
type Reply struct {
	Code      int
	Body      string
	SetCookie string // the session cookie's Set-Cookie line, or ""
}

// Cookie returns the value of the session cookie the reply set, "" when it
// set none (or deleted it).
func (r Reply) Cookie() string {
	v, ok := strings.CutPrefix(r.SetCookie, "sessionid=")
	if !ok {
		return ""
	}
	v, _, _ = strings.Cut(v, ";")
	return v
}

// Get serves GET path, with the session cookie's value cookie unless it is
// "".
func (s *Site) Get(path, cookie string) Reply {
	s.T.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", "sessionid="+cookie)
	}
	w := httptest.NewRecorder()
	s.Engine.ServeHTTP(w, req)
	r := Reply{Code: w.Code, Body: w.Body.String()}
	for _, l := range w.Result().Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, "sessionid=") {
			r.SetCookie = l
		}
	}
	return r
}

// Kinds of request, in the order RoundTripsPerRequest makes them.
const (
	// Untouched is a request with a session cookie whose handler never
	// looks at the session: it must cost nothing.
	Untouched = "untouched"
	// Read is a request that reads the session: one Load.
	Read = "read"
	// Write is a read-modify-write of an existing session: Load and Update.
	Write = "write"
	// New is a request without a cookie whose handler stores a value: one
	// Create (with no Exists probe first).
	New = "new"
)

// RoundTripsPerRequest serves each kind of request a few times through a
// gin.Engine using store and returns the round trips rt counted for the last
// one of each kind (the connections are warm by then).
func RoundTripsPerRequest(t *testing.T, store stores.Store, rt *testenv.RoundTrips) map[string]int64 {
	t.Helper()
	site := NewSite(t, store)
	r := site.Engine
	r.GET("/"+Untouched, func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	r.GET("/"+Read, func(c *gin.Context) {
		n, _ := ginsession.Get[int](ginsession.From(c), "n")
		c.String(http.StatusOK, "%d", n)
	})
	increment := func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "n")
		s.Set("n", n+1)
		c.String(http.StatusOK, "%d", n+1)
	}
	r.GET("/"+Write, increment)
	r.GET("/"+New, increment)

	// serve serves one kind of request and returns what rt counted for it.
	serve := func(kind, cookie string) (Reply, int64) {
		before := rt.Count()
		reply := site.Get("/"+kind, cookie)
		n := rt.Count() - before
		if reply.Code != http.StatusOK {
			t.Fatalf("GET /%s: %d %s", kind, reply.Code, reply.Body)
		}
		return reply, n
	}
	got := map[string]int64{}
	for round := 0; round < 3; round++ {
		var reply Reply
		reply, got[New] = serve(New, "")
		cookie := reply.Cookie()
		if cookie == "" {
			t.Fatalf("no session cookie in %q", reply.SetCookie)
		}
		for _, kind := range []string{Untouched, Read, Write} {
			reply, got[kind] = serve(kind, cookie)
			if kind == Write && strings.TrimSpace(reply.Body) != "2" {
				t.Fatalf("GET /write = %q, want 2: the session did not round-trip", reply.Body)
			}
		}
	}
	return got
}

// Expect fails the test unless got has want's numbers, and logs them all.
func Expect(t *testing.T, got, want map[string]int64) {
	t.Helper()
	for _, kind := range []string{Untouched, Read, Write, New} {
		t.Logf("%-9s request: %d store round trip(s)", kind, got[kind])
		if got[kind] != want[kind] {
			t.Errorf("a %s request took %d store round trips, want %d", kind, got[kind], want[kind])
		}
	}
}

// RoundTripsUnchangedSaveEveryRequest serves, under SaveEveryRequest, a few
// requests that ignore an existing session and returns the round trips rt
// counted for the last one: the Load Django's rule needs, then a Touch (an
// expiry-only write), never a rewrite of the data.
func RoundTripsUnchangedSaveEveryRequest(t *testing.T, store stores.Store, rt *testenv.RoundTrips) int64 {
	t.Helper()
	site := NewSite(t, store, ginsession.WithSaveEveryRequest(true))
	site.Engine.GET("/set", func(c *gin.Context) { ginsession.From(c).Set("n", 1); c.String(http.StatusOK, "ok") })
	site.Engine.GET("/ignore", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	cookie := site.Get("/set", "").Cookie()
	if cookie == "" {
		t.Fatal("no session cookie after /set")
	}
	var n int64
	for range 3 {
		before := rt.Count()
		r := site.Get("/ignore", cookie)
		n = rt.Count() - before
		if r.Code != http.StatusOK || r.Cookie() != cookie {
			t.Fatalf("GET /ignore: %d, Set-Cookie %q", r.Code, r.SetCookie)
		}
	}
	return n
}
