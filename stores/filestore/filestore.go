// Package filestore keeps each ginsession record in a file of its own, as
// Django's file session engine does: the embedded default store, with no
// server to run.
//
// # Files
//
// A record under key k lives in <dir>/<prefix>k, where the prefix is the
// session cookie's name (Django's default "sessionid"), as Django names its
// files. The file holds the record's data and nothing else: with
// ginsession's Django codec it is byte-for-byte what Django's file engine
// writes.
//
// The expiry is the file's modification time. Django instead reads a
// file's expiry from _session_expiry in the data when the session has a
// custom one (ginsession writes it there too) and otherwise as mtime +
// SESSION_COOKIE_AGE, so when Django shares the directory pass
// [WithDjangoMtime] with Django's age, or each side misreads the other's
// default-age sessions.
//
// # Keys and paths
//
// Keys are checked with [stores.ValidKey] before any path is built, so only
// [a-z0-9] reaches the file system and no key can name a file outside the
// directory. Error messages name a key only as [stores.Redact] shows it.
//
// # Writes and races
//
// Every write goes to a temporary file in the same directory, with mode 0600,
// named <prefix><key>_out_<...> as Django names its own (so neither side's
// ClearExpired takes the other's for a session), and is then put in place in
// one step: readers see the old record or the new one, never a torn one.
// Create hard-links the file to the final name, which the file system refuses
// when the name is taken, so it is insert-only across processes (an expired
// record in the way is moved aside first).
//
// Every other write holds the record's lock from its check of the record to
// its change, so a concurrent logout is never undone and a compare-and-swap
// is atomic. Where flock(2) exists (Linux, macOS, the BSDs) the lock holds
// between processes, and waiting for it ends with the caller's context;
// elsewhere (Windows) it holds within one process only, so another process's
// Delete between an Update's check and rename is undone. Locks are advisory:
// Django's file engine takes none, and flock is only as good as the file
// system's (local disks are, some network file systems are not).
//
// # Directory
//
// The directory must exist (or pass [WithCreateDir]) and must not be
// writable by every user: anyone who can write there can plant a session
// file. Keep it for session files only, since ClearExpired deletes any file
// named like one.
package filestore

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// DefaultPrefix is the file name prefix unless WithPrefix says otherwise:
// Django's default session cookie name, which Django uses as the prefix.
const DefaultPrefix = "sessionid"

// tempMark separates a key from the rest of a temporary file's name, as in
// Django's mkstemp(prefix=<session file>+"_out_").
const tempMark = "_out_"

// staleTempAge is how old a temporary file must be before ClearExpired takes
// it for the leftover of a crashed write.
const staleTempAge = time.Hour

// Store is a stores.Store keeping one file per session. It is safe for
// concurrent use by goroutines and, within the limits the package doc gives,
// by processes sharing the directory.
type Store struct {
	config
	dir     string
	seed    maphash.Seed
	locks   [64]chan struct{} // a key's or a user's in-process lock (lock.go)
	swapped func()            // a test's hook between a swap's compare and its write
}

// Option configures a Store.
type Option func(*config)

type config struct {
	prefix    string
	createDir bool
	fsync     bool
	age       time.Duration // WithDjangoMtime: mtime = expiry - age
	ageSet    bool
	now       func() time.Time // WithClock
}

// WithPrefix sets the file name prefix; give it the session cookie's name, as
// Django does. It may hold letters, digits, '.', '_' and '-', up to 100
// characters. Optional. Default value is DefaultPrefix.
func WithPrefix(prefix string) Option {
	return func(c *config) { c.prefix = prefix }
}

// WithCreateDir makes New create the directory, and any missing parents, with
// mode 0700 when it does not exist. Optional. By default a missing directory
// is an error, which catches a mistyped path.
func WithCreateDir() Option {
	return func(c *config) { c.createDir = true }
}

// WithFsync makes every write flush the file and the directory to stable
// storage before it returns, so a record survives a power cut at the cost of
// a few milliseconds per write. Optional. Default value is off, as in Django.
func WithFsync() Option {
	return func(c *config) { c.fsync = true }
}

// WithDjangoMtime stores mtime = expiry - cookieAge and reads expiry = mtime
// + cookieAge, as Django's file engine reads a file's expiry. Pass Django's
// SESSION_COOKIE_AGE when Django and ginsession share the directory, so
// files either side writes expire at the same moment for both. Optional. By
// default the mtime is the expiry itself.
func WithDjangoMtime(cookieAge time.Duration) Option {
	return func(c *config) { c.age, c.ageSet = cookieAge, true }
}

// DjangoOption answers [stores.SharedWithDjango]: "filestore.WithDjangoMtime"
// when that option is on.
func (s *Store) DjangoOption() string {
	if s.age == 0 {
		return ""
	}
	return "filestore.WithDjangoMtime"
}

// WithClock sets where the store reads the current time, against which a
// file's expiry (its mtime) is compared. Optional. Default value is
// time.Now; tests pass a clock they move (and the same one to
// ginsession.WithClock), so nothing sleeps. Temporary files a crashed write
// left behind are still judged by their real age. New refuses nil.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// New returns a Store keeping files in dir. It fails, with a message that
// names the fix, when dir is missing (without WithCreateDir), is not a
// directory, is writable by every user, or does not allow the app to create
// and hard-link files there. It starts no goroutine.
func New(dir string, opts ...Option) (*Store, error) {
	c := config{prefix: DefaultPrefix, now: time.Now}
	for _, o := range opts {
		o(&c)
	}
	if c.now == nil {
		return nil, errors.New("filestore: WithClock(nil): pass a function, or leave the option out for time.Now")
	}
	if dir == "" {
		return nil, errors.New("filestore: no directory given; pass a directory only the app can write, such as /var/lib/myapp/sessions")
	}
	if err := checkPrefix(c.prefix); err != nil {
		return nil, err
	}
	if c.ageSet && c.age <= 0 {
		return nil, fmt.Errorf("filestore: WithDjangoMtime(%v): pass Django's SESSION_COOKIE_AGE, a positive duration such as 1209600*time.Second", c.age)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("filestore: %w", err)
	}
	if c.createDir {
		if err := os.MkdirAll(abs, 0o700); err != nil {
			return nil, fmt.Errorf("filestore: create the session directory: %w", err)
		}
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("filestore: session directory %s does not exist; create it (mkdir -m 0700 %s) or pass filestore.WithCreateDir()", abs, abs)
	case err != nil:
		return nil, fmt.Errorf("filestore: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("filestore: %s is not a directory; pass the path of a directory for session files", abs)
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o002 != 0:
		return nil, fmt.Errorf("filestore: %s is writable by every user (mode %v), so anyone could plant a session file there; use a directory only the app can write (chmod 0700)", abs, fi.Mode().Perm())
	}
	s := &Store{config: c, dir: abs, seed: maphash.MakeSeed()}
	for i := range s.locks {
		s.locks[i] = make(chan struct{}, 1)
	}
	if err := s.probe(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkPrefix(p string) error {
	if p == "" || len(p) > 100 {
		return fmt.Errorf("filestore: WithPrefix(%q): use the session cookie's name, 1 to 100 characters", p)
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("filestore: WithPrefix(%q): use only letters, digits, '.', '_' and '-'", p)
		}
	}
	return nil
}

// probe creates and hard-links a temporary file, so that a read-only
// directory or a file system without hard links fails at start-up rather
// than at the first login.
func (s *Store) probe() error {
	// A valid key, so that ClearExpired takes a file a crash left here for
	// a stale temporary file.
	tmp, err := s.writeTemp("probe000", nil, time.Now())
	if err != nil {
		return fmt.Errorf("filestore: cannot create files in %s: %w", s.dir, err)
	}
	defer os.Remove(tmp)
	link := tmp + "-link"
	if err := os.Link(tmp, link); err != nil {
		return fmt.Errorf("filestore: the file system of %s does not support hard links, which Create needs to be insert-only; choose another directory: %w", s.dir, err)
	}
	if err := os.Remove(link); err != nil {
		return fmt.Errorf("filestore: cannot remove files in %s: %w", s.dir, err)
	}
	return nil
}

// Dir returns the absolute path of the directory holding the files.
func (s *Store) Dir() string { return s.dir }

func (s *Store) path(key string) string {
	return filepath.Join(s.dir, s.prefix+key)
}

// mtimeFor returns the mtime that encodes expiry. os.Chtimes goes through
// UnixNano, so it is clamped rather than allowed to wrap (and the zero Time,
// which Chtimes would ignore, becomes 1970).
func (s *Store) mtimeFor(expiry time.Time) time.Time {
	return stores.ClampExpiry(expiry.Add(-s.age))
}

func (s *Store) live(fi fs.FileInfo, now time.Time) bool {
	return now.Before(fi.ModTime().Add(s.age))
}

// liveFile reports whether path holds a live record; a missing file does not.
func (s *Store) liveFile(path string) (bool, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return s.live(fi, s.now()), nil
}

// tempName returns a fresh temporary file name for key:
// <prefix><key>_out_<creation time, base 36 ns>-<random>. The '-' never
// occurs in Django's mkstemp names, which tells ClearExpired that the time
// before it can be trusted.
func (s *Store) tempName(key string) string {
	return s.path(key + tempMark +
		strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.FormatUint(rand.Uint64(), 36))
}

// writeTemp writes data to a new temporary file whose mtime encodes expiry,
// and returns its path. Its name carries its creation time, which
// ClearExpired uses to find leftovers (its mtime is the expiry, not its age).
func (s *Store) writeTemp(key string, data []byte, expiry time.Time) (string, error) {
	name := s.tempName(key) // O_EXCL: a clash of time and 64 random bits fails loudly
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil && s.fsync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(name, time.Time{}, s.mtimeFor(expiry))
	}
	if err != nil {
		_ = os.Remove(name)
		return "", err
	}
	return name, nil
}

// syncDir makes a rename or link durable under WithFsync.
func (s *Store) syncDir() error {
	if !s.fsync {
		return nil
	}
	d, err := os.Open(s.dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// fail wraps err, if any, with the operation's name, shortening any session
// or index entry file name in it so the full key never reaches a log.
func (s *Store) fail(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = &fs.PathError{Op: pe.Op, Path: s.redact(pe.Path), Err: pe.Err}
	case errors.As(err, &le):
		err = &os.LinkError{Op: le.Op, Old: s.redact(le.Old), New: s.redact(le.New), Err: le.Err}
	}
	return fmt.Errorf("filestore: %s: %w", op, err)
}

func (s *Store) redact(path string) string {
	dir, name := filepath.Split(path)
	if rest, ok := strings.CutPrefix(name, s.prefix); ok && len(rest) > stores.RedactedLength {
		return dir + s.prefix + stores.Redact(rest)
	}
	if stores.ValidKey(name) { // an index entry (index.go)
		return dir + stores.Redact(name)
	}
	return path
}

// check is what every call checks first: ctx is not done and key is valid.
func check(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("filestore: %s: %w", op, err)
	}
	if err := stores.CheckKey(key); err != nil {
		return fmt.Errorf("filestore: %s: %w", op, err)
	}
	return nil
}

// Load returns the data of the live record under key, or stores.ErrNotFound
// when the file is missing or expired or the key is invalid.
func (s *Store) Load(ctx context.Context, key string) ([]byte, error) {
	data, _, err := s.LoadWithTTL(ctx, key)
	return data, err
}

// LoadWithTTL implements stores.TTLLoader: Load, with the time left until
// the expiry the file's mtime holds, from the same stat of the open file.
func (s *Store) LoadWithTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("filestore: load: %w", err)
	}
	if err := stores.CheckKey(key); err != nil {
		return nil, 0, fmt.Errorf("filestore: load: %w (%w)", stores.ErrNotFound, err)
	}
	f, err := os.Open(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, stores.ErrNotFound
	}
	if err != nil {
		return nil, 0, s.fail("load", err)
	}
	defer f.Close()
	// The open file is one record for good: writers replace the name, never
	// the contents, so its mtime and data belong together.
	fi, err := f.Stat()
	if err != nil {
		return nil, 0, s.fail("load", err)
	}
	now := s.now()
	if !s.live(fi, now) {
		return nil, 0, stores.ErrNotFound
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, 0, s.fail("load", err)
	}
	return data, fi.ModTime().Add(s.age).Sub(now), nil
}

// Exists reports whether a live record holds key. An invalid key does not
// exist.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, fmt.Errorf("filestore: exists: %w", err)
	}
	if !stores.ValidKey(key) {
		return false, nil
	}
	live, err := s.liveFile(s.path(key))
	return live, s.fail("exists", err)
}

// Create writes a new record. It returns stores.ErrExists when a live record
// holds key, replaces an expired one, and refuses an invalid key with an
// error wrapping stores.ErrInvalidKey.
func (s *Store) Create(ctx context.Context, key string, data []byte, expiry time.Time) error {
	if err := check(ctx, "create", key); err != nil {
		return err
	}
	tmp, err := s.writeTemp(key, data, expiry)
	if err != nil {
		return s.fail("create", err)
	}
	defer os.Remove(tmp) // once linked, the record lives on under its own name
	target := s.path(key)
	// Each turn either succeeds, reports a live record, or removes an
	// expired one; more than a few turns means other processes keep
	// creating and expiring this very key, which only a bug or an attack does.
	for range 8 {
		err := os.Link(tmp, target)
		if err == nil {
			err = s.syncDir()
		}
		if !errors.Is(err, fs.ErrExist) {
			return s.fail("create", err)
		}
		if err := s.removeExpired(ctx, "create", key); err != nil {
			return err
		}
	}
	return stores.ErrExists
}

// removeExpired removes key's file, holding its lock, if it has expired,
// and returns stores.ErrExists when it is live. A writer that takes no lock
// (Django) may replace the file between the look and the removal, so the
// file is first renamed aside, which claims exactly one inode, and put back
// if it turns out to be live.
func (s *Store) removeExpired(ctx context.Context, op, key string) error {
	return s.withLock(ctx, op, key, func(h *held) error {
		if h == nil {
			return nil
		}
		if s.live(h.fi, s.now()) {
			return stores.ErrExists
		}
		aside, target := s.tempName(key), s.path(key)
		if err := os.Rename(target, aside); errors.Is(err, fs.ErrNotExist) {
			return nil
		} else if err != nil {
			return s.fail(op, err)
		}
		defer os.Remove(aside)
		if live, _ := s.liveFile(aside); live {
			// A live record took the expired one's place meanwhile: restore
			// it. Should yet another have appeared, that one stays and the
			// one set aside is lost, a race between three writers of one key.
			_ = os.Link(aside, target)
			return stores.ErrExists
		}
		return nil
	})
}

// withLock checks ctx and key, then runs f holding key's locks (lock.go) on
// the record file, which f gets as h: nil when there is none.
func (s *Store) withLock(ctx context.Context, op, key string, f func(h *held) error) error {
	if err := check(ctx, op, key); err != nil {
		return err
	}
	release, err := s.acquire(ctx, key)
	if err != nil {
		return fmt.Errorf("filestore: %s: %w", op, err)
	}
	defer release()
	h, err := lockFile(ctx, s.path(key)) // nil when there is no file
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return s.fail(op, err)
	}
	defer h.unlock()
	return f(h)
}

// withLive is withLock for a live record: stores.ErrNotFound when no file
// or only an expired one holds key.
func (s *Store) withLive(ctx context.Context, op, key string, f func(h *held) error) error {
	return s.withLock(ctx, op, key, func(h *held) error {
		if h == nil || !s.live(h.fi, s.now()) {
			return stores.ErrNotFound
		}
		return f(h)
	})
}

// Update replaces the data and expiry of the live record under key, or
// returns stores.ErrNotFound when the file is missing or expired, so a
// session ended elsewhere is not brought back.
func (s *Store) Update(ctx context.Context, key string, data []byte, expiry time.Time) error {
	return s.replaceLive(ctx, "update", key, data, expiry, func(*held) error { return nil })
}

// replaceLive writes data to a temporary file and renames it over the live
// record under key, under the record's lock, if ok accepts the record.
func (s *Store) replaceLive(ctx context.Context, op, key string, data []byte, expiry time.Time, ok func(h *held) error) error {
	if err := check(ctx, op, key); err != nil {
		return err
	}
	tmp, err := s.writeTemp(key, data, expiry)
	if err != nil {
		return s.fail(op, err)
	}
	defer os.Remove(tmp) // gone once renamed
	return s.withLive(ctx, op, key, func(h *held) error {
		if err := ok(h); err != nil {
			return err
		}
		if err := os.Rename(tmp, s.path(key)); err != nil {
			return s.fail(op, err)
		}
		return s.fail(op, s.syncDir())
	})
}

// Touch moves the expiry of the live record under key by changing its file's
// mtime, without rewriting the data, or returns stores.ErrNotFound when the
// file is missing or expired.
func (s *Store) Touch(ctx context.Context, key string, expiry time.Time) error {
	return s.withLive(ctx, "touch", key, func(*held) error {
		err := os.Chtimes(s.path(key), time.Time{}, s.mtimeFor(expiry))
		if errors.Is(err, fs.ErrNotExist) {
			return stores.ErrNotFound // deleted by a writer that takes no lock
		}
		return s.fail("touch", err)
	})
}

// Delete removes the record under key; a missing file is not an error, an
// invalid key is one wrapping stores.ErrInvalidKey.
func (s *Store) Delete(ctx context.Context, key string) error {
	return s.withLock(ctx, "delete", key, func(h *held) error {
		if h == nil {
			return nil
		}
		return s.fail("delete", removeMissingOK(s.path(key)))
	})
}

func removeMissingOK(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

var (
	_ stores.Toucher   = (*Store)(nil)
	_ stores.TTLLoader = (*Store)(nil)
)
