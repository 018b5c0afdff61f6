package bench

import (
	"testing"

	"github.com/ginsession/ginsession/stores/filestore"
)

func init() { addGinsession(&fileContenders, ginsessionFile) }

// ginsessionFile keeps one file per session in a temporary directory,
// without fsync (the store's default).
func ginsessionFile(tb testing.TB) *instance {
	store, err := filestore.New(tb.TempDir())
	if err != nil {
		tb.Fatalf("filestore: %v", err)
	}
	return ginsessionInstance(store, nil)
}
