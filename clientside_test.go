package ginsession_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

const (
	secretA = "first-secret-of-at-least-32-bytes-000"
	secretB = "second-secret-of-at-least-32-bytes-00"
)

// cookieApp is an app on the signed-cookie store with the usual routes.
func cookieApp(t *testing.T, store *cookiestore.Store, opts ...ginsession.Option) *app {
	t.Helper()
	if store == nil {
		store = testenv.Must(cookiestore.New())
	}
	if len(opts) == 0 {
		opts = []ginsession.Option{ginsession.WithSecretKey(secretA)}
	}
	a := newApp(t, store, opts...).standardRoutes()
	a.r.GET("/expire", func(c *gin.Context) {
		s := ginsession.From(c)
		s.SetExpiry(time.Hour)
		s.Set("foo", "bar")
		c.Status(204)
	})
	a.r.GET("/cycle", func(c *gin.Context) {
		if err := ginsession.From(c).CycleKey(); err != nil {
			c.String(500, err.Error())
			return
		}
		c.Status(204)
	})
	a.r.GET("/big", func(c *gin.Context) {
		ginsession.From(c).Set("blob", incompressible(6000))
		c.String(200, "looks fine")
	})
	return a
}

func TestTheCookieStoreKeepsTheSessionInASignedCookie(t *testing.T) {
	a := cookieApp(t, nil)
	r := a.get("/set?k=foo&v=bar", "")
	v := r.cookieValue("sessionid")
	if strings.Count(v, ":") != 2 {
		t.Fatalf("cookie %q is not payload:timestamp:signature", v)
	}
	if !strings.Contains(r.cookie("sessionid"), "Max-Age=1209600") {
		t.Fatalf("Set-Cookie %q", r.cookie("sessionid"))
	}
	if got := a.get("/read", "sessionid="+v).body; got != "bar" {
		t.Fatalf("read %q", got)
	}
	// A second instance with the same secret reads it: no server state.
	b := cookieApp(t, nil)
	if got := b.get("/read", "sessionid="+v).body; got != "bar" {
		t.Fatalf("another instance read %q", got)
	}
}

func TestATamperedCookieIsAnEmptySessionAndAWarning(t *testing.T) {
	a := cookieApp(t, nil)
	v := a.get("/set?k=foo&v=bar", "").cookieValue("sessionid")
	tampered := "eyJmb28iOiJhZG1pbiJ9" + v[strings.IndexByte(v, ':'):]
	for name, cookie := range map[string]string{
		"payload swapped": tampered,
		"signature cut":   v[:len(v)-3],
		"garbage":         "not-a-signed-cookie-at-all",
		"foreign secret":  cookieApp(t, nil, ginsession.WithSecretKey(secretB)).get("/set?k=foo&v=evil", "").cookieValue("sessionid"),
	} {
		t.Run(name, func(t *testing.T) {
			r := a.get("/read", "sessionid="+cookie)
			if r.StatusCode != 200 || r.body != "<nil>" {
				t.Fatalf("status %d body %q, want an empty session", r.StatusCode, r.body)
			}
			if !strings.HasPrefix(r.cookie("sessionid"), "sessionid=;") {
				t.Fatalf("Set-Cookie %q, want the cookie deleted", r.cookie("sessionid"))
			}
			if !strings.Contains(a.logs.String(), "level=WARN") {
				t.Fatal("no warning logged")
			}
			if strings.Contains(a.logs.String(), cookie) {
				t.Fatal("the cookie value was logged")
			}
		})
	}
}

func TestTheCookieStoreEnforcesExpiryWhenReading(t *testing.T) {
	twoHoursAgo := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	past := cookieApp(t, testenv.Must(cookiestore.New(cookiestore.WithClock(twoHoursAgo))))
	now := cookieApp(t, nil)

	// A custom expiry of one hour, sealed two hours ago: Django would still
	// accept it (ticket #19201); we do not.
	custom := past.get("/expire", "").cookieValue("sessionid")
	if got := now.get("/read", "sessionid="+custom).body; got != "<nil>" {
		t.Fatalf("a cookie past its custom expiry was read: %q", got)
	}
	// The default age, one hour here, is enforced the same way.
	shortAge := cookieApp(t, nil, ginsession.WithSecretKey(secretA), ginsession.WithCookieAge(time.Hour))
	old := past.get("/set?k=foo&v=bar", "").cookieValue("sessionid")
	if got := shortAge.get("/read", "sessionid="+old).body; got != "<nil>" {
		t.Fatalf("a cookie past the default age was read: %q", got)
	}
	// Within its age it reads.
	if got := now.get("/read", "sessionid="+old).body; got != "bar" {
		t.Fatalf("a two-hour-old cookie within two weeks was refused: %q", got)
	}
}

func TestAnOversizedCookieSessionFailsLoudly(t *testing.T) {
	a := cookieApp(t, nil)
	r := a.get("/big", "")
	if r.StatusCode != http.StatusInternalServerError || strings.Contains(r.body, "looks fine") || r.cookie("sessionid") != "" {
		t.Fatalf("status %d body %q cookie %q", r.StatusCode, r.body, r.cookie("sessionid"))
	}
	if !strings.Contains(a.logs.String(), "too large") {
		t.Fatalf("the log does not say why: %s", a.logs.String())
	}
}

func TestFlushAndCycleKeyOnTheCookieStore(t *testing.T) {
	a := cookieApp(t, nil)
	v := a.get("/set?k=foo&v=bar", "").cookieValue("sessionid")
	if r := a.get("/flush", "sessionid="+v); !strings.HasPrefix(r.cookie("sessionid"), "sessionid=;") {
		t.Fatalf("Flush: Set-Cookie %q", r.cookie("sessionid"))
	}
	time.Sleep(1100 * time.Millisecond) // a new timestamp makes a new signature
	r := a.get("/cycle", "sessionid="+v)
	nv := r.cookieValue("sessionid")
	if nv == "" || nv == v {
		t.Fatalf("CycleKey: cookie %q (old %q)", nv, v)
	}
	if got := a.get("/read", "sessionid="+nv).body; got != "bar" {
		t.Fatalf("after CycleKey read %q", got)
	}
}

func TestARotatedSecretStillReadsAndReSeals(t *testing.T) {
	old := cookieApp(t, nil, ginsession.WithSecretKey(secretA))
	v := old.get("/set?k=foo&v=bar", "").cookieValue("sessionid")
	rotated := cookieApp(t, nil, ginsession.WithSecretKey(secretB, secretA))
	if got := rotated.get("/read", "sessionid="+v).body; got != "bar" {
		t.Fatalf("the fallback secret did not read the old cookie: %q", got)
	}
	nv := rotated.get("/set?k=more&v=1", "sessionid="+v).cookieValue("sessionid")
	onlyNew := cookieApp(t, nil, ginsession.WithSecretKey(secretB))
	if got := onlyNew.get("/read", "sessionid="+nv).body; got != "bar" {
		t.Fatalf("the re-sealed cookie is not under the new secret: %q", got)
	}
	if got := onlyNew.get("/read", "sessionid="+v).body; got != "<nil>" {
		t.Fatalf("without the fallback the old cookie still read: %q", got)
	}
}

type upperCodec struct{ ginsession.JSONCodec }

func TestTheCookieStoreNeedsASecretAndTheJSONCodec(t *testing.T) {
	for name, opts := range map[string][]ginsession.Option{
		"no secret":     nil,
		"another codec": {ginsession.WithSecretKey(secretA), ginsession.WithCodec(upperCodec{})},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, "cookie store") {
					t.Fatalf("panic %q", msg)
				}
			}()
			ginsession.New(testenv.Must(cookiestore.New()), opts...)
		})
	}
}

// incompressible returns n characters that zlib cannot shrink much.
func incompressible(n int) string {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"[x%62]
	}
	return string(b)
}
