package filestore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// ClearExpired deletes the session files whose expiry has passed, Django's
// clearsessions, and the index entries of sessions gone. Only regular files
// named <prefix><valid key> count as sessions; of other files it removes only
// temporary ones (<prefix><key>_out_...) older than an hour, which a crashed
// write left. It returns the context's error between batches of the
// directory; a file it cannot remove does not stop it, and the first such
// error is returned at the end.
func (s *Store) ClearExpired(ctx context.Context) error {
	err := s.sweep(ctx, s.dir, func(e fs.DirEntry) error {
		rest, ok := strings.CutPrefix(e.Name(), s.prefix)
		if !ok || !e.Type().IsRegular() {
			return nil
		}
		if stores.ValidKey(rest) {
			if err := s.removeExpired(ctx, "clear expired", rest); !errors.Is(err, stores.ErrExists) {
				return err
			}
			return nil
		}
		if key, suffix, ok := strings.Cut(rest, tempMark); ok && stores.ValidKey(key) {
			return s.removeStaleTemp(e, suffix)
		}
		return nil
	})
	// Each user's index directory is pruned as a listing prunes it.
	ierr := s.sweep(ctx, s.indexRoot(), func(u fs.DirEntry) error {
		if !u.IsDir() {
			return nil
		}
		_, err := s.pruneUser("", filepath.Join(s.indexRoot(), u.Name()))
		return s.fail("clear index", err)
	})
	if err == nil && !errors.Is(ierr, fs.ErrNotExist) { // no index yet
		err = ierr
	}
	return err
}

// sweep calls f for each entry of dir, reading it in batches, and returns
// the context's error between batches; an error of f does not stop the
// sweep, and the first is returned at the end.
func (s *Store) sweep(ctx context.Context, dir string, f func(fs.DirEntry) error) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("filestore: clear expired: %w", err)
	}
	defer d.Close()
	var first error
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("filestore: clear expired: %w", err)
		}
		entries, err := d.ReadDir(256)
		for _, e := range entries {
			if ferr := f(e); first == nil {
				first = ferr
			}
		}
		if err == io.EOF {
			return first
		}
		if err != nil {
			return fmt.Errorf("filestore: clear expired: %w", err)
		}
	}
}

// removeStaleTemp deletes a temporary file created more than staleTempAge
// ago. Our names carry the creation time (see tempName); for others, such
// as Django's, the mtime is the time of writing.
func (s *Store) removeStaleTemp(e fs.DirEntry, suffix string) error {
	var created time.Time
	if stamp, _, ok := strings.Cut(suffix, "-"); ok {
		if ns, err := strconv.ParseInt(stamp, 36, 64); err == nil {
			created = time.Unix(0, ns)
		}
	}
	if created.IsZero() {
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return s.fail("clear expired", err)
		}
		created = fi.ModTime()
	}
	if time.Since(created) < staleTempAge {
		return nil
	}
	return s.fail("clear expired", removeMissingOK(filepath.Join(s.dir, e.Name())))
}
