package filestore_test

import (
	"testing"

	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/storetest"
)

func BenchmarkStore(b *testing.B) {
	s, err := filestore.New(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	storetest.Bench(b, s)
}
