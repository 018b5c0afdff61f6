package ginsession_test

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The docs test compiles every Go code block of the repository's Markdown
// files (```go fences) and package doc comments, so a block shows only
// code that builds. All blocks go into one temporary module, one package
// per block, which requires every module of this repository through a
// replace; one `go vet ./...` type-checks and vets them all.
//
// How a block is compiled (writing docs):
//
//   - A block with a package clause is a whole file, compiled as written
//     (package main: a program, as a reader would paste it).
//   - A block of declarations (funcs, types, vars) is a file whose package
//     clause and imports are added.
//   - Any other block is a run of statements, put in the body of a wrapper
//     function: by default `func _() { ... }`. A marker names another
//     wrapper (see docWrappers): in Markdown an invisible
//     `<!-- wrapper: NAME -->` on the line before the fence, or in any block
//     a first line `// wrapper: NAME`.
//
// Fragments (declarations and statements) may use, without declaring them,
// the names of docPrelude (r, c, store, ctx, secret ...), and any package of
// docImports by its usual name: the imports are added for the names used.
// Compile errors name the Markdown or Go file and line of the block.
//
// Package doc blocks that are not Go (tables, shell lines) are skipped by
// their first line (docNotGo); in Markdown only ```go fences are read.

// docNotGo lists the code blocks in package docs that are not Go, by the
// start of their first line.
var docNotGo = []string{
	"django.contrib.auth", // auth: the Django-to-Go table
	"CsrfViewMiddleware",  // csrf: the Django-to-Go table
	"Load    GET key",     // redisstore, redis9store: the commands sent
	"value:signature",     // signing: the wire format
	"go run ./",           // example_app, scripts and bench commands
	"GINSESSION_MYSQL_DSN",
}

// docWrappers are the functions a statement block can be the body of; %s
// is the block.
var docWrappers = map[string]string{
	"main":    "func _() {\n%s\n}\n",
	"handler": "func _(c *gin.Context) {\n%s\n}\n",
	"error":   "func _() error {\n%s\n}\n", // the block ends with a return
	"test":    "func _(t *testing.T) {\n%s\n}\n",
}

// docPrelude declares, in each fragment's package, the names a doc
// fragment may use as if the surrounding program had made them. An entry
// is left out when the block declares one of its names itself.
var docPrelude = []struct{ names, src string }{
	{"r", "var r = gin.New()"},
	{"c", "var c *gin.Context"},
	{"ctx", "var ctx = context.Background()"},
	{"store", "var store stores.Store"},
	{"db", "var db *sqlx.DB"},
	{"redisClient client", "var redisClient, client *redis.Client"},
	{"secret djangoSecretKey oldSecret", `var secret, djangoSecretKey, oldSecret = "", "", ""`},
	{"page", "var page *template.Template"},
	{"save webhook", "var save, webhook gin.HandlerFunc"},
	{"upgrader", "var upgrader websocket.Upgrader"},
	{"load", "var load auth.LoadFunc"},
	{"accounts", "var accounts map[string]*account"},
	{"alice", "var alice = &account{ID: 1}"},
	{"newRouter", "func newRouter() *gin.Engine { return r }"},
	{"account", "type account struct{ ID int }\n\n" +
		"func (a *account) SessionAuthID() string { return fmt.Sprint(a.ID) }\n" +
		"func (a *account) PasswordHash() string  { return \"\" }"},
	{"User", "type User struct{ Name string }"},
}

// docImports are the packages a fragment may use by these names.
var docImports = map[string]string{
	"auth":        "github.com/ginsession/ginsession/auth",
	"cachedstore": "github.com/ginsession/ginsession/stores/cachedstore",
	"context":     "context",
	"cookiestore": "github.com/ginsession/ginsession/stores/cookiestore",
	"csrf":        "github.com/ginsession/ginsession/csrf",
	"djangocache": "github.com/ginsession/ginsession/stores/djangocache",
	"djangohash":  "github.com/ginsession/ginsession/auth/djangohash",
	"errors":      "errors",
	"filestore":   "github.com/ginsession/ginsession/stores/filestore",
	"fmt":         "fmt",
	"gin":         "github.com/gin-gonic/gin",
	"gincontrib":  "github.com/ginsession/ginsession/contrib/gincontrib",
	"ginsession":  "github.com/ginsession/ginsession",
	"gob":         "encoding/gob",
	"http":        "net/http",
	"httptest":    "net/http/httptest",
	"log":         "log",
	"memstore":    "github.com/ginsession/ginsession/stores/memstore",
	"messages":    "github.com/ginsession/ginsession/messages",
	"os":          "os",
	"redis":       "github.com/redis/go-redis/v9",
	"redis9store": "github.com/ginsession/ginsession/stores/redis9store",
	"redisstore":  "github.com/ginsession/ginsession/stores/redisstore",
	"sessions":    "github.com/gin-contrib/sessions",
	"sessiontest": "github.com/ginsession/ginsession/sessiontest",
	"signing":     "github.com/ginsession/ginsession/signing",
	"slog":        "log/slog",
	"sqlstore":    "github.com/ginsession/ginsession/stores/sqlstore",
	"sqlx":        "github.com/jmoiron/sqlx",
	"stores":      "github.com/ginsession/ginsession/stores",
	"storetest":   "github.com/ginsession/ginsession/stores/storetest",
	"strings":     "strings",
	"template":    "html/template",
	"testing":     "testing",
	"time":        "time",
	"websocket":   "github.com/gorilla/websocket",

	// otelginsession/, a module of its own, and what its docs use.
	"otelgin":        "go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin",
	"otelginsession": "github.com/ginsession/ginsession/otelginsession",
}

// docBlock is one code block: where it stands and its text.
type docBlock struct {
	file    string // relative to the repository root
	line    int    // the line of the block's first line of code
	text    string
	wrapper string // from a marker, or ""
}

func (b docBlock) String() string { return fmt.Sprintf("%s:%d", b.file, b.line) }

// TestEveryDocCodeBlockCompiles compiles every Go code block of the
// Markdown files and package docs of the repository (see the comment at
// the top of this file for how a block is wrapped).
func TestEveryDocCodeBlockCompiles(t *testing.T) {
	t.Parallel()
	blocks, err := collectDocBlocks(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 10 {
		t.Fatalf("found only %d code blocks: is the walk broken?", len(blocks))
	}
	if out, err := compileDocBlocks(t, ".", blocks); err != nil {
		t.Fatalf("doc code blocks do not compile (%v):\n%s", err, out)
	}
}

// TestDocCheckerRejectsBrokenBlocks shows the docs test fails on a block a
// reader could not compile: one cut off mid-function, one using a name no
// one declared, one program without its imports; and names where each is.
func TestDocCheckerRejectsBrokenBlocks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	md := "# Sample\n\n" +
		"```go\n" + // line 3
		"r.GET(\"/\", func(c *gin.Context) {\n" +
		"\tginsession.From(c).Set(\"visits\", 1)\n" +
		"```\n\n" +
		"```go\n" + // line 8
		"r.Use(ginsession.New(undeclaredStore))\n" +
		"```\n\n" +
		"```go\n" + // line 12
		"package main\n\nfunc main() {\n\tr := gin.Default()\n\t_ = r.Run()\n}\n" +
		"```\n\n" +
		"<!-- wrapper: handler -->\n" +
		"```go\n" + // line 22: a good one, which must not be reported
		"ginsession.From(c).Set(\"visits\", 1)\n" +
		"```\n"
	if err := os.WriteFile(filepath.Join(dir, "sample.md"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	blocks, err := collectDocBlocks(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 4 || blocks[3].wrapper != "handler" || blocks[3].line != 23 {
		t.Fatalf("extracted %d blocks %v, want 4, the last with the handler wrapper at line 23", len(blocks), blocks)
	}
	for i := range blocks {
		blocks[i].file = "sample.md" // as the real test names them: relative to the root walked
	}
	out, err := compileDocBlocks(t, ".", blocks)
	if err == nil {
		t.Fatalf("broken blocks compiled:\n%s", out)
	}
	for _, want := range []string{"sample.md:7", "sample.md:9", "undeclaredStore", "sample.md:16"} {
		if !strings.Contains(out, want) {
			t.Errorf("the errors do not name %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "sample.md:2") {
		t.Errorf("the good block is reported:\n%s", out)
	}
}

// collectDocBlocks returns the ```go blocks of the Markdown files under
// root and the Go code blocks of its package doc comments.
func collectDocBlocks(root string) ([]docBlock, error) {
	var blocks []docBlock
	err := walkRepoFiles(root, func(path string) error {
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(path, ".md"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			blocks = append(blocks, markdownBlocks(filepath.ToSlash(rel), string(src))...)
		case strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			bs, err := packageDocBlocks(filepath.ToSlash(rel), src)
			if err != nil {
				return err
			}
			blocks = append(blocks, bs...)
		}
		return nil
	})
	return blocks, err
}

// walkRepoFiles calls fn with each file under root, skipping .git, test
// data and benchmark results.
func walkRepoFiles(root string, fn func(path string) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "node_modules", "results":
				return filepath.SkipDir
			}
			return nil
		}
		return fn(path)
	})
}

var blockDir = regexp.MustCompile(`(^|\s)b\d{3}/`)

var wrapperMarker = regexp.MustCompile(`^\s*(?:<!--|//)\s*wrapper:\s*(\w+)\s*(?:-->)?\s*$`)

// markdownBlocks returns the ```go fenced blocks of a Markdown file.
func markdownBlocks(file, src string) []docBlock {
	lines := strings.Split(src, "\n")
	var out []docBlock
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```go" {
			continue
		}
		b := docBlock{file: file, line: i + 2}
		if i > 0 {
			if m := wrapperMarker.FindStringSubmatch(lines[i-1]); m != nil {
				b.wrapper = m[1]
			}
		}
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) != "```" {
			j++
		}
		b.text = strings.Join(lines[i+1:min(j, len(lines))], "\n")
		out = append(out, b)
		i = j
	}
	return out
}

// packageDocBlocks returns the Go code blocks of a file's package doc
// comment, with the line each starts on.
func packageDocBlocks(file string, src []byte) ([]docBlock, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		return nil, err
	}
	if f.Doc == nil {
		return nil, nil
	}
	srcLines := strings.Split(string(src), "\n")
	var p comment.Parser
	var out []docBlock
	from := 0
	for _, blk := range p.Parse(f.Doc.Text()).Content {
		c, ok := blk.(*comment.Code)
		if !ok || isDocNotGo(c.Text) {
			continue
		}
		first, _, _ := strings.Cut(c.Text, "\n")
		b := docBlock{file: file, text: c.Text}
		for i := from; i < len(srcLines); i++ {
			if strings.TrimSpace(strings.TrimPrefix(srcLines[i], "//")) == strings.TrimSpace(first) {
				b.line, from = i+1, i+1
				break
			}
		}
		out = append(out, b)
	}
	return out, nil
}

func isDocNotGo(text string) bool {
	first := strings.TrimSpace(text)
	for _, p := range docNotGo {
		if strings.HasPrefix(first, p) {
			return true
		}
	}
	return false
}

// compileDocBlocks writes blocks into one temporary module that requires
// every module of the repository at root through a replace, and runs
// `go vet ./...` there once. It returns vet's output and its error.
func compileDocBlocks(t *testing.T, root string, blocks []docBlock) (string, error) {
	t.Helper()
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := writeDocModule(dir, abs); err != nil {
		t.Fatal(err)
	}
	for i, b := range blocks {
		src, err := docBlockFile(b)
		if err != nil {
			return fmt.Sprintf("%s: %v", b, err), err
		}
		pkg := filepath.Join(dir, fmt.Sprintf("b%03d", i))
		if err := os.Mkdir(pkg, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pkg, "block.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "vet", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	// a //line file name is relative to the block's package directory
	return blockDir.ReplaceAllString(string(out), "$1"), err
}

// writeDocModule writes dir/go.mod and dir/go.sum: a module requiring each
// module of the repository at root, replaced by its directory, with their
// excludes and the union of their go.sum files.
func writeDocModule(dir, root string) error {
	var mods, sums []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.Name() == "go.mod" {
			mods = append(mods, path)
		}
		if d.Name() == "go.sum" {
			sums = append(sums, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var gomod bytes.Buffer
	gomod.WriteString("module doccheck\n\n")
	goLine := ""
	excludes := map[string]bool{}
	for _, m := range mods {
		src, err := os.ReadFile(m)
		if err != nil {
			return err
		}
		var path string
		for _, l := range strings.Split(string(src), "\n") {
			l = strings.TrimSpace(l)
			switch {
			case strings.HasPrefix(l, "module "):
				path = strings.TrimSpace(strings.TrimPrefix(l, "module "))
			case strings.HasPrefix(l, "go ") && goLine == "":
				goLine = l
			case strings.HasPrefix(l, "exclude "):
				excludes[l] = true
			}
		}
		fmt.Fprintf(&gomod, "require %s v0.0.0-00010101000000-000000000000\nreplace %s => %s\n", path, path, filepath.Dir(m))
	}
	gomod.WriteString(goLine + "\n")
	var ex []string
	for l := range excludes {
		ex = append(ex, l)
	}
	sort.Strings(ex)
	gomod.WriteString(strings.Join(ex, "\n") + "\n")
	seen := map[string]bool{}
	var gosum bytes.Buffer
	for _, s := range sums {
		src, err := os.ReadFile(s)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(string(src), "\n") {
			if l != "" && !seen[l] {
				seen[l] = true
				gosum.WriteString(l + "\n")
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), gomod.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "go.sum"), gosum.Bytes(), 0o644)
}

// docBlockFile returns the Go file a block compiles as, with //line
// directives so that errors name the block's own file and line.
func docBlockFile(b docBlock) (string, error) {
	text := b.text
	if m := wrapperMarker.FindStringSubmatch(strings.SplitN(text, "\n", 2)[0]); m != nil {
		b.wrapper = m[1]
	}
	at := fmt.Sprintf("//line %s:%d\n", b.file, b.line)
	if startsWithPackage(text) {
		if b.wrapper != "" {
			return "", fmt.Errorf("a block with a package clause takes no wrapper")
		}
		return at + text + "\n", nil
	}
	declared, isDecls := topLevelNames(text)
	var body string
	switch {
	case b.wrapper == "" && isDecls:
		body = at + text + "\n"
	default:
		name := b.wrapper
		if name == "" {
			name = "main"
		}
		w, ok := docWrappers[name]
		if !ok {
			return "", fmt.Errorf("no wrapper %q (have main, handler, error, test)", name)
		}
		open, close, _ := strings.Cut(w, "%s")
		body = open + at + text + "\n" + close
	}
	var prelude []string
	for _, p := range docPrelude {
		clash := false
		for _, n := range strings.Fields(p.names) {
			clash = clash || declared[n]
		}
		if !clash {
			prelude = append(prelude, p.src)
		}
	}
	code := strings.Join(prelude, "\n\n") + "\n\n" + body
	var imports []string
	for name := range usedPackages(code) {
		if path, ok := docImports[name]; ok && !declared[name] {
			imports = append(imports, fmt.Sprintf("%s %q", name, path))
		}
	}
	sort.Strings(imports)
	return "package doc\n\nimport (\n" + strings.Join(imports, "\n") + "\n)\n\n" + code, nil
}

// startsWithPackage reports whether the first token of src is "package".
func startsWithPackage(src string) bool {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	_, tok, _ := s.Scan()
	return tok == token.PACKAGE
}

// topLevelNames parses src as top-level declarations: it returns the
// names declared and whether src is declarations at all.
func topLevelNames(src string) (map[string]bool, bool) {
	f, err := parser.ParseFile(token.NewFileSet(), "", "package p\n"+src, 0)
	if err != nil {
		return nil, false
	}
	names := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				names[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					names[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names[n.Name] = true
					}
				case *ast.ImportSpec:
					return nil, false // a file without its package clause: not a fragment
				}
			}
		}
	}
	return names, true
}

// usedPackages returns the identifiers followed by a dot in src, outside
// comments and strings: the package names it may use.
func usedPackages(src string) map[string]bool {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	used := map[string]bool{}
	prev, prevLit := token.ILLEGAL, ""
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			return used
		}
		if tok == token.PERIOD && prev == token.IDENT {
			used[prevLit] = true
		}
		// a selector after a dot (x.y.z) is a field, not a package
		if prev == token.PERIOD {
			tok = token.ILLEGAL
		}
		prev, prevLit = tok, lit
	}
}

// TestCITestNamesAREADMESection holds .ci/test's comment to a section the
// README has.
func TestCITestNamesAREADMESection(t *testing.T) {
	script, err := os.ReadFile(".ci/test")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`README\.md, "(#+ [^"]+)"`).FindSubmatch(script)
	if m == nil {
		t.Fatal(`.ci/test's comment names no README section (README.md, "## Section")`)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(string(m[1])) + `\s*$`).Match(readme) {
		t.Errorf(".ci/test names the README section %q, which the README does not have", m[1])
	}
}

// TestMarkdownLinksResolve holds every relative link of the Markdown files
// to a file that exists and, with a #fragment, to a heading of that file
// (GitHub's anchors), so moving a section leaves no dead link.
func TestMarkdownLinksResolve(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	err := walkRepoFiles(".", func(path string) error {
		if !strings.HasSuffix(path, ".md") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := regexp.MustCompile("(?s)```.*?```").ReplaceAllString(string(src), "")
		text = regexp.MustCompile("`[^`\n]*`").ReplaceAllString(text, "") // code spans hold no links
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			file, frag, _ := strings.Cut(target, "#")
			dest := path
			if file != "" {
				dest = filepath.Join(filepath.Dir(path), file)
			}
			if _, err := os.Stat(dest); err != nil {
				t.Errorf("%s: link %s: no %s", path, target, dest)
				continue
			}
			if frag == "" || !strings.HasSuffix(dest, ".md") {
				continue
			}
			destSrc, err := os.ReadFile(dest)
			if err != nil {
				return err
			}
			if !markdownAnchors(string(destSrc))[frag] {
				t.Errorf("%s: link %s: %s has no heading with anchor #%s", path, target, dest, frag)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// markdownAnchors returns the anchors GitHub gives the headings of src:
// lower case, punctuation dropped, spaces as hyphens.
func markdownAnchors(src string) map[string]bool {
	out := map[string]bool{}
	for _, l := range strings.Split(regexp.MustCompile("(?s)```.*?```").ReplaceAllString(src, ""), "\n") {
		if !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(l, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(h) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
				b.WriteRune(r)
			}
		}
		out[b.String()] = true
	}
	return out
}

// TestTheREADMEIsShort keeps the README a page a Gin developer reads
// through (issue #28): details go to docs/.
func TestTheREADMEIsShort(t *testing.T) {
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(src), "\n"); n >= 300 {
		t.Errorf("README.md has %d lines; keep it under 300 and move details to docs/", n)
	}
}

// TestTheBenchmarkSummaryIsOneTable holds the README's benchmark block,
// which bench/run.sh (benchreport -readme) rewrites, to a table alone: the
// run's date and machine stay in BENCHMARKS.md.
func TestTheBenchmarkSummaryIsOneTable(t *testing.T) {
	src, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<!-- benchmarks:start[^>]*-->\n(.*?)\n<!-- benchmarks:end -->`).FindSubmatch(src)
	if m == nil {
		t.Fatal("README.md has no benchmarks:start ... benchmarks:end block, each marker on its own line")
	}
	lines := strings.Split(string(m[1]), "\n")
	for _, l := range lines {
		if !strings.HasPrefix(l, "|") {
			t.Errorf("the benchmark block holds more than a table: %q", l)
		}
	}
	if len(lines) < 3 {
		t.Errorf("the benchmark table has %d lines", len(lines))
	}
}
