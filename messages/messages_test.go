package messages_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/messages"
)

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func texts(ms []messages.Message) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

func TestAMessageSurvivesARedirectOnEveryStore(t *testing.T) {
	for _, st := range everystore.All("gs_msg_") {
		t.Run(st.Name, func(t *testing.T) {
			b := newBrowser(t, newApp(t, st.Open(t)))
			got := b.add(form("level", "25", "text", "Profil enregistré ✓ 😀", "tag", "toast"))
			want := []messages.Message{{Level: messages.LevelSuccess, Text: "Profil enregistré ✓ 😀", ExtraTags: "toast", LevelTag: "success"}}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("after POST → 303 → GET the page shows %+v, want %+v", got, want)
			}
			if again := b.get("/show"); len(again) != 0 {
				t.Errorf("a consumed message showed again: %+v", again)
			}
		})
	}
}

func TestTwoBrowsersDoNotSeeEachOthersMessages(t *testing.T) {
	srv := newApp(t, newCounting())
	alice, bob := newBrowser(t, srv), newBrowser(t, srv)
	alice.get("/other")
	bob.get("/other")
	alice.post(form("text", "alice pending"))
	bob.post(form("text", "bob pending"))
	if got := texts(bob.get("/show")); !reflect.DeepEqual(got, []string{"bob pending"}) {
		t.Errorf("bob sees %q", got)
	}
	if got := texts(alice.get("/show")); !reflect.DeepEqual(got, []string{"alice pending"}) {
		t.Errorf("alice sees %q", got)
	}
	if got := newBrowser(t, srv).get("/show"); len(got) != 0 {
		t.Errorf("a new browser sees %+v", got)
	}
}

func TestAPageThatDoesNotConsumeKeepsTheMessages(t *testing.T) {
	b := newBrowser(t, newApp(t, newCounting()))
	b.post(form("text", "first"))
	b.post(form("text", "second", "level", "40"))
	b.get("/other")
	if got := texts(b.get("/peek")); !reflect.DeepEqual(got, []string{"first", "second"}) {
		t.Fatalf("peek shows %q", got)
	}
	if got := texts(b.get("/show")); !reflect.DeepEqual(got, []string{"first", "second"}) {
		t.Fatalf("after pages that did not consume, the page shows %q, want both, oldest first", got)
	}
	if got := b.get("/show"); len(got) != 0 {
		t.Fatalf("shown twice: %+v", got)
	}
}

func TestTheSessionIsNotWrittenWhenNothingIsAddedOrConsumed(t *testing.T) {
	st := newCounting()
	b := newBrowser(t, newApp(t, st))
	b.post(form("text", "pending"))
	for _, tc := range []struct {
		name string
		do   func()
	}{
		{"a page that ignores messages", func() { b.get("/other") }},
		{"a page that peeks", func() { b.get("/peek") }},
		{"a message below the minimum level", func() { b.post(form("level", "10", "text", "debug")) }},
		{"an empty message", func() { b.post(form("text", "")) }},
	} {
		before := st.writes.Load()
		tc.do()
		if n := st.writes.Load() - before; n != 0 {
			t.Errorf("%s wrote the session %d time(s)", tc.name, n)
		}
	}
	b.get("/show")
	before := st.writes.Load()
	if got := b.get("/show"); len(got) != 0 {
		t.Fatalf("shown twice: %+v", got)
	}
	if n := st.writes.Load() - before; n != 0 {
		t.Errorf("consuming when nothing is pending wrote the session %d time(s)", n)
	}
}

func TestMinimumLevel(t *testing.T) {
	debug := form("level", "10", "text", "debug")
	t.Run("Django's default drops debug messages", func(t *testing.T) {
		if got := newBrowser(t, newApp(t, newCounting())).add(debug); len(got) != 0 {
			t.Fatalf("shown %+v", got)
		}
	})
	t.Run("WithMinLevel lowers it for every request", func(t *testing.T) {
		got := newBrowser(t, newApp(t, newCounting(), messages.WithMinLevel(messages.LevelDebug))).add(debug)
		if len(got) != 1 || got[0].LevelTag != "debug" {
			t.Fatalf("shown %+v", got)
		}
	})
	t.Run("SetMinLevel lowers it for one request", func(t *testing.T) {
		got := newBrowser(t, newApp(t, newCounting())).add(form("level", "10", "text", "debug", "min", "1"))
		if len(got) != 1 {
			t.Fatalf("shown %+v", got)
		}
	})
	t.Run("WithMinLevel raises it", func(t *testing.T) {
		got := newBrowser(t, newApp(t, newCounting(), messages.WithMinLevel(messages.LevelError))).add(form("level", "30", "text", "warning"))
		if len(got) != 0 {
			t.Fatalf("shown %+v", got)
		}
	})
}

func TestTagsAreTheExtraTagsThenTheLevelTag(t *testing.T) {
	srv := newApp(t, newCounting(), messages.WithLevelTags(map[messages.Level]string{messages.LevelError: "danger", 35: "notice"}))
	b := newBrowser(t, srv)
	b.post(form("level", "25", "text", "a", "tag", "toast", "tag", "wide"))
	b.post(form("level", "40", "text", "b"))
	b.post(form("level", "35", "text", "c", "tag", "x"))
	b.post(form("level", "99", "text", "d"))
	b.post(form("level", "99", "text", "e", "tag", "only"))
	var got []string
	for _, m := range b.get("/show") {
		got = append(got, m.Tags())
	}
	want := []string{"toast wide success", "danger", "x notice", "", "only"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tags %q, want %q", got, want)
	}
}

// TestConcurrentAddsInOneRequestAreAllKeptAndConsumedOnce has goroutines of
// one request add messages at once, then goroutines of another consume at
// once: every message is kept, and each is consumed by exactly one of them.
func TestConcurrentAddsInOneRequestAreAllKeptAndConsumedOnce(t *testing.T) {
	const goroutines, each = 8, 20
	r := gin.New()
	r.Use(ginsession.New(newCounting()))
	r.GET("/add", func(c *gin.Context) {
		fanOut(goroutines, func(g int) {
			for i := range each {
				if err := messages.Info(c, fmt.Sprintf("%d-%d", g, i)); err != nil {
					t.Error(err)
				}
			}
		})
		c.JSON(http.StatusOK, shown{})
	})
	seen := map[string]int{}
	var mu sync.Mutex
	r.GET("/consume", func(c *gin.Context) {
		fanOut(goroutines, func(int) {
			for range each {
				ms, err := messages.Consume(c)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				for _, m := range ms {
					seen[m.Text]++
				}
				mu.Unlock()
			}
		})
		c.JSON(http.StatusOK, shown{})
	})
	b := newBrowser(t, r)
	b.get("/add")
	b.get("/consume")
	for g := range goroutines {
		for i := range each {
			if k := fmt.Sprintf("%d-%d", g, i); seen[k] != 1 {
				t.Errorf("message %s consumed %d times, want once", k, seen[k])
			}
		}
	}
}

// fanOut runs f(0) ... f(n-1) at once and waits for them.
func fanOut(n int, f func(int)) {
	var wg sync.WaitGroup
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(g)
		}()
	}
	wg.Wait()
}

func render(t *testing.T, text string, data any) string {
	t.Helper()
	var b strings.Builder
	if err := template.Must(template.New("").Parse(text)).Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHTMLTemplatesEscapeTheTextUnlessItWasAddedSafe(t *testing.T) {
	b := newBrowser(t, newApp(t, newCounting()))
	const markup = `<b onclick="x()">hi</b> & <script>`
	b.post(form("text", markup))
	b.post(form("text", "<em>trusted</em>", "safe", "1"))
	ms := b.get("/show")
	if len(ms) != 2 || ms[0].Safe || !ms[1].Safe {
		t.Fatalf("read %+v", ms)
	}
	out := render(t, `{{range .}}[{{.Text}}|{{.HTML}}]{{end}}`, ms)
	want := `[&lt;b onclick=&#34;x()&#34;&gt;hi&lt;/b&gt; &amp; &lt;script&gt;|&lt;b onclick=&#34;x()&#34;&gt;hi&lt;/b&gt; &amp; &lt;script&gt;]` +
		`[&lt;em&gt;trusted&lt;/em&gt;|<em>trusted</em>]`
	if out != want {
		t.Fatalf("rendered\n%s\nwant\n%s", out, want)
	}
	if strings.Contains(out, "<b") || strings.Contains(out, "<script") {
		t.Fatal("unsafe markup rendered raw")
	}
}
