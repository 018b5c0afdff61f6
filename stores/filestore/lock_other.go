//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package filestore

import "context"

// crossProcess reports whether writers in different processes exclude each
// other: not without flock(2), where only the in-process semaphore holds.
const crossProcess = false

// lockFile only looks at the file: there is no flock to take, and a file
// held open could not be renamed over on Windows.
func lockFile(_ context.Context, path string) (*held, error) { return look(path) }
