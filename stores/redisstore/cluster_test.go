package redisstore

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// startCluster starts a 3-master Redis Cluster with .ci/redis-cluster.sh on
// the first free trio of loopback ports from 7301 on, stops it when the test
// ends, and returns the masters' addresses.
func startCluster(t *testing.T) []string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "..", "..", ".ci", "redis-cluster.sh")
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(t, err)
	}
	for base := 7301; base < 7400; base += 10 {
		if !portsFree(base, base+1, base+2, base+10000, base+10001, base+10002) {
			continue
		}
		out, err := exec.Command("bash", script, "start", strconv.Itoa(base)).CombinedOutput()
		t.Cleanup(func() {
			if out, err := exec.Command("bash", script, "stop", strconv.Itoa(base)).CombinedOutput(); err != nil {
				t.Errorf("stopping the cluster: %v\n%s", err, out)
			}
		})
		if err != nil {
			unavailable(t, fmt.Errorf("%s start %d: %v\n%s", script, base, err, out))
		}
		return []string{
			net.JoinHostPort("127.0.0.1", strconv.Itoa(base)),
			net.JoinHostPort("127.0.0.1", strconv.Itoa(base+1)),
			net.JoinHostPort("127.0.0.1", strconv.Itoa(base+2)),
		}
	}
	t.Fatal("no free trio of ports for a Redis Cluster between 7301 and 7400")
	return nil
}

func unavailable(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("Redis Cluster could not be started (CI=true, so this fails): %v", err)
	}
	t.Skipf("Redis Cluster could not be started: %v", err)
}

func portsFree(ports ...int) bool {
	for _, p := range ports {
		ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		ln.Close()
	}
	return true
}
