package messages_test

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/messages"
	"github.com/ginsession/ginsession/sessiontest"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

func init() { gin.SetMode(gin.TestMode) }

// secret signs the cookie store's sessions.
const secret = "messages-test-secret-0123456789abcdef"

// shown is what GET /show and /peek answer: the messages they read.
type shown struct {
	Messages []messages.Message
	Error    string
}

// newApp serves a site on store: POST /add adds the form's message and
// redirects (303) to /show, which consumes the pending messages; /peek
// reads them without consuming; /other ignores them.
func newApp(t *testing.T, store stores.Store, opts ...messages.Option) *gin.Engine {
	t.Helper()
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithSecretKey(secret)), messages.New(opts...))
	r.POST("/add", func(c *gin.Context) {
		lvl := messages.LevelInfo
		if l := c.PostForm("level"); l != "" {
			n, err := json.Number(l).Int64()
			if err != nil {
				c.String(http.StatusBadRequest, err.Error())
				return
			}
			lvl = messages.Level(n)
		}
		if c.PostForm("min") != "" {
			messages.SetMinLevel(c, messages.LevelDebug)
		}
		var err error
		if c.PostForm("safe") != "" {
			err = messages.AddSafe(c, lvl, template.HTML(c.PostForm("text")), c.PostFormArray("tag")...)
		} else {
			err = messages.Add(c, lvl, c.PostForm("text"), c.PostFormArray("tag")...)
		}
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.Redirect(http.StatusSeeOther, "/show")
	})
	read := func(f func(*gin.Context) ([]messages.Message, error)) gin.HandlerFunc {
		return func(c *gin.Context) {
			ms, err := f(c)
			out := shown{Messages: ms}
			if err != nil {
				out.Error = err.Error()
			}
			c.JSON(http.StatusOK, out)
		}
	}
	r.GET("/show", read(messages.Consume))
	r.GET("/peek", read(messages.Peek))
	r.GET("/other", func(c *gin.Context) { c.String(http.StatusOK, "nothing to see") })
	return r
}

// browser is a sessiontest client (a cookie jar of its own) that follows
// redirects, as a browser does.
type browser struct {
	t *testing.T
	c *sessiontest.Client
}

func newBrowser(t *testing.T, h http.Handler) *browser {
	c := sessiontest.NewClient(t, h)
	c.FollowRedirects = true
	return &browser{t: t, c: c}
}

// add posts a message and returns the messages of the page the redirect
// lands on.
func (b *browser) add(form url.Values) []messages.Message {
	b.t.Helper()
	return b.decode(b.c.PostForm("/add", form), "/show")
}

// post posts a message without following the redirect.
func (b *browser) post(form url.Values) {
	b.t.Helper()
	b.c.FollowRedirects = false
	defer func() { b.c.FollowRedirects = true }()
	b.c.PostForm("/add", form).ExpectStatus(http.StatusSeeOther)
}

func (b *browser) get(path string) []messages.Message {
	b.t.Helper()
	return b.decode(b.c.Get(path), path)
}

func (b *browser) decode(resp *sessiontest.Response, wantPath string) []messages.Message {
	b.t.Helper()
	if resp.Code != http.StatusOK || resp.URL.Path != wantPath {
		b.t.Fatalf("%s answered %d, want 200 from %s", resp.URL.Path, resp.Code, wantPath)
	}
	if wantPath == "/other" {
		return nil
	}
	var out shown
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
		b.t.Fatal(err)
	}
	if out.Error != "" {
		b.t.Fatalf("%s: %s", wantPath, out.Error)
	}
	return out.Messages
}

// countingStore counts the writes that reach a store.
type countingStore struct {
	stores.Store
	writes atomic.Int64
}

func (s *countingStore) Create(ctx context.Context, key string, data []byte, exp time.Time) error {
	s.writes.Add(1)
	return s.Store.Create(ctx, key, data, exp)
}

func (s *countingStore) Update(ctx context.Context, key string, data []byte, exp time.Time) error {
	s.writes.Add(1)
	return s.Store.Update(ctx, key, data, exp)
}

func (s *countingStore) Delete(ctx context.Context, key string) error {
	s.writes.Add(1)
	return s.Store.Delete(ctx, key)
}

func newCounting() *countingStore { return &countingStore{Store: testenv.Must(memstore.New())} }
