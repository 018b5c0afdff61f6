package sessiontest_test

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// storeCase opens one of the stores the package is proven on.
type storeCase struct {
	name string
	open func(t *testing.T) stores.Store
}

// theStores are memory, file, SQLite, Redis and the signed cookie, each on a
// directory, table or key prefix of the test's own.
func theStores() []storeCase {
	must := func(t *testing.T, st stores.Store, err error) stores.Store {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	return []storeCase{
		{"memory", func(t *testing.T) stores.Store { st, err := memstore.New(); return must(t, st, err) }},
		{"file", func(t *testing.T) stores.Store { st, err := filestore.New(t.TempDir()); return must(t, st, err) }},
		{"sqlite", func(t *testing.T) stores.Store {
			db := testenv.OpenSQLite(t, sqlstore.SQLiteDSN(filepath.Join(t.TempDir(), "db.sqlite3")))
			return everystore.SQL(t, db, "sessiontest_")
		}},
		{"redis", func(t *testing.T) stores.Store { return everystore.Redis(t, "sessiontest") }},
		{"cookie", func(t *testing.T) stores.Store { st, err := cookiestore.New(); return must(t, st, err) }},
	}
}

// failures is a testing.TB that records what a helper reports instead of
// failing the test, so that the test can check the report.
type failures struct {
	testing.TB
	mu     sync.Mutex
	fatal  string
	errors []string
}

func (f *failures) Helper() {}

func (f *failures) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

func (f *failures) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatal = fmt.Sprintf(format, args...)
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *failures) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *failures) Error(args ...any) { f.Errorf("%s", fmt.Sprint(args...)) }

// report runs fn with a recording TB on a goroutine of its own (a Fatal
// ends it) and returns what fn reported: the fatal message, and the
// errors.
func report(t *testing.T, fn func(tb testing.TB)) (fatal string, errs []string) {
	t.Helper()
	f := &failures{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.fatal, f.errors
}

// mustContain fails t unless s contains every part.
func mustContain(t *testing.T, what, s string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			t.Errorf("%s %q does not say %q", what, s, p)
		}
	}
}
