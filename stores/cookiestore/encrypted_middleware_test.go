package cookiestore_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

func init() { gin.SetMode(gin.TestMode) }

const (
	secretA = "first-secret-of-at-least-32-bytes-000"
	secretB = "second-secret-of-at-least-32-bytes-00"

	// canary is a session value that must never be visible in a cookie.
	canary = "CANARY-card-4929-7361-0258-9145"
)

// syncBuffer collects what the middleware logs.
type syncBuffer = testenv.LogBuffer

// site is a gin.Engine with the middleware on a cookie store.
type site struct {
	t    testing.TB
	r    *gin.Engine
	logs *syncBuffer
}

func newSite(t testing.TB, store *cookiestore.Store, opts ...ginsession.Option) *site {
	t.Helper()
	s := &site{t: t, r: gin.New(), logs: &syncBuffer{}}
	if len(opts) == 0 {
		opts = []ginsession.Option{ginsession.WithSecretKey(secretA)}
	}
	logger := slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.r.Use(ginsession.New(store, append([]ginsession.Option{ginsession.WithLogger(logger)}, opts...)...))
	s.r.GET("/set", func(c *gin.Context) {
		ginsession.From(c).Set(c.Query("k"), c.Query("v"))
		c.String(http.StatusOK, "ok")
	})
	s.r.GET("/read", func(c *gin.Context) {
		v, _ := ginsession.From(c).Get(c.DefaultQuery("k", "foo"))
		c.String(http.StatusOK, "%v", v)
	})
	s.r.GET("/expire", func(c *gin.Context) {
		sess := ginsession.From(c)
		sess.SetExpiry(time.Hour)
		sess.Set("foo", "bar")
		c.Status(http.StatusNoContent)
	})
	s.r.GET("/big", func(c *gin.Context) {
		ginsession.From(c).Set("blob", strings.Repeat("a", 5000))
		c.String(http.StatusOK, "looks fine")
	})
	return s
}

type reply struct {
	code      int
	body      string
	setCookie string // the session's Set-Cookie line, or ""
}

// value returns the session cookie's value set by the reply, or "".
func (r reply) value() string {
	v, ok := strings.CutPrefix(r.setCookie, "sessionid=")
	if !ok {
		return ""
	}
	v, _, _ = strings.Cut(v, ";")
	return v
}

func (s *site) get(path, cookie string) reply {
	s.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != "" {
		req.Header.Set("Cookie", "sessionid="+cookie)
	}
	w := httptest.NewRecorder()
	s.r.ServeHTTP(w, req)
	r := reply{code: w.Code, body: w.Body.String()}
	for _, l := range w.Result().Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, "sessionid=") {
			r.setCookie = l
		}
	}
	return r
}

func enc(opts ...cookiestore.Option) *cookiestore.Store {
	return testenv.Must(cookiestore.New(append([]cookiestore.Option{cookiestore.WithEncryption()}, opts...)...))
}

func TestAnEncryptedSessionRoundTripsThroughTheMiddleware(t *testing.T) {
	a := newSite(t, enc())
	r := a.get("/set?k=foo&v="+canary, "")
	v := r.value()
	if !strings.HasPrefix(v, cookiestore.EncryptedPrefix) {
		t.Fatalf("Set-Cookie %q: not an encrypted cookie", r.setCookie)
	}
	if strings.Contains(r.setCookie, canary) || strings.Contains(r.setCookie, base64.RawURLEncoding.EncodeToString([]byte(canary))[:16]) {
		t.Fatal("the cookie shows the session's data")
	}
	if !strings.Contains(r.setCookie, "Max-Age=1209600") || !strings.Contains(r.setCookie, "HttpOnly") {
		t.Fatalf("Set-Cookie %q lacks the usual attributes", r.setCookie)
	}
	if got := a.get("/read", v).body; got != canary {
		t.Fatalf("read %q", got)
	}
	// Another instance with the same secret reads it: no server state.
	if got := newSite(t, enc()).get("/read", v).body; got != canary {
		t.Fatalf("another instance read %q", got)
	}
	// A signed store with the same secret cannot.
	if got := newSite(t, testenv.Must(cookiestore.New())).get("/read", v).body; got != "<nil>" {
		t.Fatalf("a signed store read %q", got)
	}
}

func TestACookieUnderAFallbackSecretIsReadAndResealedUnderTheCurrentOne(t *testing.T) {
	v := newSite(t, enc(), ginsession.WithSecretKey(secretA)).get("/set?k=foo&v=bar", "").value()
	rotated := newSite(t, enc(), ginsession.WithSecretKey(secretB, secretA))
	if got := rotated.get("/read", v).body; got != "bar" {
		t.Fatalf("the fallback secret did not read the old cookie: %q", got)
	}
	nv := rotated.get("/set?k=more&v=1", v).value()
	if nv == "" || nv == v {
		t.Fatalf("no new cookie after the save: %q", nv)
	}
	onlyNew := newSite(t, enc(), ginsession.WithSecretKey(secretB))
	if got := onlyNew.get("/read", nv).body; got != "bar" {
		t.Fatalf("the re-sealed cookie is not under the new secret: %q", got)
	}
	if got := onlyNew.get("/read?k=more", nv).body; got != "1" {
		t.Fatalf("the re-sealed cookie lost the new value: %q", got)
	}
	if got := onlyNew.get("/read", v).body; got != "<nil>" {
		t.Fatalf("without the fallback the old cookie still read: %q", got)
	}
	if got := newSite(t, enc(), ginsession.WithSecretKey(secretA)).get("/read", nv).body; got != "<nil>" {
		t.Fatalf("the re-sealed cookie opened with the old secret alone: %q", got)
	}
}

func TestSignedCookiesAreReadByAnEncryptingStoreOnlyWhenMigrating(t *testing.T) {
	signed := newSite(t, testenv.Must(cookiestore.New())).get("/set?k=foo&v=bar", "").value()
	if strings.HasPrefix(signed, cookiestore.EncryptedPrefix) || strings.Count(signed, ":") != 2 {
		t.Fatalf("the control is not a signed cookie: %q", signed)
	}

	strict := newSite(t, enc())
	r := strict.get("/read", signed)
	if r.code != http.StatusOK || r.body != "<nil>" {
		t.Fatalf("an encrypting store read a signed cookie: %d %q", r.code, r.body)
	}
	if !strings.HasPrefix(r.setCookie, "sessionid=;") {
		t.Fatalf("Set-Cookie %q, want the refused cookie deleted", r.setCookie)
	}
	if !strings.Contains(strict.logs.String(), "level=WARN") {
		t.Fatal("no warning logged")
	}

	migrating := newSite(t, testenv.Must(cookiestore.New(cookiestore.WithEncryption(cookiestore.AcceptSigned()))))
	if got := migrating.get("/read", signed).body; got != "bar" {
		t.Fatalf("a migrating store did not read the signed cookie: %q", got)
	}
	// The next save seals it encrypted, with the old data kept.
	nv := migrating.get("/set?k=more&v=1", signed).value()
	if !strings.HasPrefix(nv, cookiestore.EncryptedPrefix) {
		t.Fatalf("the migrated session was re-sealed as %q", nv)
	}
	for k, want := range map[string]string{"foo": "bar", "more": "1"} {
		if got := strict.get("/read?k="+k, nv).body; got != want {
			t.Fatalf("after migration %s = %q, want %q", k, got, want)
		}
	}
}

func TestADamagedEncryptedCookieIsAnEmptySessionAndAWarning(t *testing.T) {
	a := newSite(t, enc())
	v := a.get("/set?k=foo&v=bar", "").value()
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
		"sealed under a foreign secret":   newSite(t, enc(), ginsession.WithSecretKey(secretB)).get("/set?k=foo&v=evil", "").value(),
	} {
		t.Run(name, func(t *testing.T) {
			r := a.get("/read", cookie)
			if r.code != http.StatusOK || r.body != "<nil>" {
				t.Fatalf("status %d body %q, want an empty session", r.code, r.body)
			}
			if !strings.HasPrefix(r.setCookie, "sessionid=;") {
				t.Fatalf("Set-Cookie %q, want the cookie deleted", r.setCookie)
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

func TestAnExpiredEncryptedCookieIsNotReadWhenReplayed(t *testing.T) {
	twoHoursAgo := func() time.Time { return time.Now().Add(-2 * time.Hour) }
	past := newSite(t, enc(cookiestore.WithClock(twoHoursAgo)))
	now := newSite(t, enc())

	// A custom expiry of one hour, sealed two hours ago.
	custom := past.get("/expire", "").value()
	if r := now.get("/read", custom); r.body != "<nil>" || r.code != http.StatusOK {
		t.Fatalf("a cookie past its custom expiry was read: %d %q", r.code, r.body)
	}
	if !strings.Contains(now.logs.String(), "expired") {
		t.Fatalf("no expiry warning: %s", now.logs.String())
	}
	// The default age, one hour here, is enforced the same way.
	old := past.get("/set?k=foo&v=bar", "").value()
	shortAge := newSite(t, enc(), ginsession.WithSecretKey(secretA), ginsession.WithCookieAge(time.Hour))
	if got := shortAge.get("/read", old).body; got != "<nil>" {
		t.Fatalf("a cookie past the default age was read: %q", got)
	}
	// Within its age it reads.
	if got := now.get("/read", old).body; got != "bar" {
		t.Fatalf("a two-hour-old cookie within two weeks was refused: %q", got)
	}
}

func TestAnOversizedEncryptedSessionFailsLoudly(t *testing.T) {
	// 5000 repeated bytes: a signed cookie compresses them, an encrypted
	// one does not.
	if r := newSite(t, testenv.Must(cookiestore.New())).get("/big", ""); r.code != http.StatusOK || r.value() == "" {
		t.Fatalf("the control: the signed store: %d %q", r.code, r.setCookie)
	}
	a := newSite(t, enc())
	r := a.get("/big", "")
	if r.code != http.StatusInternalServerError || strings.Contains(r.body, "looks fine") || r.setCookie != "" {
		t.Fatalf("status %d body %q cookie %q", r.code, r.body, r.setCookie)
	}
	if !strings.Contains(a.logs.String(), "too large") {
		t.Fatalf("the log does not say why: %s", a.logs.String())
	}
}
