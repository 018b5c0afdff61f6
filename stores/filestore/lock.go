package filestore

import (
	"context"
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

// held is a record locked by lockFile: its file, open (or nil where there
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

// look is the lock where no flock can be taken: a look at the file.
func look(path string) (*held, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	return &held{fi: fi}, nil
}

// unlock releases the lock taken by lockFile.
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
