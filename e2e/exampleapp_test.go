package e2e_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// The browser tests drive the example site (../example_app) as a user runs
// it: built with `go build` in the ginsession module and started with its
// flags, so the site's code stays a main package of that module and its
// tests' browser stays out of its go.mod.

// exampleAppSecret is the -secret the tests start the site with.
const exampleAppSecret = "e2e-example-app-secret-0123456789abcdef"

var (
	buildOnce sync.Once
	builtApp  string // the binary, in a directory TestMain removes
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if builtApp != "" {
		_ = os.RemoveAll(filepath.Dir(builtApp))
	}
	os.Exit(code)
}

// buildExampleApp builds ../example_app once per test binary and returns the
// binary's path.
func buildExampleApp(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ginsession-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		bin := filepath.Join(dir, "example_app")
		// go test puts its own go first on PATH; the build runs in the
		// ginsession module, with that module's go.mod.
		cmd := exec.Command("go", "build", "-o", bin, "./example_app")
		cmd.Dir = ".."
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./example_app: %v\n%s", err, out)
			return
		}
		builtApp = bin
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtApp
}

// startExampleApp runs the example site with -store store, any further
// flags, and its data in a directory of the test's own, on a spare loopback
// port, and returns its base URL (http://127.0.0.1:port). The site is
// stopped when the test ends.
func startExampleApp(t *testing.T, store string, flags ...string) string {
	t.Helper()
	bin := buildExampleApp(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	var logs bytes.Buffer // the site's log, shown if it does not start
	var mu sync.Mutex
	cmd := exec.Command(bin, append([]string{"-addr", addr, "-store", store,
		"-data-dir", filepath.Join(t.TempDir(), "data"), "-secret", exampleAppSecret}, flags...)...)
	cmd.Env = []string{} // no GINSESSION_* from the environment: only these flags
	cmd.Stdout = &lockedWriter{mu: &mu, w: &logs}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	// It listens once the users table and the store are open: a few
	// seconds at most, even on a loaded machine.
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			exited <- err
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("example_app exited before it listened on %s: %v\n%s", addr, err, logs.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("example_app did not listen on %s within 30 s:\n%s", addr, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lockedWriter lets the process's output and the test share a buffer.
type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
