package ginsession_test

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// expiryApp serves /exp/:n, which stores foo=bar under the expiry set[n],
// saves and answers with the session key, and /read.
func expiryApp(t *testing.T, store stores.Store, set []func(*ginsession.Session)) *app {
	a := newApp(t, store).standardRoutes()
	a.r.GET("/exp/:n", func(c *gin.Context) {
		n, _ := strconv.Atoi(c.Param("n"))
		s := ginsession.From(c)
		s.Set("foo", "bar")
		set[n](s)
		if err := s.Save(); err != nil {
			c.String(500, "%v", err)
			return
		}
		c.String(200, "%s", s.Key())
	})
	return a
}

// wantDeletionCookie fails unless r deletes the session cookie: no key in
// it, gone at once.
func wantDeletionCookie(t *testing.T, what string, r response) {
	t.Helper()
	line := r.cookie("sessionid")
	if r.StatusCode != 200 || !strings.HasPrefix(line, "sessionid=;") || !strings.Contains(line, "Max-Age=0") {
		t.Fatalf("%s: status %d, Set-Cookie %q; want the deletion cookie", what, r.StatusCode, line)
	}
}

// TestANegativeExpiryExpiresAtOnce: SetExpiry with any negative duration,
// including ones shorter than a second (which used to round to 0, "until
// the browser closes"), expires the session now: the cookie is deleted and
// the record cannot be loaded.
func TestANegativeExpiryExpiresAtOnce(t *testing.T) {
	ds := []time.Duration{-time.Nanosecond, -500 * time.Millisecond, -999 * time.Millisecond, -time.Second, -1500 * time.Millisecond, -time.Hour, math.MinInt64}
	var set []func(*ginsession.Session)
	for _, d := range ds {
		set = append(set, func(s *ginsession.Session) {
			s.SetExpiry(d)
			if s.ExpireAtBrowserClose() || s.ExpiryAge() >= 0 {
				panic("SetExpiry(" + d.String() + ") left a browser-close or live session")
			}
		})
	}
	a := expiryApp(t, nil, set)
	for i, d := range ds {
		r := a.get("/exp/"+strconv.Itoa(i), "")
		wantDeletionCookie(t, "SetExpiry("+d.String()+")", r)
		if got := a.get("/read", "sessionid="+r.body).body; got != "<nil>" {
			t.Fatalf("SetExpiry(%v): the session still loads: foo=%q", d, got)
		}
	}
}

// TestAnExpiryCenturiesAgoDeletesTheCookie: the zero Time, the year 1700
// and Django's "0001-01-01T00:00:00" are long past. Their distance from now
// saturates a Duration, which used to wrap round into a cookie living 292
// years.
func TestAnExpiryCenturiesAgoDeletesTheCookie(t *testing.T) {
	names := []string{"zero Time", "1700", `Django's "0001-01-01T00:00:00"`, "1969"}
	set := []func(*ginsession.Session){
		func(s *ginsession.Session) { s.SetExpiryAt(time.Time{}) },
		func(s *ginsession.Session) { s.SetExpiryAt(time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC)) },
		func(s *ginsession.Session) { s.Set("_session_expiry", "0001-01-01T00:00:00") },
		func(s *ginsession.Session) { s.SetExpiryAt(time.Date(1969, 7, 20, 20, 17, 0, 0, time.UTC)) },
	}
	a := expiryApp(t, nil, set)
	for i, name := range names {
		r := a.get("/exp/"+strconv.Itoa(i), "")
		wantDeletionCookie(t, name, r)
		if got := a.get("/read", "sessionid="+r.body).body; got != "<nil>" {
			t.Fatalf("%s: the session still loads: foo=%q", name, got)
		}
	}
}

// TestAnExpiryCenturiesAheadSaturatesOnEveryStore: an expiry past what a
// Duration (292 years), UnixNano (2262) or MySQL's DATETIME (9999) holds is
// kept as "very late" on every store, never refused (redisstore used to
// send a negative PX and answer 500) and never wrapped into the past.
func TestAnExpiryCenturiesAheadSaturatesOnEveryStore(t *testing.T) {
	names := []string{"SetExpiry(MaxInt64)", "SetExpiryAt(now+300y)", "SetExpiryAt(3000)", "SetExpiryAt(20000)", "Django's set_expiry(10**12)"}
	set := []func(*ginsession.Session){
		func(s *ginsession.Session) { s.SetExpiry(math.MaxInt64) },
		func(s *ginsession.Session) { s.SetExpiryAt(time.Now().AddDate(300, 0, 0)) },
		func(s *ginsession.Session) { s.SetExpiryAt(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)) },
		func(s *ginsession.Session) { s.SetExpiryAt(time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)) },
		func(s *ginsession.Session) { s.Set("_session_expiry", 1_000_000_000_000) },
	}
	all := relStores(t)
	all["sqlstore-postgres"] = func(t *testing.T) stores.Store { return postgresStore(t, "gs_exp_") }
	for name, newStore := range all {
		t.Run(name, func(t *testing.T) {
			a := expiryApp(t, newStore(t), set)
			for i, what := range names {
				r := a.get("/exp/"+strconv.Itoa(i), "")
				line := r.cookie("sessionid")
				if r.StatusCode != 200 || r.cookieValue("sessionid") != r.body {
					t.Fatalf("%s: status %d %q, Set-Cookie %q", what, r.StatusCode, r.body, line)
				}
				// At least 170 years: saturated, not wrapped and not cut short.
				maxAge := 0
				if i := strings.Index(line, "Max-Age="); i >= 0 {
					maxAge, _ = strconv.Atoi(strings.SplitN(line[i+len("Max-Age="):], ";", 2)[0])
				}
				if maxAge < 170*365*86400 {
					t.Fatalf("%s: Set-Cookie %q, want a Max-Age of centuries", what, line)
				}
				if got := a.get("/read", "sessionid="+r.body).body; got != "bar" {
					t.Fatalf("%s: the session does not load back: foo=%q", what, got)
				}
			}
		})
	}
}

// postgresStore is an sqlstore on PostgreSQL on a table of the test's own,
// dropped at the end.
func postgresStore(t *testing.T, base string) *sqlstore.Store {
	t.Helper()
	return everystore.SQL(t, testenv.Postgres(t), base)
}
