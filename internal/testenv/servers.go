package testenv

import (
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// RedisCluster starts a 3-master Redis Cluster with .ci/redis-cluster.sh on
// the first free trio of loopback ports from `from` on (below `to`, in steps
// of 10), stops it when the test ends, and returns the masters' addresses.
// Give each package its own range, so packages tested in parallel do not
// race for the same ports.
func RedisCluster(t testing.TB, from, to int) []string {
	t.Helper()
	base := startServers(t, "redis-cluster.sh", from, to, func(b int) []int {
		return []int{b, b + 1, b + 2, b + 10000, b + 10001, b + 10002}
	})
	return []string{addr(base), addr(base + 1), addr(base + 2)}
}

// RedisSentinel starts a master named "ginsession" and one Sentinel with
// .ci/redis-sentinel.sh on ports from `from` on (below `to`), stops them when
// the test ends, and returns the Sentinel's address.
func RedisSentinel(t testing.TB, from, to int) string {
	t.Helper()
	base := startServers(t, "redis-sentinel.sh", from, to, func(b int) []int { return []int{b, b + 1} })
	return addr(base + 1)
}

// startMu serialises the choice of ports between parallel tests.
var startMu sync.Mutex

// startServers runs script start BASE for the first BASE in [from, to) in
// steps of 10 whose ports are all free, and script stop BASE at the end of
// the test.
func startServers(t testing.TB, script string, from, to int, ports func(int) []int) int {
	t.Helper()
	startMu.Lock()
	defer startMu.Unlock()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", ".ci", script)
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(t, script, err)
	}
	var failed error
	for base := from; base < to; base += 10 {
		if !portsFree(ports(base)...) {
			continue
		}
		out, err := exec.Command("bash", path, "start", strconv.Itoa(base)).CombinedOutput()
		if err != nil {
			// Another process may have taken a port between the check and
			// the start: the script stopped what it started, so try the next.
			failed = fmt.Errorf("start %d: %v\n%s", base, err, out)
			continue
		}
		t.Cleanup(func() {
			if out, err := exec.Command("bash", path, "stop", strconv.Itoa(base)).CombinedOutput(); err != nil {
				t.Errorf("%s stop %d: %v\n%s", script, base, err, out)
			}
		})
		return base
	}
	if failed != nil {
		unavailable(t, script, failed)
	}
	t.Fatalf("%s: no free ports between %d and %d", script, from, to)
	return 0
}

func addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

func unavailable(t testing.TB, script string, err error) {
	t.Helper()
	if InCI() {
		t.Fatalf(".ci/%s could not start its servers (CI=true, so this fails): %v", script, err)
	}
	t.Skipf(".ci/%s could not start its servers: %v", script, err)
}

func portsFree(ports ...int) bool {
	for _, p := range ports {
		ln, err := net.Listen("tcp", addr(p))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}
