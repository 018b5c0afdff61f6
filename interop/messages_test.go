package interop

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/messages"
)

// The messages tests add flash messages on one side and read them on the
// other, through a django_session row: Django's SessionStorage on one side,
// the messages package on the other.

// pyMessage is a message as each side sees it: Django's Message attributes.
type pyMessage struct {
	Level     int    `json:"level"`
	Message   string `json:"message"`
	ExtraTags string `json:"extra_tags"`
	Tags      string `json:"tags"`
	Safe      bool   `json:"safe"`
}

// djangoTags are interop_settings.MESSAGE_TAGS.
var djangoTags = map[messages.Level]string{35: "notice", messages.LevelError: "danger"}

// sampleMessages cover Django's levels, a custom one, extra tags, non-ASCII
// text, characters JSON escapes, and a safe string.
var sampleMessages = []pyMessage{
	{Level: 25, Message: "Bienvenue, Zoë 😀", Tags: "success"},
	{Level: 35, Message: `quote " backslash \ line` + "\u2028" + "tab\t", ExtraTags: "sticky wide", Tags: "sticky wide notice"},
	{Level: 40, Message: "Mot de passe refusé", Tags: "danger"},
	{Level: 20, Message: `<a href="/undo">Undo</a> & more`, ExtraTags: "undo", Tags: "undo info", Safe: true},
	{Level: 20, Message: `<script>alert(1)</script>`, Tags: "info"},
}

// messagesApp is a Go service on the shared table: GET /add adds the
// query's message, GET /show consumes and answers the messages as Django's
// attributes, GET /peek reads them without consuming.
func (d djangoDB) messagesApp(t *testing.T) *gin.Engine {
	t.Helper()
	r := gin.New()
	r.Use(ginsession.New(d.store, ginsession.WithCodec(ginsession.DjangoCodec(secret))), messages.New(messages.WithLevelTags(djangoTags)))
	r.GET("/add", func(c *gin.Context) {
		level, err := strconv.Atoi(c.Query("level"))
		if err != nil {
			c.String(http.StatusBadRequest, err.Error())
			return
		}
		if c.Query("safe") != "" {
			err = messages.AddSafe(c, messages.Level(level), template.HTML(c.Query("text")), c.Query("tags"))
		} else {
			err = messages.Add(c, messages.Level(level), c.Query("text"), c.Query("tags"))
		}
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, "added")
	})
	read := func(f func(*gin.Context) ([]messages.Message, error)) gin.HandlerFunc {
		return func(c *gin.Context) {
			ms, err := f(c)
			if err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
			out := []pyMessage{}
			for _, m := range ms {
				out = append(out, pyMessage{Level: int(m.Level), Message: m.Text, ExtraTags: m.ExtraTags, Tags: m.Tags(), Safe: m.Safe})
			}
			c.JSON(http.StatusOK, out)
		}
	}
	r.GET("/show", read(messages.Consume))
	r.GET("/peek", read(messages.Peek))
	return r
}

// goAdd adds m on the Go side to the session key ("" for a new one) and
// returns the session's key.
func goAdd(t *testing.T, r http.Handler, key string, m pyMessage) string {
	t.Helper()
	q := url.Values{"level": {strconv.Itoa(m.Level)}, "text": {m.Message}, "tags": {m.ExtraTags}}
	if m.Safe {
		q.Set("safe", "1")
	}
	code, body, cookie := serve(t, r, http.MethodGet, "/add?"+q.Encode(), key)
	if code != http.StatusOK {
		t.Fatalf("Go add: %d %q", code, body)
	}
	if cookie != nil {
		key = cookie.Value
	}
	return key
}

// goRead answers the Go side's /show or /peek for the session key.
func goRead(t *testing.T, r http.Handler, path, key string) []pyMessage {
	t.Helper()
	code, body, _ := serve(t, r, http.MethodGet, path, key)
	if code != http.StatusOK {
		t.Fatalf("Go %s: %d %q", path, code, body)
	}
	var out []pyMessage
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("Go %s: %q: %v", path, body, err)
	}
	return out
}

type pyRead struct {
	Messages []pyMessage `json:"messages"`
	Raw      *string     `json:"raw"`
	Left     *string     `json:"left"`
}

func (d djangoDB) djangoReadMessages(t *testing.T, key string) pyRead {
	t.Helper()
	var resp pyRead
	d.env.run(t, "messages_read", map[string]string{"key": key}, &resp)
	return resp
}

func (d djangoDB) djangoAddMessages(t *testing.T, key string, ms []pyMessage) (string, string) {
	t.Helper()
	req := map[string]any{"messages": ms}
	if key != "" {
		req["key"] = key
	}
	var resp struct {
		Key string `json:"key"`
		Raw string `json:"raw"`
	}
	d.env.run(t, "messages_add", req, &resp)
	return resp.Key, resp.Raw
}

func TestMessagesAddedInGoAreReadByDjangosSessionStorage(t *testing.T) {
	t.Parallel()
	d := newDjangoDB(t, mariaDB)
	r := d.messagesApp(t)
	key := ""
	for _, m := range sampleMessages {
		key = goAdd(t, r, key, m)
	}
	got := d.djangoReadMessages(t, key)
	if !reflect.DeepEqual(got.Messages, sampleMessages) {
		t.Fatalf("Django's SessionStorage read\n%+v\nwant\n%+v\n(raw %v)", got.Messages, sampleMessages, got.Raw)
	}
	if got.Raw == nil || !strings.HasPrefix(*got.Raw, `[["__json_message", 0, 25, "Bienvenue, Zo\u00eb \ud83d\ude00", ""], `) {
		t.Errorf("the session holds %v, not MessageEncoder's string", got.Raw)
	}
	if got.Left != nil {
		t.Errorf("Django's iteration left %q in the session", *got.Left)
	}
	if left := goRead(t, r, "/show", key); len(left) != 0 {
		t.Errorf("Go shows %+v after Django consumed them", left)
	}
}

func TestMessagesAddedByDjangoAreReadInGo(t *testing.T) {
	t.Parallel()
	d := newDjangoDB(t, mariaDB)
	r := d.messagesApp(t)
	// One added in Go first: Django appends to it, as to its own.
	first := pyMessage{Level: 30, Message: "Added in Go ✓", ExtraTags: "go", Tags: "go warning"}
	key := goAdd(t, r, "", first)
	key2, raw := d.djangoAddMessages(t, key, sampleMessages)
	if key2 != key {
		t.Fatalf("Django moved the session from %s to %s", key, key2)
	}
	want := append([]pyMessage{first}, sampleMessages...)
	if got := goRead(t, r, "/peek", key); !reflect.DeepEqual(got, want) {
		t.Fatalf("Go reads\n%+v\nwant\n%+v\n(Django stored %s)", got, want, raw)
	}
	if got := goRead(t, r, "/show", key); !reflect.DeepEqual(got, want) {
		t.Fatalf("Go consumes\n%+v\nwant\n%+v", got, want)
	}
	if got := goRead(t, r, "/show", key); len(got) != 0 {
		t.Errorf("shown twice: %+v", got)
	}
	if after := d.djangoReadMessages(t, key); len(after.Messages) != 0 || after.Raw != nil {
		t.Errorf("Django still finds %+v (raw %v) after Go consumed them", after.Messages, after.Raw)
	}
}

func TestADjangoMessageOnANewSessionIsReadInGo(t *testing.T) {
	t.Parallel()
	d := newDjangoDB(t, mariaDB)
	r := d.messagesApp(t)
	key, _ := d.djangoAddMessages(t, "", []pyMessage{{Level: 25, Message: "Enregistré", Tags: "success"}, {Level: 10, Message: "below MESSAGE_LEVEL"}})
	got := goRead(t, r, "/show", key)
	want := []pyMessage{{Level: 25, Message: "Enregistré", Tags: "success"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Go reads %+v, want %+v", got, want)
	}
}
