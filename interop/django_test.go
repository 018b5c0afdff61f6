package interop

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ginsession/ginsession"
)

// python is Debian's interpreter, which sees the python3-django package (a
// pyenv or venv python3 earlier on PATH would not).
const python = "/usr/bin/python3"

// The secrets both sides share; oldSecret plays the key before a rotation.
const (
	secret    = "ginsession-interop-secret-key-0123456789abcdef"
	oldSecret = "ginsession-interop-OLD-secret-key-9876543210zyx"
)

const (
	dbEngine     = "django.contrib.sessions.backends.db"
	cookieEngine = "django.contrib.sessions.backends.signed_cookies"
)

// sampleJSON exercises what must survive the trip: non-ASCII (é, 😀, astral
// and BMP, in keys too), characters JSON encoders like to escape, ints
// beyond 2^53, floats, bools, null, nested lists and dicts. Nested dict keys
// are listed in sorted order, because Go maps below the top level do not keep
// insertion order (JSONCodec writes them sorted).
const sampleJSON = `{"_auth_user_id":"42","name":"Zoë é 😀","clé":"valeur","html":"<a href='x'>&amp;</a> / \\ \"q\"","line":"a\u2028b\nc\t\u0001","ints":[0,-7,2147483648,9007199254740993],"floats":[0.1,2.5,1.0,1e+16,-3.25e-07],"yes":true,"no":false,"nothing":null,"nested":{"empty":{},"list":[1,[2,[3,{"deep":"ü"}]]],"none":[]}}`

// bigJSON is large and repetitive enough that both sides compress it (nested
// keys sorted, as for sampleJSON).
var bigJSON = `{"cart":[` + strings.Repeat(`{"name":"Crème brûlée 😀","qty":2,"sku":"ABC-123"},`, 40) + `{"sku":"end"}],"user":"42"}`

var samples = []struct{ name, json string }{
	{"mixed types and non-ASCII", sampleJSON},
	{"large compressible data", bigJSON},
	{"empty", `{}`},
	{"integers past 64 bits", `{"big":1180591620717411303424,"neg":-1180591620717411303424,"max":18446744073709551615,"min":-9223372036854775808,"f":9007199254740994.0}`},
}

// djangoAvailable reports, once per test binary, whether python imports
// django.
var djangoAvailable = sync.OnceValue(func() error {
	out, err := exec.Command(python, "-c", "import django").CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return fmt.Errorf("%s cannot import django: %v: %s", python, err, lines[len(lines)-1])
	}
	return nil
})

// needDjango skips the test when Django is missing, or fails it under CI,
// where the setup scripts should have installed it.
func needDjango(t *testing.T) {
	t.Helper()
	if err := djangoAvailable(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop tests need Django under CI: %v (.ci/setup.d/20-django.sh installs it)", err)
		}
		t.Skipf("skipping Django interop: %v (run .ci/setup.d/20-django.sh)", err)
	}
}

// djangoEnv configures one run of the Django side.
type djangoEnv struct {
	engine    string
	secret    string
	fallbacks []string
	dbEngine  string // "" for MariaDB, "sqlite3"
	dbName    string
	script    string   // in testdata; "" for django_side.py
	extraEnv  []string // "NAME=value"s over the above (DJANGO_SETTINGS_MODULE too)
}

// run sends req to `django_side.py cmd` and decodes its answer into resp.
func (e djangoEnv) run(t *testing.T, cmd string, req, resp any) {
	t.Helper()
	script := e.script
	if script == "" {
		script = "django_side.py"
	}
	e.runScript(t, script, cmd, req, resp)
}

// runScript is run with another script of testdata.
func (e djangoEnv) runScript(t *testing.T, script, cmd string, req, resp any) {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	c := exec.Command(python, filepath.Join(dir, script), cmd)
	c.Env = append(os.Environ(),
		"PYTHONPATH="+dir,
		"PYTHONDONTWRITEBYTECODE=1",
		"DJANGO_SETTINGS_MODULE=interop_settings",
		"GINSESSION_SESSION_ENGINE="+e.engine,
		"GINSESSION_SECRET_KEY="+e.secret,
		"GINSESSION_SECRET_KEY_FALLBACKS="+strings.Join(e.fallbacks, ","),
		"GINSESSION_DB_ENGINE="+e.dbEngine,
		"GINSESSION_DB_NAME="+e.dbName,
	)
	c.Env = append(c.Env, e.extraEnv...) // the last of a name wins
	c.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", script, cmd, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), resp); err != nil {
		t.Fatalf("%s %s: bad answer %q: %v\n%s", script, cmd, stdout.String(), err, stderr.String())
	}
}

// djangoVersion returns Django's version and whether it has
// SECRET_KEY_FALLBACKS (4.1 and later).
func djangoVersion(t *testing.T) (string, bool) {
	t.Helper()
	var resp struct {
		Version   string `json:"version"`
		Fallbacks bool   `json:"fallbacks"`
	}
	djangoEnv{engine: dbEngine, secret: secret}.run(t, "version", struct{}{}, &resp)
	return resp.Version, resp.Fallbacks
}

// goValues parses JSON as the Go side holds a session: ordered keys, values
// with ints as int.
func goValues(t *testing.T, js string) ([]string, map[string]any) {
	t.Helper()
	keys, values, err := ginsession.JSONCodec{}.Decode([]byte(js))
	if err != nil {
		t.Fatalf("JSONCodec cannot read %s: %v", js, err)
	}
	return keys, values
}

// sameSession fails the test unless data (session JSON) holds what want
// holds, in the same key order, with the same Go types.
func sameSession(t *testing.T, got []string, gotValues map[string]any, want string) {
	t.Helper()
	wantKeys, wantValues := goValues(t, want)
	if len(got) == 0 && len(wantKeys) == 0 {
		got, wantKeys = nil, nil
	}
	if !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("keys %q, want %q", got, wantKeys)
	}
	if !reflect.DeepEqual(gotValues, wantValues) {
		t.Errorf("values %#v\nwant   %#v", gotValues, wantValues)
	}
}

// pyLoaded is Django's answer after reading session data: the data as JSON,
// and whether it equals the request's "json" (types and key order included).
type pyLoaded struct {
	JSON     string `json:"json"`
	Same     bool   `json:"same"`
	Accepted bool   `json:"accepted"`
}
