package interop

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/messages"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/djangocache"
)

// The cache engine tests share sessions between Django's cache session
// engine on django-redis (testdata/cache_settings.py,
// testdata/django_cache_side.py) and a Gin service on stores/djangocache,
// in the local Redis under a KEY_PREFIX of the test's own.

// cacheFormats are django-redis's configurations and the codec that reads
// and writes each.
var cacheFormats = []struct {
	name  string // GINSESSION_CACHE_FORMAT
	codec ginsession.Codec
}{
	{"pickle", djangocache.PickleCodec{}},
	{"zlib", djangocache.Zlib(djangocache.PickleCodec{})},
	{"json", ginsession.JSONCodec{}},
}

// djangoRedisAvailable reports whether Debian's python3-django-redis is
// installed.
var djangoRedisAvailable = sync.OnceValue(func() error {
	out, err := exec.Command(python, "-c", "import django_redis").CombinedOutput()
	if err != nil {
		return errors.New(strings.TrimSpace(string(out)))
	}
	return nil
})

// cacheSite is a Django site on the cache engine and, beside it, the Go
// store and codec on the same Redis entries. Its auth tables (for the
// login tests) are in a SQLite file of the test's own.
type cacheSite struct {
	format    string
	codec     ginsession.Codec
	keyPrefix string
	store     *djangocache.Store
	auth      *authDB // nil unless withAuth
}

func newCacheSite(t *testing.T, format string, codec ginsession.Codec, withAuth bool) *cacheSite {
	t.Helper()
	needDjango(t)
	if err := djangoRedisAvailable(); err != nil {
		testenv.Unavailable(t, "django-redis (python3-django-redis)", err)
	}
	client := testenv.Redis9(t)
	c := &cacheSite{format: format, codec: codec, keyPrefix: strings.TrimSuffix(testenv.Redis9Prefix(t, client, "djcache_interop_"), ":")}
	store, err := djangocache.New(client, djangocache.WithKeyPrefix(c.keyPrefix), djangocache.WithVersion(2))
	if err != nil {
		t.Fatal(err)
	}
	c.store = store
	if withAuth {
		a := newDjangoAuthDB(t, sqliteDB)
		c.auth = &a
	}
	return c
}

// run sends req to `django_cache_side.py cmd` and decodes its answer.
func (c *cacheSite) run(t *testing.T, cmd string, req, resp any) {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	p := exec.Command(python, filepath.Join(dir, "django_cache_side.py"), cmd)
	p.Env = append(os.Environ(),
		"PYTHONPATH="+dir,
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONIOENCODING=utf-8",
		"DJANGO_SETTINGS_MODULE=cache_settings",
		"GINSESSION_SECRET_KEY="+secret,
		"GINSESSION_REDIS_URL=redis://"+testenv.RedisAddr()+"/0",
		"GINSESSION_CACHE_KEY_PREFIX="+c.keyPrefix,
		"GINSESSION_CACHE_VERSION=2",
		"GINSESSION_CACHE_FORMAT="+c.format,
	)
	if c.auth != nil {
		p.Env = append(p.Env, "GINSESSION_DB_ENGINE=sqlite3", "GINSESSION_DB_NAME="+c.auth.env.dbName)
	}
	p.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	p.Stdout, p.Stderr = &stdout, &stderr
	if err := p.Run(); err != nil {
		t.Fatalf("django_cache_side.py %s: %v\n%s", cmd, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), resp); err != nil {
		t.Fatalf("django_cache_side.py %s: bad answer %q: %v\n%s", cmd, stdout.String(), err, stderr.String())
	}
}

// pySession is Django's view of a session: its key (nil once load found
// nothing), repr() of its dict, and its cache entry's TTL in seconds.
type pySession struct {
	Key   *string `json:"key"`
	Repr  string  `json:"repr"`
	TTL   *int    `json:"ttl"`
	Found bool    `json:"found"`
}

func (c *cacheSite) djangoSave(t *testing.T, req map[string]any) pySession {
	t.Helper()
	var s pySession
	c.run(t, "save", req, &s)
	if s.Key == nil || !stores.ValidKey(*s.Key) {
		t.Fatalf("Django saved under %v", s.Key)
	}
	return s
}

func (c *cacheSite) djangoLoad(t *testing.T, key string) pySession {
	t.Helper()
	var s pySession
	c.run(t, "load", map[string]string{"key": key}, &s)
	return s
}

// goApp is the Gin service: GET /set?k=v&... sets entries (an int for a
// value of digits), /tuple?k=a,b sets a tuple, /expire-at?t=RFC3339 calls
// SetExpiryAt, /get answers the session as JSON; POST /login logs user in,
// POST /logout logs out, GET /me answers the user's id; /add and /show add
// and consume flash messages.
func (c *cacheSite) goApp(t *testing.T, user auth.User) *gin.Engine {
	t.Helper()
	r := gin.New()
	r.Use(ginsession.New(c.store, ginsession.WithCodec(c.codec), ginsession.WithSecretKey(secret)), messages.New(messages.WithLevelTags(djangoTags)))
	fail := func(ctx *gin.Context, err error) { ctx.String(http.StatusInternalServerError, err.Error()) }
	r.GET("/set", func(ctx *gin.Context) {
		s := ginsession.From(ctx)
		for k, v := range ctx.Request.URL.Query() {
			if n, err := strconv.Atoi(v[0]); err == nil {
				s.Set(k, n)
			} else {
				s.Set(k, v[0])
			}
		}
		ctx.String(http.StatusOK, "set")
	})
	r.GET("/tuple", func(ctx *gin.Context) {
		for k, v := range ctx.Request.URL.Query() {
			var tu djangocache.Tuple
			for _, x := range strings.Split(v[0], ",") {
				tu = append(tu, x)
			}
			ginsession.From(ctx).Set(k, tu)
		}
		ctx.String(http.StatusOK, "set")
	})
	r.GET("/expire-at", func(ctx *gin.Context) {
		at, err := time.Parse(time.RFC3339Nano, ctx.Query("t"))
		if err != nil {
			fail(ctx, err)
			return
		}
		ginsession.From(ctx).SetExpiryAt(at)
		ctx.String(http.StatusOK, "set")
	})
	r.GET("/get", func(ctx *gin.Context) {
		s := ginsession.From(ctx)
		out := map[string]any{}
		for _, k := range s.Keys() {
			out[k], _ = s.Get(k)
		}
		ctx.JSON(http.StatusOK, out)
	})
	r.POST("/login", func(ctx *gin.Context) {
		if err := auth.Login(ctx, user, ""); err != nil {
			fail(ctx, err)
			return
		}
		ctx.String(http.StatusOK, "ok")
	})
	r.POST("/logout", func(ctx *gin.Context) {
		if err := auth.Logout(ctx); err != nil {
			fail(ctx, err)
			return
		}
		ctx.String(http.StatusOK, "bye")
	})
	r.GET("/me", func(ctx *gin.Context) {
		u, err := auth.CurrentUser(ctx, c.auth.load)
		switch {
		case errors.Is(err, auth.ErrNotLoggedIn):
			ctx.String(http.StatusUnauthorized, "anonymous")
		case err != nil:
			fail(ctx, err)
		default:
			ctx.String(http.StatusOK, u.SessionAuthID())
		}
	})
	r.GET("/add", func(ctx *gin.Context) {
		level, _ := strconv.Atoi(ctx.Query("level"))
		if err := messages.Add(ctx, messages.Level(level), ctx.Query("text"), ctx.Query("tags")); err != nil {
			fail(ctx, err)
			return
		}
		ctx.String(http.StatusOK, "added")
	})
	r.GET("/show", func(ctx *gin.Context) {
		ms, err := messages.Consume(ctx)
		if err != nil {
			fail(ctx, err)
			return
		}
		out := []pyMessage{}
		for _, m := range ms {
			out = append(out, pyMessage{Level: int(m.Level), Message: m.Text, ExtraTags: m.ExtraTags, Tags: m.Tags()})
		}
		ctx.JSON(http.StatusOK, out)
	})
	return r
}

// goGet answers the Go service's view of the session key.
func goGet(t *testing.T, r http.Handler, key string) map[string]any {
	t.Helper()
	code, body, _ := serve(t, r, http.MethodGet, "/get", key)
	if code != http.StatusOK {
		t.Fatalf("Go /get: %d %q", code, body)
	}
	var out map[string]any
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// goRequest sends a GET and returns the session key afterwards.
func goRequest(t *testing.T, r http.Handler, path, key string) string {
	t.Helper()
	code, body, cookie := serve(t, r, http.MethodGet, path, key)
	if code != http.StatusOK {
		t.Fatalf("Go %s: %d %q", path, code, body)
	}
	if cookie != nil {
		return cookie.Value
	}
	return key
}

// The data a Django view stores, with what tells formats apart: non-ASCII
// text, an integer beyond 64 bits, a float that is whole, a tuple, a
// nested dict, and (for pickles) set_expiry(timedelta), a datetime.
const djangoData = `{"name": "Zoë é 😀 \u2028", "big": 1180591620717411303424, "neg": -9223372036854775809, "whole": 1.0, "pair": [1, "a"], "nested": {"list": [1, [2, {"deep": "ü"}]], "none": null, "yes": true}}`

func TestDjangoCacheSessionsAreReadAndUpdatedInGo(t *testing.T) {
	t.Parallel()
	for _, f := range cacheFormats {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			c := newCacheSite(t, f.name, f.codec, false)
			req := map[string]any{"json": djangoData, "tuples": []string{"pair"}}
			if f.name != "json" { // Django's JSON serializer cannot hold a datetime
				req["expiry_delta"] = 3600
			}
			saved := c.djangoSave(t, req)
			key := *saved.Key

			raw := c.djangoRaw(t, key)
			switch f.name {
			case "pickle":
				if !bytes.HasPrefix(raw, []byte{0x80, 4}) {
					t.Errorf("django-redis stored %.20q, not a protocol 4 pickle", raw)
				}
			case "zlib":
				if raw[0] != 0x78 {
					t.Errorf("django-redis stored %.20q, not a zlib stream", raw)
				}
			}

			keys, values, err := f.codec.Decode(mustLoad(t, c.store, key))
			if err != nil {
				t.Fatalf("Go cannot read Django's entry: %v", err)
			}
			want := map[string]any{
				"name": "Zoë é 😀 \u2028", "big": json.Number("1180591620717411303424"), "neg": json.Number("-9223372036854775809"),
				"whole": 1.0, "pair": djangocache.Tuple{1, "a"},
				"nested": map[string]any{"list": []any{1, []any{2, map[string]any{"deep": "ü"}}}, "none": nil, "yes": true},
			}
			wantKeys := []string{"name", "big", "neg", "whole", "pair", "nested"}
			if f.name == "json" {
				want["pair"] = []any{1, "a"}
			} else {
				expiry, ok := values["_session_expiry"].(string)
				at, err := time.Parse(time.RFC3339Nano, expiry)
				if !ok || err != nil || time.Until(at) < 59*time.Minute || time.Until(at) > time.Hour {
					t.Errorf("_session_expiry = %#v (%v), want Django's datetime an hour ahead as an ISO string", values["_session_expiry"], err)
				}
				want["_session_expiry"] = expiry
				wantKeys = append(wantKeys, "_session_expiry")
			}
			if !reflect.DeepEqual(values, want) || !reflect.DeepEqual(keys, wantKeys) {
				t.Fatalf("Go reads %q\n%#v\nwant %q\n%#v", keys, values, wantKeys, want)
			}

			// A Gin request changes it; Django reads both its entries and Go's.
			r := c.goApp(t, nil)
			if after := goRequest(t, r, "/set?visits=3&city=Zürich", key); after != key {
				t.Fatalf("Go moved the session to %s", after)
			}
			got := c.djangoLoad(t, key)
			if !got.Found {
				t.Fatal("Django lost the session Go updated")
			}
			for _, part := range []string{`'name': 'Zoë é 😀 \u2028'`, `'big': 1180591620717411303424`, `'neg': -9223372036854775809`, `'whole': 1.0`, `'visits': 3`, `'city': 'Zürich'`} {
				if !strings.Contains(got.Repr, part) {
					t.Errorf("Django reads %s\nwithout %s", got.Repr, part)
				}
			}
			if f.name != "json" {
				for _, part := range []string{`'pair': (1, 'a')`, `'_session_expiry': datetime.datetime(`, `tzinfo=datetime.timezone.utc)`} {
					if !strings.Contains(got.Repr, part) {
						t.Errorf("Django reads %s\nwithout %s", got.Repr, part)
					}
				}
			}
			wantTTL := 3600 // set_expiry's hour
			if f.name == "json" {
				wantTTL = 14 * 24 * 3600 // SESSION_COOKIE_AGE
			}
			if got.TTL == nil || *got.TTL < wantTTL-100 || *got.TTL > wantTTL {
				t.Errorf("after Go's save the entry's TTL is %v s, want %d", ttlOf(got), wantTTL)
			}
		})
	}
}

func (c *cacheSite) djangoRaw(t *testing.T, key string) []byte {
	t.Helper()
	var resp struct {
		Raw *string `json:"raw"`
	}
	c.run(t, "raw", map[string]string{"key": key}, &resp)
	if resp.Raw == nil {
		t.Fatalf("no cache entry for %s", key)
	}
	b, err := base64.StdEncoding.DecodeString(*resp.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustLoad(t *testing.T, s stores.Store, key string) []byte {
	t.Helper()
	data, err := s.Load(ctx(t), key)
	if err != nil {
		t.Fatalf("Load(%s): %v", key, err)
	}
	return data
}

func TestGoSessionsAreReadAndUpdatedByDjangosCacheEngine(t *testing.T) {
	t.Parallel()
	for _, f := range cacheFormats {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			c := newCacheSite(t, f.name, f.codec, false)
			r := c.goApp(t, nil)
			q := url.Values{"name": {"Zoë é 😀"}, "count": {"7"}}
			key := goRequest(t, r, "/set?"+q.Encode(), "")
			key = goRequest(t, r, "/tuple?pair=x,y", key)
			// SetExpiryAt stores an ISO string, which PickleCodec writes as
			// the datetime Django's set_expiry stores. Through Django's JSON
			// serializer it stays a string, which Django before 5.0 cannot
			// read (its get_expiry_age returns it as a number of seconds).
			at := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Microsecond)
			if f.name != "json" {
				key = goRequest(t, r, "/expire-at?t="+url.QueryEscape(at.Format(time.RFC3339Nano)), key)
			}

			got := c.djangoLoad(t, key)
			if !got.Found {
				t.Fatalf("Django finds no session %s", key)
			}
			parts := []string{`'name': 'Zoë é 😀'`, `'count': 7`}
			wantTTL := 2 * 3600
			if f.name == "json" {
				parts = append(parts, `'pair': ['x', 'y']`)
				wantTTL = 14 * 24 * 3600 // SESSION_COOKIE_AGE
			} else {
				parts = append(parts, `'pair': ('x', 'y')`, `'_session_expiry': datetime.datetime(`+pyDateTimeArgs(at)+`, tzinfo=datetime.timezone.utc)`)
			}
			for _, part := range parts {
				if !strings.Contains(got.Repr, part) {
					t.Errorf("Django reads %s\nwithout %s", got.Repr, part)
				}
			}
			if got.TTL == nil || *got.TTL < wantTTL-100 || *got.TTL > wantTTL {
				t.Errorf("the entry's TTL is %v s, want %d", ttlOf(got), wantTTL)
			}

			// Django changes it, and adds a big integer; Go reads both.
			var updated pySession
			c.run(t, "update", map[string]any{"key": key, "json": `{"big": 1180591620717411303424, "name": "Ünïcode"}`}, &updated)
			values := goGet(t, r, key)
			if values["big"] != json.Number("1180591620717411303424") || values["name"] != "Ünïcode" || values["count"] != json.Number("7") {
				t.Fatalf("Go reads %v after Django's update", values)
			}
		})
	}
}

func ttlOf(s pySession) any {
	if s.TTL == nil {
		return nil
	}
	return *s.TTL
}

// pyDateTimeArgs is repr()'s arguments of a datetime: year to second, and
// the microseconds when not 0.
func pyDateTimeArgs(t time.Time) string {
	s := strconv.Itoa(t.Year())
	for _, n := range []int{int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()} {
		s += ", " + strconv.Itoa(n)
	}
	if us := t.Nanosecond() / 1000; us != 0 {
		s += ", " + strconv.Itoa(us)
	}
	return s
}

// Django's cache engine answers a missing entry, and one Go cannot have
// written (a pickle of a class), with an empty session under a new key;
// so does the Gin service, which logs a warning.
func TestAnEntryGoWouldRefuseIsAlsoNoSessionForDjango(t *testing.T) {
	t.Parallel()
	c := newCacheSite(t, "pickle", djangocache.PickleCodec{}, false)
	key := stores.NewKey()
	// pickle.dumps({"x": decimal.Decimal("1.5")}, 4)
	evil := []byte("\x80\x04\x95'\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01x\x94\x8c\x07decimal\x94\x8c\x07Decimal\x94\x93\x94\x8c\x031.5\x94\x85\x94R\x94s.")
	if err := c.store.Create(ctx(t), key, evil, time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := c.djangoLoad(t, key); !got.Found || !strings.Contains(got.Repr, "Decimal('1.5')") {
		t.Fatalf("Django reads %+v: the pickle is not what the test meant", got)
	}
	if _, _, err := (djangocache.PickleCodec{}).Decode(evil); !errors.Is(err, djangocache.ErrCorrupt) {
		t.Fatalf("Go reads a Decimal: %v", err)
	}
	if got := c.djangoLoad(t, stores.NewKey()); got.Found {
		t.Fatalf("Django finds a session that is not there: %+v", got)
	}
}

// Logins are run on django-redis's default format only: what they store is
// strings, which the other formats' tests cover, and each run migrates
// Django's auth tables.
func TestLoginsAndLogoutsCrossBetweenGoAndDjangosCacheEngine(t *testing.T) {
	t.Parallel()
	for _, f := range cacheFormats[:1] {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			c := newCacheSite(t, f.name, f.codec, true)
			u := c.auth.createUser(t, "zoë", "correct horse")
			r := c.goApp(t, u)

			// Go logs in; Django's get_user is that user.
			key := goLogin(t, r)
			c.wantDjangoUser(t, key, &u)
			// Go logs out; Django sees no user, and no session.
			if code, body, _ := serve(t, r, http.MethodPost, "/logout", key); code != http.StatusOK {
				t.Fatalf("Go logout: %d %q", code, body)
			}
			c.wantDjangoUser(t, key, nil)

			// Django logs in; Go's CurrentUser is that user.
			var login struct {
				Key string `json:"key"`
			}
			c.run(t, "auth_login", map[string]string{"username": u.Username}, &login)
			if id, _ := goCurrentUser(t, r, login.Key); id != u.SessionAuthID() {
				t.Fatalf("Go's current user on Django's login: %q, want %s", id, u.SessionAuthID())
			}
			// Django logs out; Go sees no user.
			var out struct{}
			c.run(t, "auth_logout", map[string]string{"key": login.Key}, &out)
			if id, _ := goCurrentUser(t, r, login.Key); id != "" {
				t.Fatalf("Go's current user after Django's logout: %q", id)
			}
		})
	}
}

// wantDjangoUser fails the test unless Django's get_user on the session
// key is u (nil: AnonymousUser, and no entry left).
func (c *cacheSite) wantDjangoUser(t *testing.T, key string, u *djangoUser) {
	t.Helper()
	var resp struct {
		User  *djangoUser `json:"user"`
		Entry bool        `json:"entry"`
	}
	c.run(t, "auth_get_user", map[string]string{"key": key}, &resp)
	if !reflect.DeepEqual(resp.User, u) {
		t.Fatalf("Django's get_user on session %s: %+v, want %+v", key, resp.User, u)
	}
	if resp.Entry != (u != nil) {
		t.Errorf("the session's cache entry exists: %v", resp.Entry)
	}
}

func TestFlashMessagesCrossBetweenGoAndDjangosCacheEngine(t *testing.T) {
	t.Parallel()
	for _, f := range cacheFormats {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			c := newCacheSite(t, f.name, f.codec, false)
			r := c.goApp(t, nil)
			goMsg := pyMessage{Level: 25, Message: "Enregistré en Go ✓", ExtraTags: "go", Tags: "go success"}
			q := url.Values{"level": {"25"}, "text": {goMsg.Message}, "tags": {goMsg.ExtraTags}}
			key := goRequest(t, r, "/add?"+q.Encode(), "")

			// Django adds one after Go's and reads both.
			djangoMsg := pyMessage{Level: 40, Message: "Mot de passe refusé", Tags: "danger"}
			var added struct {
				Key string `json:"key"`
			}
			c.run(t, "messages_add", map[string]any{"key": key, "messages": []pyMessage{djangoMsg}}, &added)
			if added.Key != key {
				t.Fatalf("Django moved the session from %s to %s", key, added.Key)
			}
			var read struct {
				Messages []pyMessage `json:"messages"`
				Left     *string     `json:"left"`
			}
			c.run(t, "messages_read", map[string]string{"key": key}, &read)
			if want := []pyMessage{goMsg, djangoMsg}; !reflect.DeepEqual(read.Messages, want) || read.Left != nil {
				t.Fatalf("Django reads %+v (left %v), want %+v", read.Messages, read.Left, want)
			}

			// Django adds to a new session; Go shows it, once.
			c.run(t, "messages_add", map[string]any{"messages": []pyMessage{djangoMsg}}, &added)
			if got := goRead(t, r, "/show", added.Key); !reflect.DeepEqual(got, []pyMessage{djangoMsg}) {
				t.Fatalf("Go shows %+v, want Django's %+v", got, djangoMsg)
			}
			if got := goRead(t, r, "/show", added.Key); len(got) != 0 {
				t.Fatalf("shown twice: %+v", got)
			}
		})
	}
}

// Django 4.0+'s RedisCache pickles at the highest protocol (5 on the
// Python here) and keeps the same keys; django_cache_side.py stores and
// reads a session as its RedisSerializer does, since Django 3.2 has no
// RedisCache.
func TestSessionsInRedisCachesFormatCrossBothWays(t *testing.T) {
	t.Parallel()
	c := newCacheSite(t, "pickle", djangocache.PickleCodec{}, false)
	var saved struct {
		Key string `json:"key"`
	}
	c.run(t, "rediscache_save", map[string]any{"json": `{"name": "Zoë", "big": 1180591620717411303424}`, "tuples": []string{}}, &saved)
	data := mustLoad(t, c.store, saved.Key)
	if !bytes.HasPrefix(data, []byte{0x80, 5}) {
		t.Errorf("RedisSerializer stored %.10q, not protocol 5", data)
	}
	r := c.goApp(t, nil)
	values := goGet(t, r, saved.Key)
	if values["name"] != "Zoë" || values["big"] != json.Number("1180591620717411303424") {
		t.Fatalf("Go reads %v", values)
	}
	goRequest(t, r, "/set?city=Zürich", saved.Key)
	var loaded struct {
		Repr string `json:"repr"`
	}
	c.run(t, "rediscache_load", map[string]string{"key": saved.Key}, &loaded)
	if want := `{'name': 'Zoë', 'big': 1180591620717411303424, 'city': 'Zürich'}`; loaded.Repr != want {
		t.Fatalf("RedisSerializer reads %s, want %s", loaded.Repr, want)
	}
}
