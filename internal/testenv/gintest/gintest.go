// Package gintest measures what a store costs a real request: it serves
// requests through a gin.Engine with the ginsession middleware and counts
// the store's round trips (testenv.RoundTrips) for each kind of request.
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
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(ginsession.New(store))
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

	serve := func(path, cookie string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/"+path, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Fatalf("GET /%s: %d %s", path, w.Code, w.Body)
		}
		return w
	}
	sessionCookie := func(w *httptest.ResponseRecorder) string {
		for _, c := range w.Result().Cookies() {
			if c.Name == "sessionid" && c.Value != "" {
				return c.Name + "=" + c.Value
			}
		}
		t.Fatalf("no session cookie in %q", w.Header().Values("Set-Cookie"))
		return ""
	}

	got := map[string]int64{}
	var cookie string
	for round := 0; round < 3; round++ {
		before := rt.Count()
		w := serve(New, "")
		got[New] = rt.Count() - before
		cookie = sessionCookie(w)
		for _, kind := range []string{Untouched, Read, Write} {
			before := rt.Count()
			w := serve(kind, cookie)
			got[kind] = rt.Count() - before
			if kind == Write && strings.TrimSpace(w.Body.String()) != "2" {
				t.Fatalf("GET /write = %q, want 2: the session did not round-trip", w.Body)
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
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithSaveEveryRequest(true)))
	r.GET("/set", func(c *gin.Context) { ginsession.From(c).Set("n", 1); c.String(http.StatusOK, "ok") })
	r.GET("/ignore", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/set", nil))
	var cookie string
	for _, c := range w.Result().Cookies() {
		if c.Name == "sessionid" && c.Value != "" {
			cookie = c.Name + "=" + c.Value
		}
	}
	if cookie == "" {
		t.Fatalf("no session cookie in %q", w.Header().Values("Set-Cookie"))
	}
	var n int64
	for range 3 {
		req := httptest.NewRequest(http.MethodGet, "/ignore", nil)
		req.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		before := rt.Count()
		r.ServeHTTP(w, req)
		n = rt.Count() - before
		if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Set-Cookie"), cookie) {
			t.Fatalf("GET /ignore: %d, Set-Cookie %q", w.Code, w.Header().Get("Set-Cookie"))
		}
	}
	return n
}
