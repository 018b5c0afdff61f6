package ginsession_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// withSession runs fn inside a request whose session holds data (stored
// under a real key) and returns what fn returned.
func withSession(t *testing.T, data string, fn func(s *ginsession.Session) string, opts ...ginsession.Option) string {
	t.Helper()
	a := newApp(t, nil, opts...)
	var got string
	a.r.GET("/", func(c *gin.Context) {
		got = fn(ginsession.From(c))
		c.Status(http.StatusNoContent)
	})
	cookie := ""
	if data != "" {
		k := "abcdefgh12345678abcdefgh12345678"
		a.store.put(k, []byte(data))
		cookie = "sessionid=" + k
	}
	a.get("/", cookie)
	return got
}

// TestFlagsFollowDjangosTable checks accessed and modified after each
// operation, row by row as in reference §1.4.
func TestFlagsFollowDjangosTable(t *testing.T) {
	tests := []struct {
		name             string
		op               func(s *ginsession.Session) string
		result           string
		accessed, modded bool
	}{
		{"Get of a present key reads without modifying", func(s *ginsession.Session) string { v, ok := s.Get("a"); return fmt.Sprint(v, ok) }, "1 true", true, false},
		{"Get of a missing key", func(s *ginsession.Session) string { v, ok := s.Get("zz"); return fmt.Sprint(v, ok) }, "<nil> false", true, false},
		{"Set modifies", func(s *ginsession.Session) string { s.Set("b", 2); return "" }, "", true, true},
		{"Delete of a present key modifies", func(s *ginsession.Session) string { s.Delete("a"); return fmt.Sprint(s.Has("a")) }, "false", true, true},
		{"Delete of a missing key does not modify", func(s *ginsession.Session) string { s.Delete("zz"); return "" }, "", true, false},
		{"Has does not modify", func(s *ginsession.Session) string { return fmt.Sprint(s.Has("a"), s.Has("zz")) }, "true false", true, false},
		{"Pop of a present key modifies", func(s *ginsession.Session) string { v, ok := s.Pop("a"); return fmt.Sprint(v, ok) }, "1 true", true, true},
		{"Pop of a missing key does not modify", func(s *ginsession.Session) string { v, ok := s.Pop("zz"); return fmt.Sprint(v, ok) }, "<nil> false", true, false},
		{"SetDefault of a present key returns it without modifying", func(s *ginsession.Session) string { return fmt.Sprint(s.SetDefault("a", 9)) }, "1", true, false},
		{"SetDefault of a missing key stores and modifies", func(s *ginsession.Session) string { return fmt.Sprint(s.SetDefault("n", 9), s.Has("n")) }, "9 true", true, true},
		{"Update modifies even when empty", func(s *ginsession.Session) string { s.Update(nil); return "" }, "", true, true},
		{"Update merges", func(s *ginsession.Session) string {
			s.Update(map[string]any{"z": 1, "y": 2})
			return fmt.Sprint(s.Keys())
		}, "[a b y z]", true, true},
		{"Keys keep insertion order", func(s *ginsession.Session) string { return fmt.Sprint(s.Keys()) }, "[a b]", true, false},
		{"Values follow Keys", func(s *ginsession.Session) string { return fmt.Sprint(s.Values()) }, "[1 x]", true, false},
		{"Items copies", func(s *ginsession.Session) string {
			m := s.Items()
			m["a"] = 5
			v, _ := s.Get("a")
			return fmt.Sprint(len(m), v)
		}, "2 1", true, false},
		{"All iterates in order", func(s *ginsession.Session) string {
			var out []string
			for k, v := range s.All() {
				out = append(out, fmt.Sprint(k, "=", v))
			}
			return strings.Join(out, ",")
		}, "a=1,b=x", true, false},
		{"Len", func(s *ginsession.Session) string { return fmt.Sprint(s.Len()) }, "2", true, false},
		{"Clear empties without loading and modifies", func(s *ginsession.Session) string { s.Clear(); return fmt.Sprint(s.Len()) }, "0", true, true},
		{"IsEmpty touches nothing", func(s *ginsession.Session) string { return fmt.Sprint(s.IsEmpty()) }, "false", false, false},
		{"Key touches nothing", func(s *ginsession.Session) string { return fmt.Sprint(len(s.Key())) }, "32", false, false},
		{"SetTestCookie modifies", func(s *ginsession.Session) string { s.SetTestCookie(); return fmt.Sprint(s.TestCookieWorked()) }, "true", true, true},
		{"TestCookieWorked reads", func(s *ginsession.Session) string { return fmt.Sprint(s.TestCookieWorked()) }, "false", true, false},
		{"DeleteTestCookie of a present entry modifies", func(s *ginsession.Session) string {
			s.SetTestCookie()
			s.DeleteTestCookie()
			return fmt.Sprint(s.TestCookieWorked())
		}, "false", true, true},
		{"ResetExpiry without a custom expiry loads but does not modify", func(s *ginsession.Session) string { s.ResetExpiry(); return "" }, "", true, false},
		{"Change storing a value modifies", func(s *ginsession.Session) string {
			err := s.Change("a", func(old any, ok bool) (any, bool, error) { return fmt.Sprint(old, ok), true, nil })
			v, _ := s.Get("a")
			return fmt.Sprintf("%v %v", v, err)
		}, "1 true <nil>", true, true},
		{"Change deleting a present key modifies", func(s *ginsession.Session) string {
			err := s.Change("a", func(any, bool) (any, bool, error) { return nil, false, nil })
			return fmt.Sprint(s.Has("a"), err)
		}, "false <nil>", true, true},
		{"Change deleting a missing key reads without modifying", func(s *ginsession.Session) string {
			err := s.Change("zz", func(old any, ok bool) (any, bool, error) { return nil, false, nil })
			return fmt.Sprint(err)
		}, "<nil>", true, false},
		{"Change failing leaves the session as it was", func(s *ginsession.Session) string {
			err := s.Change("a", func(any, bool) (any, bool, error) { return 9, true, errors.New("no") })
			v, _ := s.Get("a")
			return fmt.Sprint(v, err)
		}, "1 no", true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := withSession(t, `{"a":1,"b":"x"}`, func(s *ginsession.Session) string {
				r := tc.op(s)
				return fmt.Sprintf("%s|%v|%v", r, s.Accessed(), s.Modified())
			})
			want := fmt.Sprintf("%s|%v|%v", tc.result, tc.accessed, tc.modded)
			if got != want {
				t.Fatalf("got %q, want %q (result|accessed|modified)", got, want)
			}
		})
	}
}

func TestClearDoesNotLoad(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/", func(c *gin.Context) { ginsession.From(c).Clear(); c.Status(204) })
	k := "abcdefgh12345678abcdefgh12345678"
	a.store.put(k, []byte(`{"a":1}`))
	a.get("/", "sessionid="+k)
	if n := a.store.count("Load"); n != 0 {
		t.Fatalf("Clear loaded the session (%d loads)", n)
	}
	if rec, _ := a.store.get(k); string(rec.data) != `{}` {
		t.Fatalf("record %q after Clear, want {}", rec.data)
	}
}

func TestExpiry(t *testing.T) {
	day := 24 * time.Hour
	at := time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.UTC)
	tests := []struct {
		name string
		data string
		opts []ginsession.Option
		op   func(s *ginsession.Session)
		// want: expiry age (rounded to seconds, or "exact"), browser close, stored _session_expiry JSON
		age     time.Duration
		ageAt   *time.Time
		browser bool
		stored  string
	}{
		{name: "the default age is two weeks", age: 14 * day},
		{name: "WithCookieAge changes it", opts: []ginsession.Option{ginsession.WithCookieAge(time.Hour)}, age: time.Hour},
		{name: "SetExpiry stores whole seconds", op: func(s *ginsession.Session) { s.SetExpiry(90 * time.Second) }, age: 90 * time.Second, stored: "90"},
		{name: "SetExpiry rounds a fraction up, never to browser close", op: func(s *ginsession.Session) { s.SetExpiry(300 * time.Millisecond) }, age: time.Second, stored: "1"},
		{name: "SetExpiry(0) ends at browser close, server age stays default", op: func(s *ginsession.Session) { s.SetExpiry(0) }, age: 14 * day, browser: true, stored: "0"},
		{name: "SetExpiry(10s) overrides ExpireAtBrowserClose", opts: []ginsession.Option{ginsession.WithExpireAtBrowserClose(true)}, op: func(s *ginsession.Session) { s.SetExpiry(10 * time.Second) }, age: 10 * time.Second, stored: "10"},
		{name: "ExpireAtBrowserClose without a custom expiry", opts: []ginsession.Option{ginsession.WithExpireAtBrowserClose(true)}, age: 14 * day, browser: true},
		{name: "SetExpiryAt stores Django 5's ISO string", op: func(s *ginsession.Session) { s.SetExpiryAt(at) }, ageAt: &at, stored: `"2030-05-06T07:08:09.123456+00:00"`},
		{name: "SetExpiryAt without a fraction omits it as Python does", op: func(s *ginsession.Session) { s.SetExpiryAt(at.Truncate(time.Second)) }, ageAt: &at, stored: `"2030-05-06T07:08:09+00:00"`},
		{name: "ResetExpiry goes back to the default", data: `{"_session_expiry":60}`, op: func(s *ginsession.Session) { s.ResetExpiry() }, age: 14 * day},
		{name: "an int written by Django is read", data: `{"_session_expiry":120}`, age: 120 * time.Second, stored: "120"},
		{name: "an ISO string written by Django 5 is read", data: `{"_session_expiry":"2030-05-06T07:08:09.123456+00:00"}`, ageAt: &at, stored: `"2030-05-06T07:08:09.123456+00:00"`},
		{name: "a naive ISO string is taken as UTC", data: `{"_session_expiry":"2030-05-06T07:08:09.123456"}`, ageAt: &at, stored: `"2030-05-06T07:08:09.123456"`},
		{name: "a negative expiry is already past", op: func(s *ginsession.Session) { s.SetExpiry(-10 * time.Second) }, age: -10 * time.Second, stored: "-10"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data
			if data == "" {
				data = `{"x":1}`
			}
			got := withSession(t, data, func(s *ginsession.Session) string {
				if tc.op != nil {
					tc.op(s)
				}
				age, date := s.ExpiryAge(), s.ExpiryDate()
				raw, _ := s.Get("_session_expiry")
				b, _ := json.Marshal(raw)
				if raw == nil {
					b = nil
				}
				return fmt.Sprintf("%d|%d|%v|%s", age/time.Second, date.Unix(), s.ExpireAtBrowserClose(), b)
			}, tc.opts...)
			var age, date int64
			var browser bool
			var stored string
			fmt.Sscanf(strings.ReplaceAll(got, "|", " "), "%d %d %t %s", &age, &date, &browser, &stored)
			if tc.ageAt != nil {
				want := int64(time.Until(*tc.ageAt) / time.Second)
				if age < want-2 || age > want+1 {
					t.Fatalf("age %ds, want about %ds (%s)", age, want, got)
				}
				if date != tc.ageAt.Unix() {
					t.Fatalf("date %d, want %d", date, tc.ageAt.Unix())
				}
			} else {
				if age != int64(tc.age/time.Second) {
					t.Fatalf("age %ds, want %v (%s)", age, tc.age, got)
				}
				if want := time.Now().Add(tc.age).Unix(); date < want-2 || date > want+1 {
					t.Fatalf("date %d, want about %d", date, want)
				}
			}
			if browser != tc.browser || stored != tc.stored {
				t.Fatalf("browser close %v, stored %q; want %v, %q", browser, stored, tc.browser, tc.stored)
			}
		})
	}
}

func TestACustomExpiryReachesTheStoreAndTheCookie(t *testing.T) {
	a := newApp(t, nil)
	a.r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		s.SetExpiry(30 * time.Minute)
		s.Set("x", 1)
		c.Status(204)
	})
	r := a.get("/", "")
	rec, _ := a.store.get(r.cookieValue("sessionid"))
	if d := time.Until(rec.expiry); d < 29*time.Minute || d > 31*time.Minute {
		t.Fatalf("record expires in %v, want 30m", d)
	}
	if !strings.Contains(r.cookie("sessionid"), "Max-Age=1800") {
		t.Fatalf("cookie %q", r.cookie("sessionid"))
	}
}

func TestNewRejectsSettingsThatCannotWork(t *testing.T) {
	long := strings.Repeat("k", 32)
	tests := []struct {
		name string
		opts []ginsession.Option
		hint string
	}{
		{"a cookie name with a space", []ginsession.Option{ginsession.WithCookieName("my session")}, "not a valid cookie name"},
		{"an empty cookie name", []ginsession.Option{ginsession.WithCookieName("")}, "not a valid cookie name"},
		{"an unknown SameSite", []ginsession.Option{ginsession.WithCookieSameSite("sometimes")}, `SameSite "sometimes" is unknown`},
		{"SameSite=None without Secure", []ginsession.Option{ginsession.WithCookieSameSite("None")}, "WithCookieSecure(true)"},
		{"Partitioned without Secure", []ginsession.Option{ginsession.WithCookiePartitioned(true)}, "Partitioned cookie needs Secure"},
		{"a __Host- cookie with a domain", []ginsession.Option{ginsession.WithCookieName("__Host-s"), ginsession.WithCookieSecure(true), ginsession.WithCookieDomain("example.com")}, "no domain"},
		{"a __Secure- cookie without Secure", []ginsession.Option{ginsession.WithCookieName("__Secure-s")}, "must be Secure"},
		{"a secret of 31 bytes", []ginsession.Option{ginsession.WithSecretKey(strings.Repeat("k", 31))}, "at least 32"},
		{"a short fallback secret", []ginsession.Option{ginsession.WithSecretKey(long, "old")}, "fallback secret key #1"},
		{"a zero cookie age", []ginsession.Option{ginsession.WithCookieAge(0)}, "at least time.Second"},
		{"a relative cookie path", []ginsession.Option{ginsession.WithCookiePath("app")}, `must start with "/"`},
		{"a nil codec", []ginsession.Option{ginsession.WithCodec(nil)}, "codec is nil"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "ginsession: ") || !strings.Contains(msg, tc.hint) {
					t.Fatalf("panic %q, want one containing %q", msg, tc.hint)
				}
			}()
			ginsession.New(newFaultStore(), tc.opts...)
		})
	}
	t.Run("a nil store", func(t *testing.T) {
		defer func() {
			if msg, _ := recover().(string); !strings.Contains(msg, "needs a store") {
				t.Fatalf("panic %q", msg)
			}
		}()
		ginsession.New(nil)
	})
	t.Run("valid production settings are accepted", func(t *testing.T) {
		ginsession.New(newFaultStore(), ginsession.WithCookieName("__Host-session"), ginsession.WithCookieSecure(true),
			ginsession.WithCookieSameSite("strict"), ginsession.WithCookiePartitioned(true), ginsession.WithSecretKey(long, long+"old"))
	})
}

func TestCookieAttributesFollowTheOptions(t *testing.T) {
	a := newApp(t, nil, ginsession.WithCookieName("sid"), ginsession.WithCookieDomain("example.test"),
		ginsession.WithCookiePath("/app"), ginsession.WithCookieSecure(true), ginsession.WithCookieHTTPOnly(false),
		ginsession.WithCookieSameSite("None"), ginsession.WithCookiePartitioned(true))
	a.r.GET("/app/set", func(c *gin.Context) { ginsession.From(c).Set("a", 1); c.Status(204) })
	a.r.GET("/app/flush", func(c *gin.Context) { _ = ginsession.From(c).Flush(); c.Status(204) })
	r := a.get("/app/set", "")
	line := r.cookie("sid")
	for _, want := range []string{"Path=/app", "Domain=example.test", "Secure", "SameSite=None", "Partitioned", "Max-Age=1209600"} {
		if !strings.Contains(line, want) {
			t.Fatalf("Set-Cookie %q lacks %s", line, want)
		}
	}
	if strings.Contains(line, "HttpOnly") {
		t.Fatalf("Set-Cookie %q has HttpOnly", line)
	}
	del := a.get("/app/flush", "sid="+r.cookieValue("sid")).cookie("sid")
	for _, want := range []string{"sid=;", "Path=/app", "Domain=example.test", "Max-Age=0", "Secure", "SameSite=None", "Partitioned"} {
		if !strings.Contains(del, want) {
			t.Fatalf("deletion cookie %q lacks %s", del, want)
		}
	}
}

func TestVaryIsMergedAsDjangoDoes(t *testing.T) {
	tests := []struct {
		existing []string
		want     string
	}{
		{nil, "Cookie"},
		{[]string{"Accept-Encoding"}, "Accept-Encoding, Cookie"},
		{[]string{"Accept-Encoding", "Origin"}, "Accept-Encoding, Origin, Cookie"},
		{[]string{"accept-encoding, COOKIE"}, "accept-encoding, COOKIE"},
		{[]string{"*"}, "*"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.existing), func(t *testing.T) {
			a := newApp(t, nil)
			a.r.GET("/", func(c *gin.Context) {
				for _, v := range tc.existing {
					c.Writer.Header().Add("Vary", v)
				}
				_, _ = ginsession.From(c).Get("x")
				c.Status(204)
			})
			if got := strings.Join(a.get("/", "").Header.Values("Vary"), ", "); got != tc.want {
				t.Fatalf("Vary %q, want %q", got, tc.want)
			}
		})
	}
}

func TestExistsAndDeleteKeyWorkOnOtherSessions(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	other := a.newSessionKey()
	a.r.GET("/admin", func(c *gin.Context) {
		s := ginsession.From(c)
		before, err1 := s.Exists(other)
		err2 := s.DeleteKey(other)
		after, err3 := s.Exists(other)
		bad := s.DeleteKey("../etc")
		c.String(200, "%v %v %v %v %v %v", before, after, err1, err2, err3, bad != nil)
	})
	if r := a.get("/admin", ""); r.body != "true false <nil> <nil> <nil> true" {
		t.Fatal(r.body)
	}
}

func TestCookieHeaderParsing(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	k := a.newSessionKey()
	for name, header := range map[string]string{
		"among other cookies":  "a=1; sessionid=" + k + "; b=2",
		"quoted":               `sessionid="` + k + `"`,
		"first of two":         "sessionid=" + k + "; sessionid=" + strings.Repeat("z", 32),
		"with spaces":          "  sessionid=" + k + "  ;x=y",
		"after a similar name": "xsessionid=nope; sessionid=" + k,
	} {
		if r := a.get("/read", header); r.body != "bar" {
			t.Errorf("%s: read %q", name, r.body)
		}
	}
}

// TestChangeLosesNoConcurrentUpdate has goroutines of one request each add
// one to a counter with Change, pausing between the read and the write: with
// a Get then a Set, a pause there makes them overwrite each other.
func TestChangeLosesNoConcurrentUpdate(t *testing.T) {
	const goroutines, rounds = 8, 25
	a := newApp(t, nil)
	var got int
	a.r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		var wg sync.WaitGroup
		for range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rounds {
					err := s.Change("n", func(old any, _ bool) (any, bool, error) {
						n, _ := old.(int)
						time.Sleep(10 * time.Microsecond) // the window a Get/Set pair leaves open
						return n + 1, true, nil
					})
					if err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		got, _ = ginsession.Get[int](s, "n")
		c.Status(http.StatusNoContent)
	})
	a.get("/", "")
	if got != goroutines*rounds {
		t.Fatalf("counter %d after %d increments: updates were lost", got, goroutines*rounds)
	}
}
