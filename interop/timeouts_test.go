package interop

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

// timeoutSite is a Go site with both timeouts on store, sharing the
// secret with Django; /login stores a user and a session idle timeout of
// its own, /whoami reads them.
func timeoutSite(store stores.Store, now func() time.Time, opts ...ginsession.Option) http.Handler {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(ginsession.New(store, append([]ginsession.Option{
		ginsession.WithSecretKey(secret),
		ginsession.WithIdleTimeout(30 * time.Minute),
		ginsession.WithAbsoluteTimeout(8 * time.Hour),
		ginsession.WithClock(now),
	}, opts...)...))
	r.GET("/login", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("user", "alice")
		if err := s.SetIdleTimeout(2 * time.Hour); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	})
	r.GET("/whoami", func(c *gin.Context) {
		s := ginsession.From(c)
		user, _ := ginsession.Get[string](s, "user")
		note, _ := ginsession.Get[string](s, "note")
		c.String(http.StatusOK, "%s %s %v", user, note, s.IdleTimeout())
	})
	return r
}

// visit sends one request with the session cookie value (if any) and
// returns the body and the value the response sets.
func visit(t *testing.T, h http.Handler, path, cookie string) (string, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", "sessionid="+cookie)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == "sessionid" {
			cookie = c.Value
		}
	}
	return w.Body.String(), cookie
}

// What the timeouts keep in a session, "_session_started" and
// "_session_idle_timeout", is plain JSON that Django loads without error,
// in the table and in a signed cookie; Django changing the session keeps
// them, and the Go side then brings the record's expiry, which Django
// moved to its two-week age, back to the idle timeout.
func TestTimeoutDataIsOrdinarySessionDataToDjango(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		d := newDjangoDB(t, kind)
		now := time.Now().Truncate(time.Second)
		clock := func() time.Time { return now }
		h := timeoutSite(d.store, clock, ginsession.WithCodec(ginsession.DjangoCodec(secret)))
		_, key := visit(t, h, "/login", "")
		want := fmt.Sprintf(`{"user":"alice","_session_idle_timeout":7200,"_session_started":%d}`, now.Unix())

		row := d.djangoLoad(t, key, want)
		if !row.Found || !row.Same {
			t.Fatalf("Django found=%v same=%v loaded %s, want %s", row.Found, row.Same, row.JSON, want)
		}
		if got := parseDjangoTime(t, row.ExpireDate); !got.Equal(now.Add(2 * time.Hour)) {
			t.Errorf("expire_date %v, want the session's own idle timeout from now, %v", got, now.Add(2*time.Hour))
		}

		want2 := fmt.Sprintf(`{"user":"alice","_session_idle_timeout":7200,"_session_started":%d,"note":"from django"}`, now.Unix())
		var changed pyRow
		d.env.run(t, "db_update", map[string]string{"key": key, "set": `{"note":"from django"}`, "json": want2}, &changed)
		if !changed.Same {
			t.Fatalf("after Django's save the session is %s, want %s", changed.JSON, want2)
		}
		if got := parseDjangoTime(t, changed.ExpireDate); got.Before(now.Add(13 * 24 * time.Hour)) {
			t.Fatalf("Django saved expire_date %v; this test expects its two-week age", got)
		}

		if body, _ := visit(t, h, "/whoami", key); body != "alice from django 2h0m0s" {
			t.Fatalf("Go reads %q after Django's change", body)
		}
		if _, exp, err := d.store.LoadWithExpiry(ctx(t), key); err != nil || !exp.Equal(now.Add(2*time.Hour)) {
			t.Errorf("after Go's request the expiry is %v, %v; want it back at %v", exp, err, now.Add(2*time.Hour))
		}
	})
}

func TestTimeoutDataInAGoCookieLoadsInDjango(t *testing.T) {
	t.Parallel()
	needDjango(t)
	now := time.Now().Truncate(time.Second)
	clock := func() time.Time { return now }
	h := timeoutSite(testenv.Must(cookiestore.New(cookiestore.WithClock(clock))), clock)
	_, cookie := visit(t, h, "/login", "")
	want := fmt.Sprintf(`{"user":"alice","_session_idle_timeout":7200,"_session_started":%d}`, now.Unix())
	var resp pyLoaded
	djangoEnv{engine: cookieEngine, secret: secret}.run(t, "cookie_open", map[string]string{"value": cookie, "json": want}, &resp)
	if !resp.Accepted || !resp.Same {
		t.Fatalf("Django accepted=%v same=%v loaded %s, want %s", resp.Accepted, resp.Same, resp.JSON, want)
	}
}
