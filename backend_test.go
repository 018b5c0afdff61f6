package ginsession_test

import (
	"context"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// TestOnlyAStoreCompilesAsNewsArgument type-checks calls of New against the
// package as built: a server store and a cookie store compile, and a value
// that is neither (before, anything with ClearExpired compiled and panicked
// at start) is a compile error that names the interface it lacks.
func TestOnlyAStoreCompilesAsNewsArgument(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package's export data with go list")
	}
	pkgs := []string{
		"github.com/ginsession/ginsession",
		"github.com/ginsession/ginsession/stores/memstore",
		"github.com/ginsession/ginsession/stores/cookiestore",
	}
	out, err := exec.Command("go", append([]string{"list", "-export", "-deps", "-f", "{{.ImportPath}}={{.Export}}"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for line := range strings.Lines(string(out)) {
		path, file, _ := strings.Cut(strings.TrimSpace(line), "=")
		exports[path] = file
	}
	for _, tc := range []struct {
		name, decl, arg string
		wantErr         string // "" when the call must compile
	}{
		{"a server store", "", "must(memstore.New())", ""},
		{"a cookie store", "", "must(cookiestore.New())", ""},
		{"a value with ClearExpired alone", "type janitorOnly struct{}\n\nfunc (janitorOnly) ClearExpired(context.Context) error { return nil }", "janitorOnly{}", "does not implement stores.Store"},
		{"a value with Seal and Open alone", "type sealOnly struct{}\n\nfunc (sealOnly) Seal([]byte, [][]byte) (string, error) { return \"\", nil }\nfunc (sealOnly) Open(string, [][]byte) ([]byte, time.Time, error) { return nil, time.Time{}, nil }\nfunc (sealOnly) ClearExpired(context.Context) error { return nil }", "sealOnly{}", "does not implement stores.Store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := `package p

import (
	"context"
	"time"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
)

var _ context.Context
var _ time.Time
var _ = memstore.New
var _ = cookiestore.New

func must[T any](v T, err error) T { return v }

` + tc.decl + `

var _ = ginsession.New(` + tc.arg + `)
`
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "p.go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			conf := types.Config{Importer: importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
				return os.Open(exports[path])
			})}
			_, err = conf.Check("p", fset, []*ast.File{f}, nil)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("New(%s) does not compile: %v", tc.arg, err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("New(%s) type-checks with error %v, want one saying %q", tc.arg, err, tc.wantErr)
			}
		})
	}
}

// The middleware uses a wrapped store's capabilities through the wrapper
// (stores.Wrap): under SaveEveryRequest an unchanged session is touched
// when the wrapped store can touch, and saved in full, without an error,
// when its Touch answers errors.ErrUnsupported.
func TestAWrappedStoresCapabilitiesAreUsedThroughTheHook(t *testing.T) {
	for _, tc := range []struct {
		name  string
		inner func() stores.Store
		write string
	}{
		{"a store with Touch", func() stores.Store { return testenv.Must(memstore.New()) }, "Touch"},
		{"a store without it", func() stores.Store { return struct{ stores.Store }{testenv.Must(memstore.New())} }, "Update"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[string]int{}
			store := stores.Wrap(tc.inner(), func(ctx context.Context, call stores.Call, next func(context.Context) error) error {
				mu.Lock()
				seen[call.Method]++
				mu.Unlock()
				return next(ctx)
			})
			r := gin.New()
			r.Use(ginsession.New(store, ginsession.WithSaveEveryRequest(true)))
			r.GET("/set", func(c *gin.Context) { ginsession.From(c).Set("user", "alice") })
			r.GET("/get", func(c *gin.Context) {
				v, _ := ginsession.From(c).Get("user")
				c.String(http.StatusOK, "%v", v)
			})
			w := httptest.NewRecorder()
			r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/set", nil))
			cookie := w.Result().Cookies()[0]
			for range 3 {
				w = httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, "/get", nil)
				req.AddCookie(cookie)
				r.ServeHTTP(w, req)
				if w.Code != http.StatusOK || w.Body.String() != "alice" {
					t.Fatalf("/get = %d %q, want 200 alice", w.Code, w.Body)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if seen[tc.write] != 3 {
				t.Errorf("the hook saw %v, want 3 calls of %s", seen, tc.write)
			}
		})
	}
}
