package e2e_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redisstore"
)

func init() { gin.SetMode(gin.TestMode) }

// storeCase opens one kind of store for a test.
type storeCase struct {
	name string
	open func(t *testing.T) stores.Store
}

var storeCases = []storeCase{
	{"memory", func(t *testing.T) stores.Store { return testenv.Must(memstore.New()) }},
	{"redis", func(t *testing.T) stores.Store {
		client := testenv.Redis(t)
		s, err := redisstore.New(client, redisstore.WithPrefix(testenv.RedisPrefix(t, client, "e2e-ws")))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// site is a gin.Engine behind a real listener, with a login, a logout, a
// page that shows the session, and WebSocket endpoints that change the
// session the ways an upgrade request can before upgrading with one library.
type site struct {
	t       *testing.T
	url     string
	store   stores.Store
	logs    *testenv.LogBuffer
	results chan error // each upgrade handler's outcome, in order
}

// newSite starts the site; hold, when set, runs in the upgrade handler after
// the session change and before the upgrade.
func newSite(t *testing.T, store stores.Store, lib library, hold func()) *site {
	t.Helper()
	st := &site{t: t, store: store, logs: &testenv.LogBuffer{}, results: make(chan error, 1024)}
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithLogger(st.logs.Logger())))
	r.GET("/login", func(c *gin.Context) {
		s := ginsession.From(c)
		if err := s.CycleKey(); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		s.Set("user", "alice")
		c.String(http.StatusOK, "ok")
	})
	r.GET("/logout", func(c *gin.Context) {
		if err := ginsession.From(c).Flush(); err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "bye")
	})
	r.GET("/whoami", func(c *gin.Context) {
		s := ginsession.From(c)
		user, _ := ginsession.Get[string](s, "user")
		room, _ := ginsession.Get[string](s, "room")
		c.String(http.StatusOK, user+"|"+room)
	})
	r.GET("/ws/:change", func(c *gin.Context) {
		s := ginsession.From(c)
		var err error
		switch c.Param("change") {
		case "write": // a new session, or a change to the one there
			s.Set("room", "lobby")
		case "cycle": // privileges change at the upgrade
			if err = s.CycleKey(); err == nil {
				s.Set("room", "lobby")
			}
		case "flush":
			err = s.Flush()
		case "read":
			s.Get("user")
		}
		if hold != nil {
			hold()
		}
		if err == nil {
			err = lib.upgrade(c)
		}
		st.results <- err
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	st.url = srv.URL
	return st
}

// get requests path with the session cookie key (none when "") and returns
// the body and the session cookie the response set, if any.
func (st *site) get(path, key string) (string, *http.Cookie) {
	st.t.Helper()
	req, err := http.NewRequest(http.MethodGet, st.url+path, nil)
	if err != nil {
		st.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Cookie", "sessionid="+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		st.t.Fatal(err)
	}
	return string(body), sessionCookie(resp.Header)
}

// login makes a logged-in session and returns its key.
func (st *site) login() string {
	st.t.Helper()
	_, ck := st.get("/login", "")
	if ck == nil || ck.Value == "" {
		st.t.Fatal("login set no session cookie")
	}
	return ck.Value
}

// whoami is what the session under key holds: "user|room".
func (st *site) whoami(key string) string {
	st.t.Helper()
	body, _ := st.get("/whoami", key)
	return body
}

// exists reports whether the store holds a record under key.
func (st *site) exists(key string) bool {
	st.t.Helper()
	ok, err := st.store.Exists(context.Background(), key)
	if err != nil {
		st.t.Fatal(err)
	}
	return ok
}

// upgrade dials /ws/change with lib's client and the session cookie key,
// and returns the handshake response and the handler's outcome.
func (st *site) upgrade(lib library, change, key string) (resp *http.Response, dialErr, handlerErr error) {
	st.t.Helper()
	h := http.Header{}
	if key != "" {
		h.Set("Cookie", "sessionid="+key)
	}
	resp, msg, dialErr := lib.dial("ws"+strings.TrimPrefix(st.url, "http")+"/ws/"+change, h)
	if dialErr == nil && msg != greeting {
		st.t.Fatalf("upgraded connection sent %q, want %q", msg, greeting)
	}
	if resp == nil {
		st.t.Fatalf("%s dial of /ws/%s: no handshake response: %v", lib.name, change, dialErr)
	}
	return resp, dialErr, <-st.results
}

// sessionCookie is the sessionid cookie a response header sets, or nil.
func sessionCookie(h http.Header) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "sessionid" {
			return c
		}
	}
	return nil
}
