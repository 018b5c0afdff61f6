package csrf_test

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/csrf"
	"github.com/ginsession/ginsession/stores/memstore"
)

// A form page and the handler it posts to: the post passes with the page's
// token and is refused without it.
func ExampleNew() {
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store), csrf.New())
	r.GET("/comment", func(c *gin.Context) {
		field, err := csrf.Field(c) // before the response is written
		if err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(`<form method="post">`+string(field)+`<textarea name="text"></textarea></form>`))
	})
	r.POST("/comment", func(c *gin.Context) { c.String(http.StatusOK, "saved") })

	// The browser opens the page: a session, and the token in the form.
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/comment", nil))
	cookie := w.Result().Cookies()[0]
	page := w.Body.String()
	token := page[strings.Index(page, `value="`)+7:][:csrf.TokenLength]

	post := func(form url.Values) {
		req := httptest.NewRequest(http.MethodPost, "/comment", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(cookie)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(w.Code, strings.TrimSpace(w.Body.String()))
	}
	post(url.Values{"text": {"hello"}, "csrfmiddlewaretoken": {token}})
	post(url.Values{"text": {"forged"}})
	// Output:
	// 200 saved
	// 403 Forbidden (403): CSRF verification failed. Request aborted.
}

// An API group takes the token from the X-CSRFToken header only, and a
// webhook is exempt. The secret lives in the csrftoken cookie here, as a
// Django site's JavaScript expects.
func ExampleHeaderOnly() {
	r := gin.New()
	r.Use(csrf.New(csrf.WithCookieStorage()))
	r.GET("/app", func(c *gin.Context) {
		token, err := csrf.Token(c)
		if err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		c.String(http.StatusOK, token) // a real page puts it where its script finds it
	})
	api := r.Group("/api", csrf.HeaderOnly)
	api.POST("/notes", func(c *gin.Context) { c.String(http.StatusCreated, "created") })
	r.POST("/hooks/payment", csrf.Exempt, func(c *gin.Context) { c.String(http.StatusOK, "checked its own signature") })

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/app", nil))
	cookie, token := w.Result().Cookies()[0], w.Body.String()
	fmt.Println(cookie.Name, cookie.MaxAge, cookie.HttpOnly)

	call := func(path string, header bool) {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"text":"hi"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(cookie)
		if header {
			req.Header.Set("X-CSRFToken", token)
		}
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		fmt.Println(path, w.Code)
	}
	call("/api/notes", true)
	call("/api/notes", false)
	call("/hooks/payment", false)
	// Output:
	// csrftoken 31449600 false
	// /api/notes 201
	// /api/notes 403
	// /hooks/payment 200
}

// FuncMap's csrfField writes the hidden input for a token a handler put in
// the template's data.
func ExampleFuncMap() {
	page := template.Must(template.New("form").Funcs(csrf.FuncMap()).Parse(
		`<form method="post">{{csrfField .Token}}<button>Send</button></form>`))
	token := "1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD" // from csrf.Token(c)
	if err := page.Execute(os.Stdout, map[string]string{"Token": token}); err != nil {
		panic(err)
	}
	// Output:
	// <form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="1bcdefghij2bcdefghij3bcdefghij4bcdefghij5bcdefghij6bcdefghijABCD"><button>Send</button></form>
}
