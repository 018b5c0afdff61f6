package filestore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
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

func (s *Store) checkIndexArgs(ctx context.Context, op, userID string, keys ...string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("filestore: index %s: %w", op, err)
	}
	if err := stores.CheckIndexUser(userID); err != nil {
		return fmt.Errorf("filestore: index %s: %w", op, err)
	}
	for _, k := range keys {
		if err := stores.CheckKey(k); err != nil {
			return fmt.Errorf("filestore: index %s: %w", op, err)
		}
	}
	return nil
}

// CheckIndex implements stores.Indexer: the index is always on.
func (s *Store) CheckIndex() error { return nil }

// writeEntry puts f in place as userID's entry for key, in one rename.
func (s *Store) writeEntry(userID, key string, f indexFile) error {
	dir := s.userDir(userID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, key))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// readEntry reads userID's entry for key; fs.ErrNotExist when there is none.
func (s *Store) readEntry(userID, key string) (indexFile, error) {
	var f indexFile
	data, err := os.ReadFile(filepath.Join(s.userDir(userID), key))
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(data, &f); err != nil || f.User != userID {
		// Torn, foreign, or a hash collision: not this user's entry.
		return f, fs.ErrNotExist
	}
	return f, nil
}

// IndexAdd implements stores.Indexer with one file written and renamed.
func (s *Store) IndexAdd(ctx context.Context, userID string, e stores.IndexEntry) error {
	if err := s.checkIndexArgs(ctx, "add", userID, e.Key); err != nil {
		return err
	}
	mu := s.indexLock(userID)
	mu.Lock()
	defer mu.Unlock()
	f := indexFile{User: userID, Created: e.Created.UnixMicro(), Active: e.LastActive.UnixMicro(), UserAgent: e.UserAgent, IP: e.IP, Backend: e.Backend}
	if err := s.writeEntry(userID, e.Key, f); err != nil {
		return s.indexFail("index add", err)
	}
	return nil
}

// IndexTouch implements stores.Indexer. The entry file is expected to
// hold an expiry of nothing: a listing reads the session file's own.
func (s *Store) IndexTouch(ctx context.Context, userID, key string, lastActive, _ time.Time) error {
	if err := s.checkIndexArgs(ctx, "touch", userID, key); err != nil {
		return err
	}
	mu := s.indexLock(userID)
	mu.Lock()
	defer mu.Unlock()
	f, err := s.readEntry(userID, key)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("filestore: index touch %s: %w", stores.Redact(key), stores.ErrNotFound)
	}
	if err == nil {
		f.Active = lastActive.UnixMicro()
		err = s.writeEntry(userID, key, f)
	}
	if err != nil {
		return s.indexFail("index touch", err)
	}
	return nil
}

// IndexMove implements stores.Indexer: the new entry is written before
// the old one is removed, so a crash between leaves both, never neither.
func (s *Store) IndexMove(ctx context.Context, userID, oldKey, newKey string, lastActive, _ time.Time) error {
	if err := s.checkIndexArgs(ctx, "move", userID, oldKey, newKey); err != nil {
		return err
	}
	mu := s.indexLock(userID)
	mu.Lock()
	defer mu.Unlock()
	f, err := s.readEntry(userID, oldKey)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("filestore: index move %s: %w", stores.Redact(oldKey), stores.ErrNotFound)
	}
	if err == nil {
		f.Active = lastActive.UnixMicro()
		err = s.writeEntry(userID, newKey, f)
	}
	if err == nil {
		err = removeMissingOK(filepath.Join(s.userDir(userID), oldKey))
	}
	if err != nil {
		return s.indexFail("index move", err)
	}
	return nil
}

func removeMissingOK(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// IndexRemove implements stores.Indexer with one unlink per key.
func (s *Store) IndexRemove(ctx context.Context, userID string, keys ...string) error {
	if err := s.checkIndexArgs(ctx, "remove", userID, keys...); err != nil {
		return err
	}
	mu := s.indexLock(userID)
	mu.Lock()
	defer mu.Unlock()
	for _, k := range keys {
		if err := removeMissingOK(filepath.Join(s.userDir(userID), k)); err != nil {
			return s.indexFail("index remove", err)
		}
	}
	return nil
}

// IndexList implements stores.Indexer: the user's directory is read and
// each entry's session file checked; entries of files gone or expired are
// removed.
func (s *Store) IndexList(ctx context.Context, userID string) ([]stores.IndexEntry, error) {
	if err := s.checkIndexArgs(ctx, "list", userID); err != nil {
		return nil, err
	}
	mu := s.indexLock(userID)
	mu.Lock()
	defer mu.Unlock()
	live, err := s.pruneUser(userID, s.userDir(userID))
	if err != nil {
		return nil, s.indexFail("index list", err)
	}
	return live, nil
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
			if strings.HasPrefix(key, ".tmp-") {
				if fi, err := de.Info(); err == nil && time.Since(fi.ModTime()) > time.Hour {
					os.Remove(filepath.Join(dir, key)) // a crashed write's leftover
				}
			}
			continue
		}
		path := filepath.Join(dir, key)
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
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
	if len(live) == 0 && userID != "" {
		os.Remove(dir) // fails, harmlessly, if an entry arrived meanwhile
	}
	return live, nil
}

// clearIndex prunes every user's directory, for ClearExpired.
func (s *Store) clearIndex(ctx context.Context) error {
	users, err := os.ReadDir(s.indexRoot())
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return s.indexFail("clear index", err)
	}
	for _, u := range users {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("filestore: clear index: %w", err)
		}
		if !u.IsDir() {
			continue
		}
		dir := filepath.Join(s.indexRoot(), u.Name())
		live, err := s.pruneUser("", dir)
		if err != nil {
			return s.indexFail("clear index", err)
		}
		if len(live) == 0 {
			os.Remove(dir)
		}
	}
	return nil
}

// indexFail is fail for the index: entry files are named by the whole key,
// so any path in err has its file name redacted.
func (s *Store) indexFail(op string, err error) error {
	red := func(p string) string {
		dir, name := filepath.Split(p)
		if stores.ValidKey(name) {
			return dir + stores.Redact(name)
		}
		return p
	}
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = &fs.PathError{Op: pe.Op, Path: red(pe.Path), Err: pe.Err}
	case errors.As(err, &le):
		err = &os.LinkError{Op: le.Op, Old: red(le.Old), New: red(le.New), Err: le.Err}
	}
	return s.fail(op, err)
}

var _ stores.Indexer = (*Store)(nil)

// indexLock is the in-process lock of userID's index entries.
func (s *Store) indexLock(userID string) *sync.Mutex {
	return &s.ixLocks[maphash.String(s.seed, userID)%uint64(len(s.ixLocks))]
}
