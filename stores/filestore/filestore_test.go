package filestore_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/storetest"
)

func newStore(t *testing.T, opts ...filestore.Option) *filestore.Store {
	t.Helper()
	s, err := filestore.New(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t) })
}

func TestConformanceWithDjangoMtime(t *testing.T) {
	if testing.Short() {
		t.Skip("the suite sleeps for several seconds")
	}
	storetest.Run(t, func(t *testing.T) stores.Store {
		return newStore(t, filestore.WithDjangoMtime(14*24*time.Hour))
	})
}

func later() time.Time { return time.Now().Add(time.Hour) }

// names lists the directory, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		dir     func(t *testing.T) string
		opts    []filestore.Option
		wantErr string // "" for success
	}{
		{"an existing private directory is accepted", func(t *testing.T) string { return t.TempDir() }, nil, ""},
		{"a missing directory is refused, naming WithCreateDir", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "missing")
		}, nil, "pass filestore.WithCreateDir()"},
		{"a missing directory is created with WithCreateDir", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "a", "b")
		}, []filestore.Option{filestore.WithCreateDir()}, ""},
		{"a regular file is refused", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "file")
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}, nil, "is not a directory"},
		{"an empty path is refused", func(t *testing.T) string { return "" }, nil, "no directory given"},
		{"a world-writable directory is refused", func(t *testing.T) string {
			if runtime.GOOS == "windows" {
				t.Skip("no such mode bits on Windows")
			}
			d := t.TempDir()
			if err := os.Chmod(d, 0o777); err != nil {
				t.Fatal(err)
			}
			return d
		}, nil, "writable by every user"},
		{"a prefix with a slash is refused", func(t *testing.T) string { return t.TempDir() },
			[]filestore.Option{filestore.WithPrefix("../sessionid")}, "use only letters, digits"},
		{"an empty prefix is refused", func(t *testing.T) string { return t.TempDir() },
			[]filestore.Option{filestore.WithPrefix("")}, "1 to 100 characters"},
		{"a __Host- cookie name is a fine prefix", func(t *testing.T) string { return t.TempDir() },
			[]filestore.Option{filestore.WithPrefix("__Host-sessionid")}, ""},
		{"a zero Django cookie age is refused", func(t *testing.T) string { return t.TempDir() },
			[]filestore.Option{filestore.WithDjangoMtime(0)}, "SESSION_COOKIE_AGE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := tc.dir(t)
			s, err := filestore.New(dir, tc.opts...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("New = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			fi, err := os.Stat(s.Dir())
			if err != nil || !fi.IsDir() {
				t.Fatalf("Dir() = %q: %v", s.Dir(), err)
			}
			created := strings.HasSuffix(dir, filepath.Join("a", "b"))
			if created && runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
				t.Fatalf("mode of the created directory = %v, want 0700", fi.Mode().Perm())
			}
			if got := names(t, s.Dir()); len(got) != 0 {
				t.Fatalf("New left files behind: %q", got)
			}
		})
	}
}

func TestFileLayout(t *testing.T) {
	ctx := context.Background()
	const age = 14 * 24 * time.Hour
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tests := []struct {
		name      string
		opts      []filestore.Option
		prefix    string
		wantMtime time.Time
	}{
		{"the file is sessionid<key> and its mtime is the expiry", nil, "sessionid", exp},
		{"WithPrefix names the file after the cookie", []filestore.Option{filestore.WithPrefix("__Host-sid")}, "__Host-sid", exp},
		{"WithDjangoMtime stores the expiry less the cookie age", []filestore.Option{filestore.WithDjangoMtime(age)}, "sessionid", exp.Add(-age)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t, tc.opts...)
			key := stores.NewKey()
			data := []byte(`.eJxVjDEOwjAMRf_i:1t0Z:sig`)
			if err := s.Create(ctx, key, data, exp); err != nil {
				t.Fatal(err)
			}
			if got := names(t, s.Dir()); len(got) != 1 || got[0] != tc.prefix+key {
				t.Fatalf("directory holds %q, want [%s<key>]", got, tc.prefix)
			}
			path := filepath.Join(s.Dir(), tc.prefix+key)
			content, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(content, data) {
				t.Fatalf("file content = %q, %v; want exactly the data %q", content, err, data)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
				t.Fatalf("file mode = %v, want 0600", fi.Mode().Perm())
			}
			if !fi.ModTime().Equal(tc.wantMtime) {
				t.Fatalf("mtime = %v, want %v", fi.ModTime(), tc.wantMtime)
			}
		})
	}
}

// A Django process writes the file with mtime = now and reads its expiry as
// mtime + SESSION_COOKIE_AGE.
func TestReadingAFileDjangoWrote(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	key := stores.NewKey()
	path := filepath.Join(dir, "sessionid"+key)
	if err := os.WriteFile(path, []byte("django"), 0o600); err != nil {
		t.Fatal(err)
	}
	written := time.Now().Add(-24 * time.Hour)
	if err := os.Chtimes(path, written, written); err != nil {
		t.Fatal(err)
	}
	plain, err := filestore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("without WithDjangoMtime, Load of a day-old Django file = %v, want ErrNotFound", err)
	}
	django, err := filestore.New(dir, filestore.WithDjangoMtime(14*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := django.Load(ctx, key); err != nil || string(got) != "django" {
		t.Fatalf("with WithDjangoMtime, Load = %q, %v; want %q", got, err, "django")
	}
	short, err := filestore.New(dir, filestore.WithDjangoMtime(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := short.Load(ctx, key); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("with a one-hour cookie age, Load of a day-old file = %v, want ErrNotFound", err)
	}
}

func TestInvalidKeysNeverReachTheFileSystem(t *testing.T) {
	ctx := context.Background()
	tests := []struct{ name, key string }{
		{"a parent-directory key", "../sessionidabcdefgh"},
		{"a deep parent-directory key", "../../../../etc/passwd"},
		{"a key with a slash", "abcd/efghijkl"},
		{"a key with a backslash", `abcd\efghijkl`},
		{"an absolute path", "/etc/passwdxxxx"},
		{"an uppercase key", "ABCDEFGHIJKLMNOP"},
		{"a key with a NUL byte", "abcdefgh\x00ijkl"},
		{"a key with a dot", "abcdefgh.ijkl"},
		{"a key with an underscore, like a temporary file", "abcdefgh_out_ijkl"},
		{"a key with a space", "abcdefgh ijkl"},
		{"a key with a non-ASCII letter", "abcdefghé"},
		{"an empty key", ""},
		{"a seven-character key", "abcdefg"},
		{"a forty-one-character key", strings.Repeat("a", 41)},
	}
	parent := t.TempDir()
	dir := filepath.Join(parent, "sessions")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := filestore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Load(ctx, tc.key); !errors.Is(err, stores.ErrNotFound) {
				t.Errorf("Load = %v, want ErrNotFound", err)
			}
			if ok, err := s.Exists(ctx, tc.key); ok || err != nil {
				t.Errorf("Exists = %v, %v; want false, nil", ok, err)
			}
			writes := map[string]error{
				"Create": s.Create(ctx, tc.key, []byte("x"), later()),
				"Update": s.Update(ctx, tc.key, []byte("x"), later()),
				"Touch":  s.Touch(ctx, tc.key, later()),
				"Delete": s.Delete(ctx, tc.key),
			}
			for op, err := range writes {
				if !errors.Is(err, stores.ErrInvalidKey) {
					t.Errorf("%s = %v, want ErrInvalidKey", op, err)
				}
			}
		})
	}
	if got := names(t, parent); len(got) != 1 || got[0] != "sessions" {
		t.Fatalf("the parent directory holds %q, want only the session directory", got)
	}
	if got := names(t, dir); len(got) != 0 {
		t.Fatalf("the session directory holds %q, want nothing", got)
	}
}

func TestNoTemporaryFileIsLeftBehind(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	live, gone, old := stores.NewKey(), stores.NewKey(), stores.NewKey()
	steps := []struct {
		name string
		err  error
		want error
	}{
		{"Create", s.Create(ctx, live, []byte("1"), later()), nil},
		{"Create over a live record", s.Create(ctx, live, []byte("2"), later()), stores.ErrExists},
		{"Update", s.Update(ctx, live, []byte("3"), later()), nil},
		{"Update of a missing record", s.Update(ctx, gone, []byte("4"), later()), stores.ErrNotFound},
		{"Create of an expired record", s.Create(ctx, old, []byte("5"), time.Now().Add(-time.Hour)), nil},
		{"Update of an expired record", s.Update(ctx, old, []byte("6"), later()), stores.ErrNotFound},
		{"Create over an expired record", s.Create(ctx, old, []byte("7"), later()), nil},
		{"Touch", s.Touch(ctx, live, later()), nil},
	}
	for _, st := range steps {
		if !errors.Is(st.err, st.want) || (st.want == nil && st.err != nil) {
			t.Errorf("%s = %v, want %v", st.name, st.err, st.want)
		}
	}
	want := []string{"sessionid" + live, "sessionid" + old}
	sort.Strings(want)
	if got := names(t, s.Dir()); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("directory holds %q, want only %q", got, want)
	}
	if got, _ := s.Load(ctx, old); string(got) != "7" {
		t.Fatalf("the record that replaced an expired one = %q, want %q", got, "7")
	}
}

func TestIndexWritesLeaveOnlyTheirEntries(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	a, b := stores.NewKey(), stores.NewKey()
	if err := s.Create(ctx, b, []byte("1"), later()); err != nil {
		t.Fatal(err)
	}
	e := stores.IndexEntry{Key: a, Created: time.Now(), LastActive: time.Now()}
	if err := s.IndexAdd(ctx, "u", e); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexMove(ctx, "u", a, b, time.Now(), later()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexAddLimited(ctx, "u", e, 5, false); err != nil {
		t.Fatal(err)
	}
	if got := names(t, s.Dir()); strings.Join(got, " ") != filestore.IndexDir+" sessionid"+b {
		t.Fatalf("the session directory holds %q, want the index and one session", got)
	}
	users := names(t, filepath.Join(s.Dir(), filestore.IndexDir))
	if len(users) != 1 {
		t.Fatalf("the index holds %q, want one user", users)
	}
	want := []string{a, b}
	sort.Strings(want)
	if got := names(t, filepath.Join(s.Dir(), filestore.IndexDir, users[0])); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("the user's directory holds %q, want only the entries %q", got, want)
	}
}

// createRace runs Create of one key from 20 goroutines spread over the given
// stores and returns how many succeeded and how many got ErrExists.
func createRace(t *testing.T, ss []*filestore.Store, key string) (wins, losses int, winner string) {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := string(rune('a' + i))
			<-start
			err := ss[i%len(ss)].Create(context.Background(), key, []byte(data), later())
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
				winner = data
			case errors.Is(err, stores.ErrExists):
				losses++
			default:
				t.Errorf("Create: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	return wins, losses, winner
}

func TestTwentyConcurrentCreatesOfOneKeyHaveOneWinner(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	one, err := filestore.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	two, err := filestore.New(dir) // a second Store shares no lock with the first, as another process would
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		stores  []*filestore.Store
		expired bool
	}{
		{"one store, a fresh key", []*filestore.Store{one}, false},
		{"one store, a key held by an expired record", []*filestore.Store{one}, true},
		{"two stores on one directory, a fresh key", []*filestore.Store{one, two}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := stores.NewKey()
			if tc.expired {
				if err := one.Create(ctx, key, []byte("expired"), time.Now().Add(-time.Minute)); err != nil {
					t.Fatal(err)
				}
			}
			wins, losses, winner := createRace(t, tc.stores, key)
			if wins != 1 || losses != 19 {
				t.Fatalf("%d winners and %d ErrExists, want 1 and 19", wins, losses)
			}
			if got, err := one.Load(ctx, key); err != nil || string(got) != winner {
				t.Fatalf("Load = %q, %v; want the winner's %q", got, err, winner)
			}
		})
	}
	if got := names(t, dir); len(got) != len(tests) {
		t.Fatalf("directory holds %q, want %d session files and nothing else", got, len(tests))
	}
}

func TestClearExpiredTouchesOnlySessionFiles(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	dir := s.Dir()
	live, dead := stores.NewKey(), stores.NewKey()
	if err := s.Create(ctx, live, []byte("live"), later()); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, dead, []byte("dead"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	longAgo := time.Now().Add(-48 * time.Hour)
	k := stores.NewKey()
	files := []struct {
		name  string
		mtime time.Time
		kept  bool
	}{
		{"README", longAgo, true},
		{"sessionid" + "ABCDEFGHIJKL", longAgo, true},         // not a valid key
		{"sessionid" + "abc", longAgo, true},                  // too short to be a key
		{"othercookie" + k, longAgo, true},                    // another prefix
		{"sessionid" + k + "_out_fresh123", time.Now(), true}, // Django's temp file, being written
		{"sessionid" + k + "_out_stale123", longAgo, false},   // Django's temp file, left by a crash
		// Ours carry their creation time in the name and the expiry as mtime.
		{"sessionid" + k + "_out_" + "1" + "-abc", time.Now().Add(time.Hour), false}, // created in 1970
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("foreign"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, f.mtime, f.mtime); err != nil {
			t.Fatal(err)
		}
	}
	// A directory named like an expired session is not a session file.
	sub := filepath.Join(dir, "sessionid"+stores.NewKey())
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(sub, longAgo, longAgo); err != nil {
		t.Fatal(err)
	}

	if err := s.ClearExpired(ctx); err != nil {
		t.Fatalf("ClearExpired: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sessionid"+dead)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the expired session file is still there: %v", err)
	}
	if got, err := s.Load(ctx, live); err != nil || string(got) != "live" {
		t.Errorf("the live session = %q, %v", got, err)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(dir, f.name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s: kept = %v, want %v", f.name, kept, f.kept)
		}
	}
	if _, err := os.Stat(sub); err != nil {
		t.Errorf("a directory named like a session was removed: %v", err)
	}
}

func TestTouchChangesTheExpiryAndNotTheData(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	key := stores.NewKey()
	if err := s.Create(ctx, key, []byte("kept"), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(3 * time.Hour).Truncate(time.Second)
	if err := s.Touch(ctx, key, exp); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(s.Dir(), "sessionid"+key))
	if err != nil || !fi.ModTime().Equal(exp) {
		t.Fatalf("mtime after Touch = %v, %v; want %v", fi.ModTime(), err, exp)
	}
	if got, err := s.Load(ctx, key); err != nil || string(got) != "kept" {
		t.Fatalf("Load after Touch = %q, %v", got, err)
	}
	expired := stores.NewKey()
	if err := s.Create(ctx, expired, []byte("x"), time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := s.Touch(ctx, expired, later()); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Touch of an expired record = %v, want ErrNotFound (no resurrection)", err)
	}
}

func TestExpiryExtremes(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	tests := []struct {
		name   string
		expiry time.Time
		live   bool
	}{
		{"the zero time is long past", time.Time{}, false},
		{"the year 3000 is far ahead", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := stores.NewKey()
			if err := s.Create(ctx, key, []byte("x"), tc.expiry); err != nil {
				t.Fatal(err)
			}
			if ok, err := s.Exists(ctx, key); ok != tc.live || err != nil {
				t.Fatalf("Exists = %v, %v; want %v", ok, err, tc.live)
			}
		})
	}
}

func TestErrorsNameAtMostSixCharactersOfAKey(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	key := stores.NewKey()
	// A directory where the file should be makes reads fail with an
	// error that carries the path.
	p := filepath.Join(s.Dir(), "sessionid"+key)
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, later(), later()); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(ctx, key)
	if err == nil || errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("Load of a directory = %v, want a store error", err)
	}
	if strings.Contains(err.Error(), key[:7]) {
		t.Fatalf("error %q shows more than six characters of the key", err)
	}
	if !strings.Contains(err.Error(), "sessionid"+key[:6]+"…") {
		t.Fatalf("error %q does not name the file by its first six characters", err)
	}
}

func TestACancelledContextIsReported(t *testing.T) {
	s := newStore(t)
	key := stores.NewKey()
	if err := s.Create(context.Background(), key, []byte("x"), later()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := map[string]func() error{
		"Load":         func() error { _, err := s.Load(ctx, key); return err },
		"Create":       func() error { return s.Create(ctx, stores.NewKey(), nil, later()) },
		"Update":       func() error { return s.Update(ctx, key, nil, later()) },
		"Touch":        func() error { return s.Touch(ctx, key, later()) },
		"Delete":       func() error { return s.Delete(ctx, key) },
		"Exists":       func() error { _, err := s.Exists(ctx, key); return err },
		"ClearExpired": func() error { return s.ClearExpired(ctx) },
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v, want context.Canceled", name, err)
		}
	}
	if got, err := s.Load(context.Background(), key); err != nil || string(got) != "x" {
		t.Fatalf("record after calls with a cancelled context = %q, %v", got, err)
	}
	if got := names(t, s.Dir()); len(got) != 1 {
		t.Fatalf("directory holds %q, want the one record", got)
	}
}

func TestWithFsyncStillWorks(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, filestore.WithFsync())
	key := stores.NewKey()
	if err := s.Create(ctx, key, []byte("a"), later()); err != nil {
		t.Fatal(err)
	}
	if err := s.Update(ctx, key, []byte("b"), later()); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(ctx, key); err != nil || string(got) != "b" {
		t.Fatalf("Load = %q, %v", got, err)
	}
}
