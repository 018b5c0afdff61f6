package ginsession_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/lincheck"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// The checker must reject what broken variants of the middleware do, or
// its passing the shipped code would prove nothing.

// lastWriteWins hides the store's Swapper: every save overwrites the whole
// record, as Django's and every peer's do.
type lastWriteWins struct{ stores.Store }

// lateSaveResurrects is a store whose conditional save of a record that a
// logout deleted creates it again.
type lateSaveResurrects struct {
	*memstore.Store
}

func (s lateSaveResurrects) CompareAndSwap(ctx context.Context, key string, old, data []byte, expiry time.Time) ([]byte, error) {
	cur, err := s.Store.CompareAndSwap(ctx, key, old, data, expiry)
	if errors.Is(err, stores.ErrNotFound) {
		return nil, s.Store.Create(ctx, key, data, expiry)
	}
	return cur, err
}

// nonAtomicChange is a "change" handler whose goroutines read n, then
// write it plus one, without Session.Change's lock between.
func nonAtomicChange(c *gin.Context, rep *linReport) {
	s := ginsession.From(c)
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			old, _ := s.Get("n")
			n, _ := strconv.Atoi(fmt.Sprint(old))
			time.Sleep(100 * time.Microsecond)
			s.Set("n", strconv.Itoa(n+1))
		})
	}
	wg.Wait()
	n, _ := s.Get("n")
	rep.adds = 3
	rep.changes[keyIndex("n")] = &lincheck.Change{Value: fmt.Sprint(n)}
}

func TestLinearizabilityCheckerRejectsBrokenVariants(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func() stores.Store
		run   linRun
	}{
		{"last write wins", func() stores.Store { return lastWriteWins{linNew(memstore.New())} }, linRun{}},
		{"a late save undoes a logout", func() stores.Store { return lateSaveResurrects{linNew(memstore.New())} }, linRun{}},
		{"a non-atomic read-modify-write", func() stores.Store { return linNew(memstore.New()) },
			linRun{broken: map[string]func(*gin.Context, *linReport){"change": nonAtomicChange}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			run := tc.run
			run.browsers, run.clients, run.ops = 2, 4, 2000
			for seed := uint64(1); seed <= 10; seed++ {
				run.seed = seed
				ops := runLin(t, newLinApp(t, tc.store(), run), run, &linCounts{})
				if res := checkLin(t, dir, fmt.Sprintf("seed%d", seed), ops); res == porcupine.Illegal {
					html, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("lincheck-seed%d.html", seed)))
					if err != nil || len(html) == 0 {
						t.Errorf("no visualization written: %v", err)
					}
					t.Logf("rejected at seed %d, %d operations", seed, len(ops))
					return
				}
			}
			t.Errorf("10 histories of %s passed the check", tc.name)
		})
	}
}
