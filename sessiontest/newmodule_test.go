package sessiontest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// shopApp is a new user's application: a protected page that counts
// visits and leaves a flash message, with the names the README's example
// uses (newRouter, alice). flash is the message it leaves.
const shopApp = `package shop

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/messages"
	"github.com/ginsession/ginsession/stores/memstore"
)

type user struct{ id, hash string }

func (u user) SessionAuthID() string { return u.id }
func (u user) PasswordHash() string  { return u.hash }

var alice = user{"1", "pbkdf2_sha256$1$salt$hash"}

func load(_ context.Context, id string) (auth.User, error) {
	if id == alice.id {
		return alice, nil
	}
	return nil, auth.ErrUserNotFound
}

func newRouter() *gin.Engine {
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithSecretKey("shop-secret-0123456789abcdefghijklmnop")))
	r.GET("/profile", auth.RequireUser("/login", load), func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "visits")
		s.Set("visits", n+1)
		if err := messages.Info(c, FLASH); err != nil {
			c.AbortWithStatus(http.StatusInternalServerError)
			return
		}
		c.String(http.StatusOK, "hello, %s", alice.id)
	})
	return r
}
`

// TestTheREADMEExampleRunsInANewModule is how the package is judged: the
// README's handler test, copied as it stands into a new module that
// requires ginsession (a replace directive points at this repository), next
// to a small application, passes; and fails, naming the flash message,
// when the application leaves another one.
func TestTheREADMEExampleRunsInANewModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a new module: not with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	i := strings.Index(section, "## Testing your handlers")
	if i < 0 {
		t.Fatal(`README.md has no "## Testing your handlers" section`)
	}
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindStringSubmatch(section[i:])
	if m == nil {
		t.Fatal("the README's testing section has no Go code block")
	}
	example := m[1]
	if n := strings.Count(strings.TrimSpace(example), "\n") + 1; n >= 25 {
		t.Errorf("the README's handler test is %d lines long, want under 25", n)
	}
	for _, cookieHandling := range []string{"Cookie", "cookie", "jar", "Jar"} {
		if strings.Contains(example, cookieHandling) {
			t.Errorf("the README's handler test handles cookies itself (%q)", cookieHandling)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/shop\n\ngo 1.26.0\n\nrequire github.com/ginsession/ginsession v0.0.0\n\nreplace github.com/ginsession/ginsession => "+root+"\n")
	write("go.sum", string(sum)) // every hash the new module needs is the repository's too
	write("shop_test.go", "package shop\n\nimport (\n\t\"net/http\"\n\t\"testing\"\n\n\t\"github.com/ginsession/ginsession/sessiontest\"\n)\n\n"+example)
	goCmd := func(args ...string) (string, error) {
		cmd := exec.Command(goTool, args...)
		cmd.Dir = dir
		// The module cache only: nothing is downloaded.
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off", "GOSUMDB=off")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, tc := range []struct {
		flash string
		pass  bool
	}{
		{"Welcome back!", true},
		{"Hello again!", false},
	} {
		write("shop.go", strings.Replace(shopApp, "FLASH", `"`+tc.flash+`"`, 1))
		out, err := goCmd("test", "-count=1", ".")
		switch {
		case tc.pass && err != nil:
			t.Fatalf("the README's test fails in a new module:\n%s", out)
		case !tc.pass && err == nil:
			t.Fatalf("the README's test passes on an application that leaves %q:\n%s", tc.flash, out)
		case !tc.pass && !strings.Contains(out, "flash messages: [Hello again!]"):
			t.Errorf("the README's test fails without naming the flash message:\n%s", out)
		}
	}
}
