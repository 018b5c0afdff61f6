package gincontrib_test

import (
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gin-contrib/sessions"
	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/contrib/gincontrib"
	"github.com/ginsession/ginsession/internal/testenv"
)

var since = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("", 2*3600))

// typedValues are values handlers assert back to their Go type.
var typedValues = map[string]any{
	"int":       42,
	"int64":     int64(1) << 40,
	"int8":      int8(-7),
	"uint64":    uint64(1) << 63,
	"float32":   float32(0.1),
	"float64":   2.5,
	"whole":     3.0,
	"string":    "héllo",
	"bool":      true,
	"strings":   []string{"a", "b"},
	"ints":      []int{1, 2, 3},
	"bytes":     []byte{0, 1, 254},
	"map":       map[string]int{"x": 1},
	"time":      since,
	"duration":  90 * time.Second,
	"user":      User{ID: 7, Name: "ana", Roles: []string{"admin"}, Since: since},
	"userp":     &User{ID: 8, Name: "bo"},
	"mixed":     []any{"a", int64(5), 1.5},
	"empty":     []string{},
	"nilstring": []string(nil),
}

// TestValuesAssertToTheirTypeAfterAReload sets every value in one request
// and reads each back in the next, from a real store, as the handler's own
// type assertion would.
func TestValuesAssertToTheirTypeAfterAReload(t *testing.T) {
	for _, store := range []struct {
		name string
		use  func(t *testing.T) gin.HandlerFunc
	}{
		{"memstore", func(t *testing.T) gin.HandlerFunc {
			return gincontrib.Sessions("s", newMemstore(t), gincontrib.WithTypes(User{}, &User{}))
		}},
		{"redis", func(t *testing.T) gin.HandlerFunc {
			return gincontrib.Sessions("s", newRedis9Store(t), gincontrib.WithTypes(User{}, &User{}))
		}},
		{"cookie", func(t *testing.T) gin.HandlerFunc {
			return gincontrib.Sessions("s", newCookiestore(t), gincontrib.WithTypes(User{}, &User{}),
				gincontrib.WithSessionOptions(ginsession.WithSecretKey(secret)))
		}},
	} {
		t.Run(store.name, func(t *testing.T) {
			r := gin.New()
			r.Use(store.use(t))
			r.GET("/set", func(c *gin.Context) {
				s := sessions.Default(c)
				for k, v := range typedValues {
					s.Set(k, v)
				}
			})
			var got map[string]any
			r.GET("/get", func(c *gin.Context) {
				s := sessions.Default(c)
				got = map[string]any{}
				for k := range typedValues {
					got[k] = s.Get(k)
				}
			})
			srv := serve(t, r)
			b := newBrowser(t)
			b.get(srv.URL + "/set")
			b.get(srv.URL + "/get")
			for k, want := range typedValues {
				if reflect.TypeOf(got[k]) != reflect.TypeOf(want) {
					t.Errorf("%s: read back a %T, set a %T", k, got[k], want)
					continue
				}
				if k == "nilstring" {
					if len(got[k].([]string)) != 0 {
						t.Errorf("nilstring: read back %#v", got[k])
					}
					continue // the codec writes a nil slice as [], which reads back empty
				}
				if k == "time" {
					if !got[k].(time.Time).Equal(since) {
						t.Errorf("time: read back %v, set %v", got[k], since)
					}
					continue
				}
				if k == "user" {
					u := got[k].(User)
					if !u.Since.Equal(since) || u.ID != 7 || u.Name != "ana" || !reflect.DeepEqual(u.Roles, []string{"admin"}) {
						t.Errorf("user: read back %+v", u)
					}
					continue
				}
				if !reflect.DeepEqual(got[k], want) {
					t.Errorf("%s: read back %#v, set %#v", k, got[k], want)
				}
			}
		})
	}
}

// TestAStructOfAnUnregisteredTypeComesBackAsAMapAndReadsWithGet shows what
// the package doc promises without WithTypes: the JSON shape, a warning
// naming the type, and ginsession.Get[T] as the typed read.
func TestAStructOfAnUnregisteredTypeComesBackAsAMapAndReadsWithGet(t *testing.T) {
	var logs testenv.LogBuffer
	r := gin.New()
	r.Use(gincontrib.Sessions("s", newMemstore(t), gincontrib.WithLogger(logs.Logger())))
	r.GET("/set", func(c *gin.Context) { sessions.Default(c).Set("user", User{ID: 7, Name: "ana"}) })
	var raw any
	var typed User
	var ok bool
	r.GET("/get", func(c *gin.Context) {
		s := sessions.Default(c)
		raw = s.Get("user")
		typed, ok = ginsession.Get[User](gincontrib.Underlying(s), "user")
	})
	srv := serve(t, r)
	b := newBrowser(t)
	b.get(srv.URL + "/set")
	b.get(srv.URL + "/get")
	if _, isMap := raw.(map[string]any); !isMap {
		t.Errorf("an unregistered struct read back as %T, not its JSON shape", raw)
	}
	if !ok || typed.ID != 7 || typed.Name != "ana" {
		t.Errorf("ginsession.Get[User] = %+v, %v", typed, ok)
	}
	if w := logs.Lines(-4 + 8); len(w) != 1 || !strings.Contains(w[0], "gincontrib_test.User") {
		t.Errorf("want one warning naming the type, got %q", w)
	}
}

// TestNonStringKeysAreRefusedNamingTheirType checks Get, Set and Delete
// panic with ErrKeyNotString and the type, and that a key of a string type
// is the same key as its string.
func TestNonStringKeysAreRefusedNamingTheirType(t *testing.T) {
	type myKey string
	r := gin.New()
	r.Use(gincontrib.Sessions("s", newMemstore(t)))
	var errs []error
	var viaNamed any
	r.GET("/", func(c *gin.Context) {
		s := sessions.Default(c)
		for _, op := range []func(){
			func() { s.Get(42) },
			func() { s.Set(struct{ A int }{1}, "v") },
			func() { s.Delete(3.5) },
		} {
			func() {
				defer func() {
					err, _ := recover().(error)
					errs = append(errs, err)
				}()
				op()
			}()
		}
		s.Set(myKey("k"), "v")
		viaNamed = s.Get("k")
	})
	srv := serve(t, r)
	newBrowser(t).get(srv.URL + "/")
	for i, typ := range []string{"int", "struct { A int }", "float64"} {
		if !errors.Is(errs[i], gincontrib.ErrKeyNotString) || !strings.Contains(errs[i].Error(), typ) {
			t.Errorf("key of type %s: panicked with %v", typ, errs[i])
		}
	}
	if viaNamed != "v" {
		t.Errorf("a myKey(\"k\") key is not the key \"k\": got %v", viaNamed)
	}
}

// TestFlashesKeepTheirTypesAndEmpty adds flashes of several types in one
// request and reads them in the next, then finds none.
func TestFlashesKeepTheirTypesAndEmpty(t *testing.T) {
	r := gin.New()
	r.Use(gincontrib.Sessions("s", newMemstore(t)))
	r.GET("/add", func(c *gin.Context) {
		s := sessions.Default(c)
		s.AddFlash("saved")
		s.AddFlash(int64(3))
		s.AddFlash("to the other list", "other")
	})
	r.GET("/read", func(c *gin.Context) {
		s := sessions.Default(c)
		c.String(http.StatusOK, "%#v %#v", s.Flashes(), s.Flashes("other"))
	})
	srv := serve(t, r)
	b := newBrowser(t)
	b.get(srv.URL + "/add")
	if _, body, _ := b.get(srv.URL + "/read"); body != `[]interface {}{"saved", 3} []interface {}{"to the other list"}` {
		t.Errorf("first read: %s", body)
	}
	_, body, _ := b.get(srv.URL + "/read")
	if body != "[]interface {}(nil) []interface {}(nil)" {
		t.Errorf("second read: %s", body)
	}
	// The 3 came back as an int64, not the int a reload gives.
	r.GET("/typed", func(c *gin.Context) {
		s := sessions.Default(c)
		s.AddFlash(int64(3))
		c.String(http.StatusOK, "")
	})
	r.GET("/type", func(c *gin.Context) { c.String(http.StatusOK, "%T", sessions.Default(c).Flashes()[0]) })
	b.get(srv.URL + "/typed")
	if _, body, _ := b.get(srv.URL + "/type"); body != "int64" {
		t.Errorf("a flashed int64 came back as %s", body)
	}
}

// TestAValueThatWouldNotReadBackFailsTheSaveNamingItsKey sets a struct
// with an unexported field, which JSON would drop: the save fails, naming
// the key and the field and never the value, as in ginsession.
func TestAValueThatWouldNotReadBackFailsTheSaveNamingItsKey(t *testing.T) {
	type secretive struct {
		Shown  int
		hidden string
	}
	var logs testenv.LogBuffer
	r := gin.New()
	r.Use(gincontrib.Sessions("s", newMemstore(t), gincontrib.WithLogger(logs.Logger())))
	r.GET("/", func(c *gin.Context) {
		sessions.Default(c).Set("fine", secretive{Shown: 1})
		sessions.Default(c).Set("kept-badly", secretive{Shown: 1, hidden: "the-value"})
		c.String(http.StatusOK, "saved?")
	})
	srv := serve(t, r)
	status, _, _ := newBrowser(t).get(srv.URL + "/")
	all := logs.String()
	if status != http.StatusInternalServerError || !strings.Contains(all, "kept-badly") || !strings.Contains(all, "secretive.hidden") || strings.Contains(all, "the-value") {
		t.Errorf("want a 500 and an error naming the key and the field, not the value; got %d and %s", status, all)
	}
}
