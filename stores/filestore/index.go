package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// IndexDir is the subdirectory of the store's directory that holds the
// per-user index: one directory per user, named by a hash of the user id,
// with one small JSON file per session, named by its key. The name starts
// with neither a session prefix nor a key, so neither this store's nor
// Django's ClearExpired mistakes it for a session.
const IndexDir = "ginsession-index"

// indexFile is an entry file's content.
type indexFile struct {
	User      string `json:"user"`
	Created   int64  `json:"created"`
	Active    int64  `json:"active"`
	UserAgent string `json:"ua,omitempty"`
	IP        string `json:"ip,omitempty"`
	Backend   string `json:"backend,omitempty"`
}

func (s *Store) indexRoot() string { return filepath.Join(s.dir, IndexDir) }

// userDir is userID's directory: a hash, so that any id is a safe name.
func (s *Store) userDir(userID string) string {
	sum := sha256.Sum256([]byte(userID))
	return filepath.Join(s.indexRoot(), hex.EncodeToString(sum[:16]))
}

// indexed checks the arguments, then runs f holding userID's in-process lock
// (lock.go), and wraps its error with fail.
func (s *Store) indexed(ctx context.Context, op, userID string, keys []string, f func(dir string) error) error {
	op = "index " + op
	err := ctx.Err()
	if err == nil {
		err = stores.CheckIndexUser(userID, keys...)
	}
	if err != nil {
		return s.fail(op, err)
	}
	release, err := s.acquire(ctx, userID)
	if err != nil {
		return s.fail(op, err)
	}
	defer release()
	return s.fail(op, f(s.userDir(userID)))
}

// CheckIndex implements stores.Indexer: the index is always on.
func (s *Store) CheckIndex() error { return nil }

// writeEntry puts f in place as the entry for key in dir, in one rename of
// a temporary file of the store's own (whose mtime means nothing here).
func (s *Store) writeEntry(dir, key string, f indexFile) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp, err := s.writeTemp(key, data, time.Time{})
	if err == nil {
		if err = os.Rename(tmp, filepath.Join(dir, key)); err != nil {
			os.Remove(tmp)
		}
	}
	return err
}

func newEntry(userID string, e stores.IndexEntry) indexFile {
	return indexFile{User: userID, Created: e.Created.UnixMicro(), Active: e.LastActive.UnixMicro(), UserAgent: e.UserAgent, IP: e.IP, Backend: e.Backend}
}

// IndexAdd implements stores.Indexer with one file written and renamed.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	return s.indexed(ctx, "add", userID, []string{e.Key}, func(dir string) error {
		return s.writeEntry(dir, e.Key, newEntry(userID, e))
	})
}

// IndexAddLimited implements stores.Indexer under the user's index
// lock, which every index write of this store takes. The lock is this
// process's: processes sharing one directory are not capped together.
func (s *Store) IndexAddLimited(ctx context.Context, userID string, e stores.IndexEntry, max int, evict bool) (evicted []string, err error) {
	err = s.indexed(ctx, "add", userID, []string{e.Key}, func(dir string) error {
		live, err := s.pruneUser(userID, dir)
		if err != nil {
			return err
		}
		if evicted, err = stores.OverLimit(live, e.Key, max, evict); err != nil {
			return err
		}
		if err := removeEntries(dir, evicted); err != nil {
			return err
		}
		return s.writeEntry(dir, e.Key, newEntry(userID, e))
	})
	return evicted, err
}

// IndexTouch implements stores.Indexer. The entry file holds no expiry: a
// listing reads the session file's own.
func (s *Store) IndexTouch(ctx context.Context, userID, key string, lastActive, _ time.Time) error {
	return s.move(ctx, "touch", userID, key, key, lastActive)
}

// IndexMove implements stores.Indexer: the new entry is written before
// the old one is removed, so a crash between leaves both, never neither.
func (s *Store) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, _ time.Time) error {
	return s.move(ctx, "move", userID, oldKey, newKey, lastActive)
}

func (s *Store) move(ctx context.Context, op, userID, oldKey, newKey string, lastActive time.Time) error {
	return s.indexed(ctx, op, userID, []string{oldKey, newKey}, func(dir string) error {
		var f indexFile
		data, err := os.ReadFile(filepath.Join(dir, oldKey))
		if errors.Is(err, fs.ErrNotExist) || err == nil && (json.Unmarshal(data, &f) != nil || f.User != userID) {
			// None, torn, foreign, or a hash collision: not this user's entry.
			return stores.ErrNotFound
		}
		f.Active = lastActive.UnixMicro()
		if err == nil {
			err = s.writeEntry(dir, newKey, f)
		}
		if err == nil && newKey != oldKey {
			err = removeMissingOK(filepath.Join(dir, oldKey))
		}
		return err
	})
}

// IndexRemove implements stores.Indexer with one unlink per key.
func (s *Store) IndexRemove(ctx context.Context, userID string, keys ...string) error {
	return s.indexed(ctx, "remove", userID, keys, func(dir string) error { return removeEntries(dir, keys) })
}

func removeEntries(dir string, keys []string) error {
	for _, k := range keys {
		if err := removeMissingOK(filepath.Join(dir, k)); err != nil {
			return err
		}
	}
	return nil
}

// IndexList implements stores.Indexer: the user's directory is read and
// each entry's session file checked; entries of files gone or expired are
// removed.
func (s *Store) IndexList(ctx context.Context, userID string) (live []stores.IndexEntry, err error) {
	err = s.indexed(ctx, "list", userID, nil, func(dir string) (err error) {
		live, err = s.pruneUser(userID, dir)
		return err
	})
	return live, err
}

// pruneUser removes the entries in dir whose session is not live and
// returns the others; userID is "" when unknown (ClearExpired), which then
// takes each file's own.
func (s *Store) pruneUser(userID, dir string) ([]stores.IndexEntry, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var live []stores.IndexEntry
	for _, de := range ents {
		key := de.Name()
		if !stores.ValidKey(key) {
			continue
		}
		path := filepath.Join(dir, key)
		data, err := os.ReadFile(path) // one removed meanwhile reads as torn
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		var f indexFile
		ok, err := s.liveFile(s.path(key))
		if err != nil {
			return nil, err
		}
		if json.Unmarshal(data, &f) != nil || (userID != "" && f.User != userID) || !ok {
			if err := removeMissingOK(path); err != nil {
				return nil, err
			}
			continue
		}
		live = append(live, stores.IndexEntry{Key: key, Created: time.UnixMicro(f.Created), LastActive: time.UnixMicro(f.Active),
			UserAgent: f.UserAgent, IP: f.IP, Backend: f.Backend})
	}
	if len(live) == 0 {
		os.Remove(dir) // fails, harmlessly, if an entry arrived meanwhile
	}
	return live, nil
}

var _ stores.Indexer = (*Store)(nil)
