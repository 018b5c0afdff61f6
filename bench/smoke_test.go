package bench

import (
	"strings"
	"testing"
)

// ginsessionRT is the number of store round trips ginsession's server-side
// stores may make per scenario: none for a session nobody uses, one load to
// read, a load and an update to write, one insert for a new session.
var ginsessionRT = map[string]int64{"untouched": 0, "read": 1, "write": 2, "new": 1}

// TestScenarios runs every scenario of every contender once and checks its
// result, so `go test ./...` in bench proves the benchmarks measure working
// requests. Redis and MySQL contenders are skipped when their server is not
// running, except under CI=true.
func TestScenarios(t *testing.T) {
	for _, g := range []struct {
		store  string
		cs     []contender
		rtWant map[string]int64 // for ginsession
	}{
		{"memory", memoryContenders, nil},
		{"cookie", cookieContenders, nil},
		{"redis", redisContenders, ginsessionRT},
		{"mysql", mysqlContenders, ginsessionRT},
		{"file", fileContenders, nil},
		{"cached", cachedContenders, cachedRT},
	} {
		t.Run(g.store, func(t *testing.T) {
			for _, c := range g.cs {
				t.Run(c.lib, func(t *testing.T) {
					var want map[string]int64
					if strings.HasPrefix(c.lib, "ginsession") {
						want = g.rtWant
					}
					checkScenarios(t, c.setup(t), want)
				})
			}
		})
	}
}

// TestFloor checks the raw store operations the benchmarks compare with.
func TestFloor(t *testing.T) {
	t.Run("redis-GET", func(t *testing.T) { redisFloor(t, true)(t) })
	t.Run("mysql-SELECT", func(t *testing.T) { mysqlFloor(t, true)(t) })
	t.Run("memory-new", func(t *testing.T) {
		// prepareNew checks that the session it starts is stored and read back.
		for _, sc := range scenarios {
			if sc.name == "new" {
				step, _ := sc.prepare(t, newSessionFloor(t))
				step(t)
			}
		}
	})
}
