package sqlstore

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/storetest"
)

// sqliteDB opens a fresh database file in the test's temporary directory.
func sqliteDB(t testing.TB) *sqlx.DB {
	t.Helper()
	return testenv.OpenSQLite(t, SQLiteDSN(filepath.Join(t.TempDir(), "db.sqlite3")))
}

func TestConformanceSQLiteOnAFile(t *testing.T) {
	t.Parallel()
	db := sqliteDB(t)
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, db) })
}

func TestConformanceSQLiteWithoutPreparedStatements(t *testing.T) {
	t.Parallel()
	db := sqliteDB(t)
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, db, WithoutPreparedStatements()) })
}

// djangoSQLiteDDL is what sqlite_master holds after Django 3.2's
// `manage.py migrate sessions` on SQLite (interop/ checks it against a live
// Django too).
var djangoSQLiteDDL = []string{
	`CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL)`,
	`CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date")`,
}

func TestSQLiteCreateTableMakesDjangosTableAndWAL(t *testing.T) {
	db := sqliteDB(t)
	s, err := New(db)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := s.CreateTable(context.Background()); err != nil {
			t.Fatalf("CreateTable #%d: %v", i+1, err)
		}
	}
	var got []string
	if err := db.Select(&got, "SELECT sql FROM sqlite_master WHERE tbl_name = 'django_session' AND sql IS NOT NULL ORDER BY type DESC"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(djangoSQLiteDDL, "\n") {
		t.Errorf("sqlite_master holds\n%s\nwant Django's\n%s", strings.Join(got, "\n"), strings.Join(djangoSQLiteDDL, "\n"))
	}
	ddl, err := Schema(SQLite, DefaultTable)
	if err != nil || strings.Join(ddl, ";\n") != SQLiteSchema {
		t.Errorf("Schema(SQLite) = %q, %v; want SQLiteSchema", ddl, err)
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestSQLiteDSNSetsBusyTimeoutOnEveryPooledConnection(t *testing.T) {
	db := sqliteDB(t)
	ctx := context.Background()
	var conns []*sql.Conn
	for i := 0; i < 3; i++ {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var ms int
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&ms); err != nil || ms != int(DefaultBusyTimeout.Milliseconds()) {
			t.Errorf("connection %d: busy_timeout = %d, %v; want %d", i, ms, err, DefaultBusyTimeout.Milliseconds())
		}
	}
	for _, c := range conns {
		c.Close()
	}
	if got := SQLiteDSN("/tmp/a b?c#d.sqlite3"); got != "file:/tmp/a%20b%3Fc%23d.sqlite3?_busy_timeout=5000&_journal_mode=WAL" {
		t.Errorf("SQLiteDSN escapes the path as %q", got)
	}
}

func TestSQLiteDialectIsDetectedFromTheDriver(t *testing.T) {
	db := sqliteDB(t)
	for _, name := range []string{"sqlite", "sqlite3", "something-else"} {
		s, err := New(sqlx.NewDb(db.DB, name))
		if err != nil || s.Dialect() != SQLite {
			t.Errorf("driver name %q on modernc's driver: dialect %v, %v; want sqlite", name, s.Dialect(), err)
		}
	}
}

// Times go in as Django's SQLite backend writes them (str() of a naive UTC
// datetime), and Django's text reads back as the instant it names.
func TestSQLiteTimesAreDjangosText(t *testing.T) {
	db := sqliteDB(t)
	s := newStore(t, db)
	ctx := context.Background()
	for _, tc := range []struct {
		exp  time.Time
		want string
	}{
		{time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.UTC), "2031-05-06 07:08:09.123456"},
		{time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC), "2031-05-06 07:08:09"},
		{time.Date(2031, 5, 6, 16, 8, 9, 1000, time.FixedZone("JST", 9*3600)), "2031-05-06 07:08:09.000001"},
	} {
		k := stores.NewKey()
		if err := s.Create(ctx, k, []byte("x"), tc.exp); err != nil {
			t.Fatal(err)
		}
		var raw, typ string
		if err := db.QueryRow(`SELECT CAST(expire_date AS TEXT), typeof(expire_date) FROM "`+s.Table()+`" WHERE session_key = ?`, k).Scan(&raw, &typ); err != nil {
			t.Fatal(err)
		}
		if raw != tc.want || typ != "text" {
			t.Errorf("expiry %v stored as %s %q, want text %q", tc.exp, typ, raw, tc.want)
		}
		var data string
		if err := db.QueryRow(`SELECT typeof(session_data) FROM "`+s.Table()+`" WHERE session_key = ?`, k).Scan(&data); err != nil || data != "text" {
			t.Errorf("session_data stored as %q, %v; want text (Django reads a BLOB as bytes)", data, err)
		}
		_, got, err := s.LoadWithExpiry(ctx, k)
		if err != nil || !got.Equal(tc.exp.Truncate(time.Microsecond)) {
			t.Errorf("LoadWithExpiry = %v, %v; want %v", got, err, tc.exp)
		}
	}

	// Rows as Django writes them: with and without a fraction, live and
	// expired by a microsecond.
	now := time.Date(2030, 1, 2, 3, 4, 5, 500000000, time.UTC)
	s.now = func() time.Time { return now }
	for raw, live := range map[string]bool{
		"2030-01-02 03:04:05.500001": true,
		"2030-01-02 03:04:05.500000": false,
		"2030-01-02 03:04:06":        true,
		"2030-01-02 03:04:05":        false,
	} {
		k := stores.NewKey()
		if _, err := db.Exec(`INSERT INTO "`+s.Table()+`" VALUES (?, 'e30:1r8Q2x:sig', ?)`, k, raw); err != nil {
			t.Fatal(err)
		}
		_, exp, err := s.LoadWithExpiry(ctx, k)
		if live != (err == nil) {
			t.Errorf("a Django row expiring %s at %v: Load = %v, want live=%v", raw, now, err, live)
		}
		if live {
			want, _ := time.Parse("2006-01-02 15:04:05.999999", raw)
			if !exp.Equal(want) {
				t.Errorf("expiry of %s read as %v", raw, exp)
			}
		}
		if ok, err := s.Exists(ctx, k); ok != live || err != nil {
			t.Errorf("Exists(%s) = %v, %v; want %v", raw, ok, err, live)
		}
	}
}

// childEnv makes the test binary a worker of TestSQLiteAcrossProcesses.
const childEnv = "GINSESSION_SQLITE_WORKER"

// TestSQLiteAcrossProcesses runs two processes (this test binary, re-run as
// workers) against one database file at once. Both try to Create the same
// keys: each key has exactly one winner, and the row holds the winner's
// data. Both Update one shared record in a tight loop while reading it:
// every read is one whole write, and no statement fails with "database is
// locked" (the busy timeout waits instead).
func TestSQLiteAcrossProcesses(t *testing.T) {
	if spec := os.Getenv(childEnv); spec != "" {
		sqliteWorker(t, spec)
		return
	}
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	db := testenv.OpenSQLite(t, SQLiteDSN(path))
	s := newStore(t, db)
	ctx := context.Background()
	shared := stores.NewKey()
	if err := s.Create(ctx, shared, []byte("start"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	const n = 300
	keys := make([]string, n)
	for i := range keys {
		keys[i] = stores.NewKey()
	}
	keyFile := filepath.Join(t.TempDir(), "keys")
	if err := os.WriteFile(keyFile, []byte(strings.Join(keys, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	won := make([]map[string]bool, 2)
	errs := make([]error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteAcrossProcesses$", "-test.count=1")
			cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d|%s|%s|%s|%s", childEnv, w, path, s.Table(), shared, keyFile))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				errs[w] = fmt.Errorf("worker %d: %v\n%s\n%s", w, err, out, stderr.String())
				return
			}
			won[w] = map[string]bool{}
			sc := bufio.NewScanner(bytes.NewReader(out))
			for sc.Scan() {
				if k, ok := strings.CutPrefix(sc.Text(), "won "); ok {
					won[w][k] = true
				}
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range keys {
		if won[0][k] == won[1][k] {
			t.Errorf("key %s: won by worker 0: %v, by worker 1: %v; want exactly one", stores.Redact(k), won[0][k], won[1][k])
			continue
		}
		want := "worker 0"
		if won[1][k] {
			want = "worker 1"
		}
		if got, err := s.Load(ctx, k); err != nil || string(got) != want {
			t.Errorf("key %s holds %q, %v; want the winner's %q", stores.Redact(k), got, err, want)
		}
	}
	if len(won[0]) == 0 || len(won[1]) == 0 {
		t.Logf("one worker won every key (%d and %d): the processes barely overlapped", len(won[0]), len(won[1]))
	}
	if got, err := s.Load(ctx, shared); err != nil || !strings.HasPrefix(string(got), "worker ") {
		t.Errorf("shared record = %q, %v; want a worker's last write", got, err)
	}
}

// sqliteWorker is one process of TestSQLiteAcrossProcesses.
func sqliteWorker(t *testing.T, spec string) {
	f := strings.Split(spec, "|")
	id, path, table, shared, keyFile := f[0], f[1], f[2], f[3], f[4]
	raw, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.OpenSQLite(t, SQLiteDSN(path))
	s, err := New(db, WithTable(table))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	me := "worker " + id
	exp := time.Now().Add(time.Hour)
	var wg sync.WaitGroup
	var mu sync.Mutex
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		t.Errorf(format, args...)
	}
	// Four goroutines hammer the shared record while the main one creates.
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 150; i++ {
				v := me + " g" + strconv.Itoa(g) + " #" + strconv.Itoa(i) + " " + strings.Repeat("x", 200)
				if err := s.Update(ctx, shared, []byte(v), exp); err != nil {
					fail("Update: %v", err)
					return
				}
				got, err := s.Load(ctx, shared)
				if err != nil || !strings.HasPrefix(string(got), "worker ") || !strings.HasSuffix(string(got), " "+strings.Repeat("x", 200)) {
					fail("Load of the shared record = %q, %v", got, err)
					return
				}
			}
		}(g)
	}
	for _, k := range strings.Split(string(raw), "\n") {
		err := s.Create(ctx, k, []byte(me), exp)
		switch {
		case err == nil:
			fmt.Printf("won %s\n", k)
		case errors.Is(err, stores.ErrExists):
		default:
			fail("Create: %v", err)
		}
	}
	wg.Wait()
}

// TestSQLiteWritesOfOneStoreNeverMeetEachOther opens the file with a busy
// timeout of 100 ms, which absorbs the brief locks a connection takes now
// and then but not a wait behind other writers. Eight goroutines of one
// Store write (Update, CompareAndSwap, Touch, Create, Delete) side by side
// while others read: none may fail, because the store lets one of its
// writes at a time at SQLite, in the order they came. Without that, each
// run here fails several writes with "database is locked": a writer polling
// for the lock starves behind the others for longer than the timeout, as a
// swap once did on a loaded CI machine after five seconds' wait.
func TestSQLiteWritesOfOneStoreNeverMeetEachOther(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	db := testenv.OpenSQLite(t, "file:"+path+"?_busy_timeout=100")
	// No connection is opened or closed during the run: a new one's first
	// statements take locks of their own, outside any Store.
	db.SetMaxIdleConns(32)
	s := newStore(t, db) // CreateTable makes the file WAL
	ctx := context.Background()
	k := stores.NewKey()
	if err := s.Create(ctx, k, []byte("0"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	const writers, readers, rounds = 8, 2, 150
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	stop := make(chan struct{})
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := s.Load(ctx, k); err != nil {
					errs <- fmt.Errorf("reader: %w", err)
					return
				}
			}
		}()
	}
	var writing sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		writing.Add(1)
		go func() {
			defer wg.Done()
			defer writing.Done()
			own := stores.NewKey()
			for i := 0; i < rounds; i++ {
				var err error
				switch i % 5 {
				case 0:
					err = s.Update(ctx, k, fmt.Appendf(nil, "%d-%d", w, i), time.Now().Add(time.Hour))
				case 1:
					var cur []byte
					if cur, err = s.Load(ctx, k); err == nil {
						_, err = s.CompareAndSwap(ctx, k, cur, fmt.Appendf(nil, "%d-%d", w, i), time.Now().Add(time.Hour))
						if errors.Is(err, stores.ErrConflict) {
							err = nil
						}
					}
				case 2:
					err = s.Touch(ctx, k, time.Now().Add(time.Hour))
				case 3:
					err = s.Create(ctx, own, []byte("own"), time.Now().Add(time.Hour))
				case 4:
					err = s.Delete(ctx, own)
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d, write %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	writing.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestSQLiteAWriteWaitingForTheGateEndsWithItsContext holds the store's
// write gate, as a long write would: a write queued behind it returns when
// its context ends, with the context's error, and changes nothing.
func TestSQLiteAWriteWaitingForTheGateEndsWithItsContext(t *testing.T) {
	s := newStore(t, sqliteDB(t))
	k := stores.NewKey()
	if err := s.Create(context.Background(), k, []byte("kept"), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.writes.enter(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Update(ctx, k, []byte("lost"), time.Now().Add(time.Hour))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Update behind a held gate = %v; want context.DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("Update waited %v for a context of 50 ms", waited)
	}
	s.writes.leave()
	if got, err := s.Load(context.Background(), k); err != nil || string(got) != "kept" {
		t.Errorf("Load = %q, %v; want the data kept", got, err)
	}
	if err := s.Update(context.Background(), k, []byte("next"), time.Now().Add(time.Hour)); err != nil {
		t.Errorf("Update once the gate is free: %v", err)
	}
}
