package messages_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/messages"
	"github.com/ginsession/ginsession/stores/memstore"
)

// A form posts, the handler adds a message and redirects (303), and the
// page the browser lands on shows it once. The template escapes the text.
func Example() {
	page := template.Must(template.New("page").Parse(
		`{{range .}}<p class="{{.Tags}}">{{.Text}}</p>{{end}}` + "\n"))

	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.POST("/profile", func(c *gin.Context) {
		if err := messages.Success(c, "Profile <saved>.", "toast"); err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		c.Redirect(http.StatusSeeOther, "/profile")
	})
	r.GET("/profile", func(c *gin.Context) {
		pending, err := messages.Consume(c) // shown once, then gone from the session
		if err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		_ = page.Execute(os.Stdout, pending) // html/template: the text is escaped
		c.Status(http.StatusOK)
	})

	post := httptest.NewRecorder()
	r.ServeHTTP(post, httptest.NewRequest(http.MethodPost, "/profile", nil))
	cookie := post.Result().Cookies()[0]
	fmt.Println(post.Code, post.Header().Get("Location"))

	for range 2 { // the second visit shows nothing: the message was consumed
		get := httptest.NewRequest(http.MethodGet, "/profile", nil)
		get.AddCookie(cookie)
		r.ServeHTTP(httptest.NewRecorder(), get)
	}
	// Output:
	// 303 /profile
	// <p class="toast success">Profile &lt;saved&gt;.</p>
}

// Django's MESSAGE_LEVEL and MESSAGE_TAGS are options of the optional
// middleware; SetMinLevel changes the level for one request.
func ExampleNew() {
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.Use(messages.New(
		messages.WithMinLevel(messages.LevelDebug),
		messages.WithLevelTags(map[messages.Level]string{messages.LevelError: "danger"}),
	))
	r.GET("/", func(c *gin.Context) {
		_ = messages.Debug(c, "kept: the minimum is DEBUG")
		_ = messages.Error(c, "Disk full")
		pending, _ := messages.Peek(c)
		for _, m := range pending {
			fmt.Printf("%d %s: %s\n", m.Level, m.Tags(), m)
		}
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	// Output:
	// 10 debug: kept: the minimum is DEBUG
	// 40 danger: Disk full
}

// A message the application writes as HTML renders as HTML through
// Message.HTML; Text is still escaped.
func ExampleAddSafe() {
	r := gin.New()
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r.Use(ginsession.New(store))
	r.GET("/", func(c *gin.Context) {
		_ = messages.AddSafe(c, messages.LevelInfo, `Deleted. <a href="/undo">Undo</a>`)
		_ = messages.Info(c, "<b>user text</b>")
		pending, _ := messages.Consume(c)
		t := template.Must(template.New("").Parse(`{{range .}}{{.HTML}} | {{.Text}}` + "\n" + `{{end}}`))
		_ = t.Execute(os.Stdout, pending)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	// Output:
	// Deleted. <a href="/undo">Undo</a> | Deleted. &lt;a href=&#34;/undo&#34;&gt;Undo&lt;/a&gt;
	// &lt;b&gt;user text&lt;/b&gt; | &lt;b&gt;user text&lt;/b&gt;
}
