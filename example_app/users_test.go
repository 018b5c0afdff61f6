package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/sessiontest"
)

// on returns b as seen by another instance of the app: the same cookies,
// sent to srv.
func (b *browser) on(srv *server) *browser {
	return &browser{t: b.t, srv: srv, c: sessiontest.NewClient(b.t, srv, sessiontest.WithMiddleware(srv.sessions), sessiontest.WithCookiesOf(b.c))}
}

// Two instances of the app, each with its own in-memory state, on one Redis
// and one users database (the SQLite file of a shared data directory): a
// login made on one is a login on the other, a logout on the other ends it
// on the first, and a password changed on one ends the other's sessions.
func TestTwoInstancesShareLoginsThroughRedisAndAuthUser(t *testing.T) {
	client := testenv.Redis(t) // skips, or fails under CI, without a server
	prefix := testenv.RedisPrefix(t, client, "gs_example_")
	cfg := testConfig(t, "redis")
	cfg.RedisAddr = testenv.RedisAddr()
	cfg.redisPrefix = prefix
	twoInstancesShareLogins(t, cfg)
}

// twoInstancesShareLogins starts two instances of the app on cfg and checks
// that logins, logouts and password changes made on one hold on the other.
func twoInstancesShareLogins(t *testing.T, cfg config) {
	t.Helper()
	one, two := startApp(t, cfg), startApp(t, cfg)

	b := newBrowser(t, one)
	b.login("alice", "wonderland", true)
	if got := b.on(two).loggedInAs(); got != "1" {
		t.Fatalf("instance two's profile after logging in on one: user %q, want alice (1)", got)
	}
	b.on(two).post("/logout", url.Values{})
	if got := b.loggedInAs(); got != "" {
		t.Fatalf("instance one after logging out on two: user %q, want logged out", got)
	}

	here, there := newBrowser(t, one), newBrowser(t, two)
	here.login("alice", "wonderland", true)
	there.login("alice", "wonderland", true)
	p := here.post("/password", url.Values{"current_password": {"wonderland"}, "new_password": {"looking-glass"}, "confirm_password": {"looking-glass"}})
	if p.StatusCode != 303 {
		t.Fatalf("password change on one: %d (%s)", p.StatusCode, errorText(p.body))
	}
	if got := there.loggedInAs(); got != "" {
		t.Errorf("instance two's old session after the change on one: user %q, want logged out", got)
	}
	if got := here.on(two).loggedInAs(); got != "1" {
		t.Errorf("the changing browser on instance two: user %q, want alice", got)
	}
	newBrowser(t, two).login("alice", "looking-glass", false)
}

func TestTheLoginFlowWorksOnSQLite(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	srv := loginFlow(t, cfg)
	newBrowser(t, srv).login("bob", "builder", true)
	db := testenv.OpenSQLite(t, "file:"+filepath.Join(cfg.DataDir, sqliteFile))
	var rows int
	if err := db.Get(&rows, "SELECT COUNT(*) FROM django_session"); err != nil || rows != 1 {
		t.Errorf("django_session holds %d rows (%v) after one live login, want 1", rows, err)
	}
	var hash string
	if err := db.Get(&hash, "SELECT password FROM auth_user WHERE username = 'alice'"); err != nil || !strings.HasPrefix(hash, "pbkdf2_sha256$1000$") {
		t.Errorf("alice's auth_user.password = %q, %v; want Django's pbkdf2_sha256 format", hash, err)
	}
}

func TestDemoUsersAreAddedOnlyToATableTheAppCreates(t *testing.T) {
	cfg := testConfig(t, "memory")
	s, err := newServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db := testenv.OpenSQLite(t, "file:"+filepath.Join(cfg.DataDir, sqliteFile))
	if _, err := db.Exec("DELETE FROM auth_user WHERE username = 'bob'"); err != nil {
		t.Fatal(err)
	}
	srv := startApp(t, cfg) // a second start finds the table
	if p := newBrowser(t, srv).post("/login", url.Values{"username": {"bob"}, "password": {"builder"}}); p.StatusCode == 303 {
		t.Error("the second start put bob back into an existing auth_user")
	}
	newBrowser(t, srv).login("alice", "wonderland", false)
}

// django runs Django 3.2 (Debian's) on the app's SQLite file with the
// interop tests' settings and secret; args are a manage.py command, or
// "side" and a django_side.py command whose JSON answer goes into resp.
func django(t *testing.T, dataDir string, env []string, req, resp any, args ...string) {
	t.Helper()
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import django").CombinedOutput(); err != nil {
		if testenv.InCI() {
			t.Fatalf("Django is missing under CI: %v %s", err, out)
		}
		t.Skipf("Django is not installed: %v", err)
	}
	dir, err := filepath.Abs(filepath.Join("..", "interop", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, append([]string{"-m", "django"}, args...)...)
	if args[0] == "side" {
		cmd = exec.Command(python, append([]string{filepath.Join(dir, "django_side.py")}, args[1:]...)...)
	}
	// env comes last, so a caller may point Django at another database
	// (exec keeps the last value of a repeated key).
	cmd.Env = append(append(os.Environ(),
		"PYTHONPATH="+dir, "PYTHONDONTWRITEBYTECODE=1", "DJANGO_SETTINGS_MODULE=interop_settings",
		"GINSESSION_SECRET_KEY="+testSecret,
		"GINSESSION_DB_ENGINE=sqlite3", "GINSESSION_DB_NAME="+filepath.Join(dataDir, sqliteFile)), env...)
	in, _ := json.Marshal(req)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("django %v: %v\n%s", args, err, stderr.String())
	}
	if resp != nil {
		if err := json.Unmarshal(stdout.Bytes(), resp); err != nil {
			t.Fatalf("django %v: answer %q: %v", args, stdout.String(), err)
		}
	}
}

// A user made by Django's createsuperuser, with Django's default hasher and
// iterations, logs in to the app on the same db.sqlite3; a password changed
// in Django ends the app's old sessions, and one changed in the app ends
// Django's.
func TestADjangoSuperuserLogsInAndPasswordChangesEndTheOtherSidesSessions(t *testing.T) {
	cfg := testConfig(t, "sqlite")
	if err := ensureDataDir(cfg.DataDir); err != nil {
		t.Fatal(err)
	}
	django(t, cfg.DataDir, nil, nil, nil, "migrate", "-v0")
	django(t, cfg.DataDir, []string{"DJANGO_SUPERUSER_PASSWORD=queen-of-hearts"}, nil, nil,
		"createsuperuser", "--noinput", "--username", "carol", "--email", "carol@example.com")
	srv := startApp(t, cfg)

	if p := newBrowser(t, srv).post("/login", url.Values{"username": {"alice"}, "password": {"wonderland"}}); p.StatusCode == 303 {
		t.Error("demo users were added to Django's auth_user")
	}
	goSession := newBrowser(t, srv)
	goSession.login("carol", "queen-of-hearts", true)
	id := goSession.loggedInAs()
	if id == "" {
		t.Fatal("carol's profile after login: not logged in")
	}

	var u struct {
		Password string `json:"password"`
	}
	django(t, cfg.DataDir, nil, map[string]string{"username": "carol", "password": "off-with-heads"}, &u, "side", "auth_set_password")
	if !strings.HasPrefix(u.Password, "pbkdf2_sha256$260000$") {
		t.Fatalf("Django's new hash %q", u.Password)
	}
	if got := goSession.loggedInAs(); got != "" {
		t.Errorf("the app's session after Django changed the password: user %q, want logged out", got)
	}

	var login struct {
		Key string `json:"key"`
	}
	django(t, cfg.DataDir, nil, map[string]string{"username": "carol"}, &login, "side", "auth_login")
	b := newBrowser(t, srv)
	b.login("carol", "off-with-heads", true)
	if p := b.post("/password", url.Values{"current_password": {"off-with-heads"}, "new_password": {"mad-hatter-tea"}, "confirm_password": {"mad-hatter-tea"}}); p.StatusCode != 303 {
		t.Fatalf("password change in the app: %d (%s)", p.StatusCode, errorText(p.body))
	}
	var got struct {
		User *struct {
			ID int `json:"id"`
		} `json:"user"`
	}
	django(t, cfg.DataDir, nil, map[string]string{"key": login.Key}, &got, "side", "auth_get_user")
	if got.User != nil {
		t.Errorf("Django's session after the app changed the password: user %v, want AnonymousUser", got.User.ID)
	}
	newBrowser(t, srv).login("carol", "mad-hatter-tea", false)
}
