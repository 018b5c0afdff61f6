package gincontrib_test

import (
	"os"
	"strings"
	"testing"
)

// TestTheMainModuleRequiresNeitherGinContribSessionsNorGorilla keeps the
// adapter's dependencies in this module: an application on ginsession alone
// downloads none of them.
func TestTheMainModuleRequiresNeitherGinContribSessionsNorGorilla(t *testing.T) {
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		for _, dep := range []string{"github.com/gin-contrib/sessions", "github.com/gorilla/", "github.com/boj/redistore", "github.com/utrack/gin-csrf"} {
			if strings.Contains(line, dep) {
				t.Errorf("the main module's go.mod names %s: %q", dep, strings.TrimSpace(line))
			}
		}
	}
}
