package cookiestore_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/gintest"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

func init() { gin.SetMode(gin.TestMode) }

const (
	secretA = "first-secret-of-at-least-32-bytes-000"
	secretB = "second-secret-of-at-least-32-bytes-00"

	// canary is a session value that must never be visible in a cookie.
	canary = "CANARY-card-4929-7361-0258-9145"
)

// newSite returns a site on store (under secretA unless opts say
// otherwise) with the routes these tests use.
func newSite(t testing.TB, store *cookiestore.Store, opts ...ginsession.Option) *gintest.Site {
	t.Helper()
	if len(opts) == 0 {
		opts = []ginsession.Option{ginsession.WithSecretKey(secretA)}
	}
	s := gintest.NewSite(t, store, opts...)
	s.Engine.GET("/set", func(c *gin.Context) {
		ginsession.From(c).Set(c.Query("k"), c.Query("v"))
		c.String(http.StatusOK, "ok")
	})
	s.Engine.GET("/read", func(c *gin.Context) {
		v, _ := ginsession.From(c).Get(c.DefaultQuery("k", "foo"))
		c.String(http.StatusOK, "%v", v)
	})
	s.Engine.GET("/expire", func(c *gin.Context) {
		sess := ginsession.From(c)
		sess.SetExpiry(time.Hour)
		sess.Set("foo", "bar")
		c.Status(http.StatusNoContent)
	})
	s.Engine.GET("/big", func(c *gin.Context) {
		ginsession.From(c).Set("blob", strings.Repeat("a", 5000))
		c.String(http.StatusOK, "looks fine")
	})
	return s
}

func enc(opts ...cookiestore.Option) *cookiestore.Store {
	return testenv.Must(cookiestore.New(append([]cookiestore.Option{cookiestore.WithEncryption()}, opts...)...))
}

func TestAnEncryptedSessionRoundTripsThroughTheMiddleware(t *testing.T) {
	a := newSite(t, enc())
	r := a.Get("/set?k=foo&v="+canary, "")
	v := r.Cookie()
	if !strings.HasPrefix(v, cookiestore.EncryptedPrefix) {
		t.Fatalf("Set-Cookie %q: not an encrypted cookie", r.SetCookie)
	}
	if strings.Contains(r.SetCookie, canary) || strings.Contains(r.SetCookie, base64.RawURLEncoding.EncodeToString([]byte(canary))[:16]) {
		t.Fatal("the cookie shows the session's data")
	}
	if !strings.Contains(r.SetCookie, "Max-Age=1209600") || !strings.Contains(r.SetCookie, "HttpOnly") {
		t.Fatalf("Set-Cookie %q lacks the usual attributes", r.SetCookie)
	}
	if got := a.Get("/read", v).Body; got != canary {
		t.Fatalf("read %q", got)
	}
	// Another instance with the same secret reads it: no server state.
	if got := newSite(t, enc()).Get("/read", v).Body; got != canary {
		t.Fatalf("another instance read %q", got)
	}
	// A signed store with the same secret cannot.
	if got := newSite(t, testenv.Must(cookiestore.New())).Get("/read", v).Body; got != "<nil>" {
		t.Fatalf("a signed store read %q", got)
	}
}

func TestACookieUnderAFallbackSecretIsReadAndResealedUnderTheCurrentOne(t *testing.T) {
	v := newSite(t, enc(), ginsession.WithSecretKey(secretA)).Get("/set?k=foo&v=bar", "").Cookie()
	rotated := newSite(t, enc(), ginsession.WithSecretKey(secretB, secretA))
	if got := rotated.Get("/read", v).Body; got != "bar" {
		t.Fatalf("the fallback secret did not read the old cookie: %q", got)
	}
	nv := rotated.Get("/set?k=more&v=1", v).Cookie()
	if nv == "" || nv == v {
		t.Fatalf("no new cookie after the save: %q", nv)
	}
	onlyNew := newSite(t, enc(), ginsession.WithSecretKey(secretB))
	if got := onlyNew.Get("/read", nv).Body; got != "bar" {
		t.Fatalf("the re-sealed cookie is not under the new secret: %q", got)
	}
	if got := onlyNew.Get("/read?k=more", nv).Body; got != "1" {
		t.Fatalf("the re-sealed cookie lost the new value: %q", got)
	}
	if got := onlyNew.Get("/read", v).Body; got != "<nil>" {
		t.Fatalf("without the fallback the old cookie still read: %q", got)
	}
	if got := newSite(t, enc(), ginsession.WithSecretKey(secretA)).Get("/read", nv).Body; got != "<nil>" {
		t.Fatalf("the re-sealed cookie opened with the old secret alone: %q", got)
	}
}

func TestSignedCookiesAreReadByAnEncryptingStoreOnlyWhenMigrating(t *testing.T) {
	signed := newSite(t, testenv.Must(cookiestore.New())).Get("/set?k=foo&v=bar", "").Cookie()
	if strings.HasPrefix(signed, cookiestore.EncryptedPrefix) || strings.Count(signed, ":") != 2 {
		t.Fatalf("the control is not a signed cookie: %q", signed)
	}

	strict := newSite(t, enc())
	r := strict.Get("/read", signed)
	if r.Code != http.StatusOK || r.Body != "<nil>" {
		t.Fatalf("an encrypting store read a signed cookie: %d %q", r.Code, r.Body)
	}
	if !strings.HasPrefix(r.SetCookie, "sessionid=;") {
		t.Fatalf("Set-Cookie %q, want the refused cookie deleted", r.SetCookie)
	}
	if !strings.Contains(strict.Logs.String(), "level=WARN") {
		t.Fatal("no warning logged")
	}

	migrating := newSite(t, testenv.Must(cookiestore.New(cookiestore.WithEncryption(cookiestore.AcceptSigned()))))
	if got := migrating.Get("/read", signed).Body; got != "bar" {
		t.Fatalf("a migrating store did not read the signed cookie: %q", got)
	}
	// The next save seals it encrypted, with the old data kept.
	nv := migrating.Get("/set?k=more&v=1", signed).Cookie()
	if !strings.HasPrefix(nv, cookiestore.EncryptedPrefix) {
		t.Fatalf("the migrated session was re-sealed as %q", nv)
	}
	for k, want := range map[string]string{"foo": "bar", "more": "1"} {
		if got := strict.Get("/read?k="+k, nv).Body; got != want {
			t.Fatalf("after migration %s = %q, want %q", k, got, want)
		}
	}
}

func TestADamagedEncryptedCookieIsAnEmptySessionAndAWarning(t *testing.T) {
	a := newSite(t, enc())
	v := a.Get("/set?k=foo&v=bar", "").Cookie()
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(v, cookiestore.EncryptedPrefix))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := bytes.Clone(raw)
		b[i] ^= 0x01
		return cookiestore.EncryptedPrefix + base64.RawURLEncoding.EncodeToString(b)
	}
	for name, cookie := range map[string]string{
		"a bit flipped in the nonce":      flip(0),
		"a bit flipped in the ciphertext": flip(30),
		"a bit flipped in the tag":        flip(len(raw) - 1),
		"truncated":                       v[:len(v)-3],
		"garbage":                         "not-an-encrypted-cookie",
		"another version":                 "e9." + v[3:],
		"sealed under a foreign secret":   newSite(t, enc(), ginsession.WithSecretKey(secretB)).Get("/set?k=foo&v=evil", "").Cookie(),
	} {
		t.Run(name, func(t *testing.T) {
			r := a.Get("/read", cookie)
			if r.Code != http.StatusOK || r.Body != "<nil>" {
				t.Fatalf("status %d body %q, want an empty session", r.Code, r.Body)
			}
			if !strings.HasPrefix(r.SetCookie, "sessionid=;") {
				t.Fatalf("Set-Cookie %q, want the cookie deleted", r.SetCookie)
			}
			if !strings.Contains(a.Logs.String(), "level=WARN") {
				t.Fatal("no warning logged")
			}
			if strings.Contains(a.Logs.String(), cookie) {
				t.Fatal("the cookie value was logged")
			}
		})
	}
}

func TestAnExpiredEncryptedCookieIsNotReadWhenReplayed(t *testing.T) {
	twoHoursAgo := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	past := newSite(t, enc(cookiestore.WithClock(twoHoursAgo)))
	now := newSite(t, enc())

	// A custom expiry of one hour, sealed two hours ago.
	custom := past.Get("/expire", "").Cookie()
	if r := now.Get("/read", custom); r.Body != "<nil>" || r.Code != http.StatusOK {
		t.Fatalf("a cookie past its custom expiry was read: %d %q", r.Code, r.Body)
	}
	if !strings.Contains(now.Logs.String(), "expired") {
		t.Fatalf("no expiry warning: %s", now.Logs.String())
	}
	// The default age, one hour here, is enforced the same way.
	old := past.Get("/set?k=foo&v=bar", "").Cookie()
	shortAge := newSite(t, enc(), ginsession.WithSecretKey(secretA), ginsession.WithCookieAge(time.Hour))
	if got := shortAge.Get("/read", old).Body; got != "<nil>" {
		t.Fatalf("a cookie past the default age was read: %q", got)
	}
	// Within its age it reads.
	if got := now.Get("/read", old).Body; got != "bar" {
		t.Fatalf("a two-hour-old cookie within two weeks was refused: %q", got)
	}
}

func TestAnOversizedEncryptedSessionFailsLoudly(t *testing.T) {
	// 5000 repeated bytes: a signed cookie compresses them, an encrypted
	// one does not.
	if r := newSite(t, testenv.Must(cookiestore.New())).Get("/big", ""); r.Code != http.StatusOK || r.Cookie() == "" {
		t.Fatalf("the control: the signed store: %d %q", r.Code, r.SetCookie)
	}
	a := newSite(t, enc())
	r := a.Get("/big", "")
	if r.Code != http.StatusInternalServerError || strings.Contains(r.Body, "looks fine") || r.SetCookie != "" {
		t.Fatalf("status %d body %q cookie %q", r.Code, r.Body, r.SetCookie)
	}
	if !strings.Contains(a.Logs.String(), "too large") {
		t.Fatalf("the log does not say why: %s", a.Logs.String())
	}
}
