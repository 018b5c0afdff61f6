//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package filestore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// crossProcess reports whether writers in different processes exclude each
// other (see lock.go).
const crossProcess = true

// lockFile opens the record file at path and takes an exclusive flock on it
// (see lock.go); the caller holds the key's semaphore. It does not block in
// the system call, which no context could interrupt: while another process
// holds the lock it tries again after a pause that grows from 20µs to 5ms,
// until ctx is done.
func lockFile(ctx context.Context, path string) (*held, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrPermission) {
		// A file this process may not read (another user's, in a shared
		// group directory) cannot be locked; it can still be deleted.
		return look(path)
	}
	if err != nil {
		return nil, err
	}
	for pause := 20 * time.Microsecond; ; pause = min(2*pause, 5*time.Millisecond) {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, &os.PathError{Op: "flock", Path: path, Err: err}
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		}
	}
	fi, err := f.Stat()
	if err == nil {
		var now fs.FileInfo
		if now, err = os.Lstat(path); err == nil && os.SameFile(now, fi) {
			return &held{f: f, fi: fi}, nil
		}
	}
	f.Close()
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		return lockFile(ctx, path) // replaced or removed while we waited: look again
	}
	return nil, err
}
