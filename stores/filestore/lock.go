package filestore

import (
	"context"
	"errors"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
)

// A record's lock (see the package doc) has two layers: one of 64 in-process
// semaphores chosen by a hash of the key, then, where flock(2) exists, an
// exclusive flock on the record file itself. rename(2) and unlink(2) change
// the name, not the inode a lock is on, so the holder checks that the name
// still leads to the inode it locked and starts again when it does not. No
// lock file is ever made; Load, Exists and Create of a free key take no lock.

// held is a record locked by lockRecord: its file, open (or nil where there
// is no flock), and what it was when locked.
type held struct {
	f  *os.File
	fi fs.FileInfo
}

// acquire takes the in-process semaphore of key (or of a user id, for the
// index), or returns the context's error. Nothing holding one takes another.
func (s *Store) acquire(ctx context.Context, key string) (release func(), err error) {
	sem := s.locks[maphash.String(s.seed, key)%uint64(len(s.locks))]
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// lockRecord locks the file at path against the writers of other processes
// (see above); the caller holds the key's semaphore. It returns nil, nil
// when there is no file.
func (s *Store) lockRecord(ctx context.Context, path string) (*held, error) {
	for {
		h, err := lockFile(ctx, path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		if err != nil || h.f == nil {
			return h, err
		}
		now, err := os.Lstat(path)
		if err == nil && os.SameFile(now, h.fi) {
			return h, nil
		}
		h.f.Close()
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		// Replaced or removed while we waited: look again.
	}
}

// unlock releases the lock taken by lockRecord.
func (h *held) unlock() {
	if h != nil && h.f != nil {
		h.f.Close()
	}
}

// data reads the locked record's data.
func (h *held) data(path string) ([]byte, error) {
	if h.f == nil {
		return os.ReadFile(path)
	}
	return io.ReadAll(h.f)
}
