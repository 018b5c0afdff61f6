package gincontrib_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-contrib/sessions/cookie"
	gcredis "github.com/gin-contrib/sessions/redis"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"
	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/contrib/gincontrib"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

var (
	hashKey  = []byte("gincontrib-test-hash-key-0123456789abcdef")
	blockKey = []byte("0123456789abcdef0123456789abcdef") // AES-256
)

// oldSite is the application before the switch, on gin-contrib/sessions:
// /login stores a registered struct and other values, /me shows them.
func oldSite(t *testing.T, store sessions.Store) *httptest.Server {
	r := gin.New()
	r.Use(sessions.Sessions("mysession", store))
	r.GET("/login", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("user", User{ID: 7, Name: "ana", Roles: []string{"admin"}, Since: since})
		s.Set("user_id", 7)
		s.Set("visits", int64(12))
		s.Set("tags", []string{"a", "b"})
		s.AddFlash("welcome back")
		if err := s.Save(); err != nil {
			t.Error(err)
		}
		c.String(http.StatusOK, "logged in")
	})
	return serve(t, r)
}

// newSite is the application after the switch: the same handler code on
// the adapter, with the migration reader on.
func newSite(t *testing.T, store stores.Store, m gincontrib.Migration, logs *testenv.LogBuffer) *httptest.Server {
	r := gin.New()
	r.Use(gincontrib.Sessions("mysession", store, gincontrib.WithTypes(User{}),
		gincontrib.WithMigration(m), gincontrib.WithLogger(logs.Logger())))
	r.GET("/logout", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Clear()
		s.Options(sessions.Options{MaxAge: -1})
		_ = s.Save()
	})
	r.GET("/me", func(c *gin.Context) {
		s := sessions.Default(c)
		u, ok := s.Get("user").(User)
		if !ok {
			c.String(http.StatusUnauthorized, "not logged in")
			return
		}
		c.JSON(http.StatusOK, gin.H{
			"user": u, "user_id": s.Get("user_id").(int), "visits": s.Get("visits").(int64),
			"tags": s.Get("tags").([]string), "flashes": s.Flashes(),
		})
	})
	return serve(t, r)
}

const wantMe = `{"flashes":["welcome back"],"tags":["a","b"],"user":{"ID":7,"Name":"ana","Roles":["admin"],"Since":"2024-05-06T07:08:09.123456789+02:00"},"user_id":7,"visits":12}`
const wantMeAgain = `{"flashes":null,"tags":["a","b"],"user":{"ID":7,"Name":"ana","Roles":["admin"],"Since":"2024-05-06T07:08:09.123456789+02:00"},"user_id":7,"visits":12}`

// gcRedis returns a gin-contrib Redis store with keyPairs under a key prefix
// of the test's own, the prefix, and a go-redis client.
func gcRedis(t *testing.T, keyPairs ...[]byte) (sessions.Store, string, *redis.Client) {
	client := testenv.Redis9(t)
	prefix := testenv.Redis9Prefix(t, client, "gincontrib")
	store, err := gcredis.NewStore(10, "tcp", testenv.RedisAddr(), "", "", keyPairs...)
	if err != nil {
		t.Fatal(err)
	}
	if err := gcredis.SetKeyPrefix(store, prefix); err != nil {
		t.Fatal(err)
	}
	return store, prefix, client
}

// TestLiveSessionsAreAdoptedOnTheFirstRequest logs in on gin-contrib (its
// cookie store, signed and encrypted, and its Redis store), then visits the
// new site: the first request sees every value, the old cookie is replaced
// by a ginsession key, and the user stays logged in on the next request.
func TestLiveSessionsAreAdoptedOnTheFirstRequest(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) (sessions.Store, gincontrib.Migration, stores.Store)
	}{
		{"cookie store, signed", func(t *testing.T) (sessions.Store, gincontrib.Migration, stores.Store) {
			return cookie.NewStore(hashKey), gincontrib.Migration{KeyPairs: [][]byte{hashKey}}, newMemstore(t)
		}},
		{"cookie store, signed and encrypted", func(t *testing.T) (sessions.Store, gincontrib.Migration, stores.Store) {
			return cookie.NewStore(hashKey, blockKey), gincontrib.Migration{KeyPairs: [][]byte{hashKey, blockKey}}, newMemstore(t)
		}},
		{"cookie store, rotated keys", func(t *testing.T) (sessions.Store, gincontrib.Migration, stores.Store) {
			old := []byte("an-older-hash-key-still-accepted-for-reading")
			return cookie.NewStore(old), gincontrib.Migration{KeyPairs: [][]byte{hashKey, nil, old}}, newMemstore(t)
		}},
		{"Redis store", func(t *testing.T) (sessions.Store, gincontrib.Migration, stores.Store) {
			store, prefix, client := gcRedis(t, hashKey)
			return store, gincontrib.Migration{KeyPairs: [][]byte{hashKey}, Redis: client, KeyPrefix: prefix}, newRedis9Store(t)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old, m, store := tc.setup(t)
			var logs testenv.LogBuffer
			before, after := oldSite(t, old), newSite(t, store, m, &logs)
			b := newBrowser(t)
			b.get(before.URL + "/login")
			oldCookie := b.cookie(before, "mysession")
			if oldCookie == "" {
				t.Fatal("gin-contrib set no cookie")
			}
			status, body, _ := b.get(after.URL + "/me")
			if status != http.StatusOK || body != wantMe {
				t.Fatalf("first request on the new site: %d %s", status, body)
			}
			newCookie := b.cookie(after, "mysession")
			if newCookie == oldCookie || newCookie == "" {
				t.Errorf("the old cookie was not replaced: %q", newCookie)
			}
			if _, cookie := store.(stores.ClientSide); !cookie && stores.CheckKey(newCookie) != nil {
				t.Errorf("the new cookie is not a ginsession key: %q", newCookie)
			}
			status, body, _ = b.get(after.URL + "/me")
			if status != http.StatusOK || body != wantMeAgain {
				t.Errorf("second request: %d %s", status, body)
			}
			if l := logs.String(); strings.Contains(l, oldCookie) || !strings.Contains(l, "adopted a gin-contrib session") {
				t.Errorf("log: %s", l)
			}
		})
	}
}

// tamper flips a bit of the MAC of a securecookie value.
func tamper(t *testing.T, v string) string {
	raw, err := base64.URLEncoding.DecodeString(v)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 1
	return base64.URLEncoding.EncodeToString(raw)
}

// TestBadOldCookiesAreNotAdopted sends the new site gin-contrib cookies that
// must not log anyone in: tampered, signed with other keys, expired,
// undecodable, and pointing at a Redis record that is gone. Each is logged
// (without the cookie) and deleted, and the Redis record of a tampered
// cookie is left as it was.
func TestBadOldCookiesAreNotAdopted(t *testing.T) {
	store, prefix, client := gcRedis(t, hashKey)
	redisMigration := gincontrib.Migration{KeyPairs: [][]byte{hashKey}, Redis: client, KeyPrefix: prefix}
	cookieMigration := gincontrib.Migration{KeyPairs: [][]byte{hashKey, blockKey}}
	login := func(store sessions.Store) string {
		b := newBrowser(t)
		srv := oldSite(t, store)
		b.get(srv.URL + "/login")
		return b.cookie(srv, "mysession")
	}
	encode := func(v any) string {
		s, err := securecookie.EncodeMulti("mysession", v, securecookie.CodecsFromPairs(hashKey, blockKey)...)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	redisCookie := login(store)
	var redisID string
	if err := securecookie.DecodeMulti("mysession", redisCookie, &redisID, securecookie.CodecsFromPairs(hashKey)...); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		m      gincontrib.Migration
		cookie string
		reason string
	}{
		{"tampered cookie store cookie", cookieMigration, tamper(t, login(cookie.NewStore(hashKey, blockKey))), "not valid"},
		{"cookie signed with other keys", cookieMigration, login(cookie.NewStore([]byte("another-application-s-hash-key-0123456789"))), "not valid"},
		{"expired cookie", gincontrib.Migration{KeyPairs: [][]byte{hashKey, blockKey}, MaxAge: time.Second}, login(cookie.NewStore(hashKey, blockKey)), "expired"},
		{"undecodable data", cookieMigration, encode("not a map of values"), "gob"},
		{"tampered Redis cookie", redisMigration, tamper(t, redisCookie), "not valid"},
		{"Redis record gone", redisMigration, encode("no-such-session-id"), "expired or was deleted"},
	}
	time.Sleep(2100 * time.Millisecond) // the expired case's cookie is now over a second old
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			if tc.name == "Redis record gone" {
				m.KeyPairs = [][]byte{hashKey, blockKey}
			}
			var logs testenv.LogBuffer
			srv := newSite(t, newMemstore(t), m, &logs)
			b := newBrowser(t)
			u, _ := url.Parse(srv.URL)
			b.jar.SetCookies(u, []*http.Cookie{{Name: "mysession", Value: tc.cookie, Path: "/"}})
			status, body, res := b.get(srv.URL + "/me")
			if status != http.StatusUnauthorized {
				t.Errorf("answered %d %s", status, body)
			}
			if del := setCookies(res, "mysession"); len(del) != 1 || !strings.Contains(del[0], "Max-Age=0") {
				t.Errorf("the old cookie was not deleted: %q", del)
			}
			warn := logs.Lines(4)
			if len(warn) != 1 || !strings.Contains(warn[0], tc.reason) || strings.Contains(logs.String(), tc.cookie) {
				t.Errorf("want one warning saying %q, without the cookie; got %q", tc.reason, logs.String())
			}
		})
	}
	ttl, err := client.PTTL(t.Context(), prefix+redisID).Result()
	if err != nil || ttl < time.Hour {
		t.Errorf("the Redis record of the tampered cookie was changed: ttl %v, %v", ttl, err)
	}
}

// TestValuesThatCannotBecomeJSONAreReportedByKey adopts a session holding a
// complex number, which gob keeps and JSON cannot: the other values are
// adopted, and the error names the key.
func TestValuesThatCannotBecomeJSONAreReportedByKey(t *testing.T) {
	r := gin.New()
	r.Use(sessions.Sessions("mysession", cookie.NewStore(hashKey)))
	r.GET("/login", func(c *gin.Context) {
		s := sessions.Default(c)
		s.Set("user_id", 7)
		s.Set("impedance", complex(1, 2))
		s.Set(42, "a key gorilla allows")
		_ = s.Save()
	})
	before := serve(t, r)
	var logs testenv.LogBuffer
	after := gin.New()
	after.Use(gincontrib.Sessions("mysession", newMemstore(t), gincontrib.WithLogger(logs.Logger()),
		gincontrib.WithMigration(gincontrib.Migration{KeyPairs: [][]byte{hashKey}})))
	var keys []string
	after.GET("/", func(c *gin.Context) { keys = gincontrib.Underlying(sessions.Default(c)).Keys() })
	srv := serve(t, after)
	b := newBrowser(t)
	b.get(before.URL + "/login")
	b.get(srv.URL + "/")
	if !reflect.DeepEqual(keys, []string{"user_id"}) {
		t.Errorf("adopted keys %q", keys)
	}
	errs := logs.Lines(8)
	if len(errs) != 2 || !strings.Contains(strings.Join(errs, "\n"), "key=impedance") || !strings.Contains(strings.Join(errs, "\n"), "key_type=int") {
		t.Errorf("want the complex value reported by its key and the int key by its type, got %q", errs)
	}
}

// TestARedisRecordOutlivesItsAdoptionByAMinuteOnly checks the old record is
// left for requests sent with the old cookie at the same time, and no
// longer, so the old cookie cannot bring a session back after a logout.
func TestARedisRecordOutlivesItsAdoptionByAMinuteOnly(t *testing.T) {
	store, prefix, client := gcRedis(t, hashKey)
	m := gincontrib.Migration{KeyPairs: [][]byte{hashKey}, Redis: client, KeyPrefix: prefix}
	var logs testenv.LogBuffer
	before, after := oldSite(t, store), newSite(t, newMemstore(t), m, &logs)
	b := newBrowser(t)
	b.get(before.URL + "/login")
	oldCookie := b.cookie(before, "mysession")
	var id string
	if err := securecookie.DecodeMulti("mysession", oldCookie, &id, securecookie.CodecsFromPairs(hashKey)...); err != nil {
		t.Fatal(err)
	}
	b.get(after.URL + "/me")
	ttl, err := client.PTTL(t.Context(), prefix+id).Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("the adopted record's time to live is %v (%v), not at most a minute", ttl, err)
	}
	// Requests sent with the old cookie meanwhile, several at once, adopt it
	// too: none finds the user logged out.
	u, _ := url.Parse(after.URL)
	withOldCookie := func() *browser {
		other := newBrowser(t)
		other.jar.SetCookies(u, []*http.Cookie{{Name: "mysession", Value: oldCookie, Path: "/"}})
		return other
	}
	for round := range 10 {
		var wg sync.WaitGroup
		for range 8 {
			other := withOldCookie()
			wg.Go(func() {
				if status, body, _ := other.get(after.URL + "/me"); status != http.StatusOK || body != wantMe {
					t.Errorf("round %d: a concurrent request with the old cookie: %d %s", round, status, body)
				}
			})
		}
		wg.Wait()
	}
	// The user logs out; once the minute is over, the old cookie brings
	// nothing back.
	b.get(after.URL + "/logout")
	if err := testenv.AgeRedisKeys(t.Context(), testenv.Redis(t), prefix, adoptGrace); err != nil {
		t.Fatal(err)
	}
	if status, body, _ := withOldCookie().get(after.URL + "/me"); status != http.StatusUnauthorized {
		t.Errorf("the old cookie after logout and a minute: %d %s", status, body)
	}
}

const adoptGrace = time.Minute

// TestARedisFailureFailsTheRequestAndKeepsTheOldCookie points the reader at
// a Redis that is not there.
func TestARedisFailureFailsTheRequestAndKeepsTheOldCookie(t *testing.T) {
	store, _, _ := gcRedis(t, hashKey)
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1})
	t.Cleanup(func() { down.Close() })
	var logs testenv.LogBuffer
	before, after := oldSite(t, store), newSite(t, newMemstore(t), gincontrib.Migration{KeyPairs: [][]byte{hashKey}, Redis: down}, &logs)
	b := newBrowser(t)
	b.get(before.URL + "/login")
	oldCookie := b.cookie(before, "mysession")
	status, _, res := b.get(after.URL + "/me")
	if status != http.StatusInternalServerError || len(setCookies(res, "mysession")) != 0 || b.cookie(after, "mysession") != oldCookie {
		t.Errorf("answered %d with Set-Cookie %q", status, setCookies(res, "mysession"))
	}
	if len(logs.Lines(8)) != 1 {
		t.Errorf("want one error logged, got %q", logs.String())
	}
}

// TestGinsessionCookiesOfTheSameNameAreNotTakenForOldOnes keeps the reader
// on while ginsession's own cookies, of the name the old ones had, come and
// go: keys, signed cookies and encrypted cookies stay ginsession's.
func TestGinsessionCookiesOfTheSameNameAreNotTakenForOldOnes(t *testing.T) {
	encrypted, err := cookiestore.New(cookiestore.WithEncryption())
	if err != nil {
		t.Fatal(err)
	}
	for name, store := range map[string]stores.Store{"key": newMemstore(t), "signed": newCookiestore(t), "encrypted": encrypted} {
		t.Run(name, func(t *testing.T) {
			var logs testenv.LogBuffer
			r := gin.New()
			r.Use(gincontrib.Sessions("mysession", store, gincontrib.WithLogger(logs.Logger()),
				gincontrib.WithSessionOptions(ginsession.WithSecretKey(secret)),
				gincontrib.WithMigration(gincontrib.Migration{KeyPairs: [][]byte{hashKey}})))
			r.GET("/", func(c *gin.Context) {
				s := sessions.Default(c)
				n, _ := s.Get("n").(int)
				s.Set("n", n+1)
				c.String(http.StatusOK, "%d", n+1)
			})
			srv := serve(t, r)
			b := newBrowser(t)
			for i := 1; i <= 20; i++ {
				if _, body, _ := b.get(srv.URL + "/"); body != fmt.Sprint(i) {
					t.Fatalf("request %d counted %s", i, body)
				}
			}
			if logs.String() != "" {
				t.Errorf("the reader acted on ginsession's cookies: %s", logs.String())
			}
		})
	}
}
