package ginsession_test

import (
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// notGo lists the code blocks in package docs that are not Go (command
// tables, wire formats, shell lines), by their first line.
var notGo = []string{
	"django.contrib.auth", // auth: the Django-to-Go table
	"Load    GET key",     // redisstore: the commands it sends
	"value:signature",     // signing: the wire format
	"go run ./",           // example_app, scripts and bench commands
	"GINSESSION_MYSQL_DSN",
}

// TestEveryDocCodeBlockCompiles holds every Go code block of the README
// files and package docs to a copy in a test file (an Example, mostly), so
// a block shows only code that compiles and runs: each block's lines must
// stand, in order and one after another, in some _test.go file of the
// repository. Indentation and blank lines do not count.
func TestEveryDocCodeBlockCompiles(t *testing.T) {
	var tests [][]string
	type block struct {
		where string
		lines []string
	}
	var blocks []block
	fence := regexp.MustCompile("(?s)```go\n(.*?)```")
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
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
		switch {
		case strings.HasSuffix(path, "_test.go"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			tests = append(tests, codeLines(string(src)))
		case strings.HasSuffix(path, ".md"):
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, m := range fence.FindAllStringSubmatch(string(src), -1) {
				blocks = append(blocks, block{path + " block " + strconv.Itoa(i+1), codeLines(m[1])})
			}
		case strings.HasSuffix(path, ".go"):
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.PackageClauseOnly)
			if err != nil {
				return err
			}
			for _, code := range docCode(f) {
				lines := codeLines(code)
				if len(lines) == 0 || isNotGo(lines[0]) {
					continue
				}
				blocks = append(blocks, block{path + " doc", lines})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) < 5 {
		t.Fatalf("found only %d code blocks: is the walk broken?", len(blocks))
	}
	for _, b := range blocks {
		found := false
		for _, f := range tests {
			if containsRun(f, b.lines) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s is in no test file, so nothing shows it compiles; put it in an Example:\n\t%s", b.where, strings.Join(b.lines, "\n\t"))
		}
	}
}

// docCode returns the code blocks of the package doc comment of f.
func docCode(f *ast.File) []string {
	if f.Doc == nil {
		return nil
	}
	var p comment.Parser
	var out []string
	for _, blk := range p.Parse(f.Doc.Text()).Content {
		if c, ok := blk.(*comment.Code); ok {
			out = append(out, c.Text)
		}
	}
	return out
}

func isNotGo(first string) bool {
	for _, p := range notGo {
		if strings.HasPrefix(first, strings.Join(strings.Fields(p), " ")) {
			return true
		}
	}
	return false
}

// codeLines returns the non-blank lines of src with their runs of white
// space folded to one space, so that gofmt's alignment does not count.
func codeLines(src string) []string {
	var out []string
	for _, l := range strings.Split(src, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			out = append(out, strings.Join(f, " "))
		}
	}
	return out
}

// containsRun reports whether run stands in lines, contiguously.
func containsRun(lines, run []string) bool {
	for i := 0; i+len(run) <= len(lines); i++ {
		if lines[i] != run[0] {
			continue
		}
		j := 1
		for j < len(run) && lines[i+j] == run[j] {
			j++
		}
		if j == len(run) {
			return true
		}
	}
	return false
}
