// Command example_app is a small site built on ginsession and its auth
// package: a visit counter, a login form, a profile page, a password change
// that logs the user's other browsers out, and logout.
//
//	go run ./example_app                       # file store in ./example_app/data, on :8080
//	go run ./example_app -store memory -addr :9000
//
// (cd example_app && go run .) keeps its data in ./example_app/data too.
//
// Every flag has an environment fallback (GINSESSION_ADDR, GINSESSION_STORE,
// ...); see README.md beside this file.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
)

// config is what the flags and environment choose.
type config struct {
	Addr            string
	Store           string // memory, file, sqlite, redis, redis-v8, mysql, postgres, cached, cookie
	Users           string // sqlite, mysql, postgres: where Django's auth_user lives
	RedisAddr       string
	MySQLDSN        string
	PostgresDSN     string
	DataDir         string
	Secret          string
	SecretFallbacks []string
	SecureCookie    bool
	// ReauthAge is how old the last password proof may be before a
	// password change or "sign out all other devices" asks for it again.
	// Zero means defaultReauthAge.
	ReauthAge time.Duration

	// Log receives the app's and the middleware's logs.
	Log *slog.Logger
	// hashIterations is the PBKDF2 count of new password hashes; tests
	// lower it. Zero means Django's, djangohash.DefaultIterations.
	hashIterations int
	// redisPrefix replaces redis9store.DefaultPrefix for -store redis, so
	// tests sharing a Redis keep to keys of their own.
	redisPrefix string
}

// storeNames lists the values -store accepts.
var storeNames = []string{"memory", "file", "sqlite", "redis", "redis-v8", "mysql", "postgres", "cached", "cookie"}

// parseConfig reads the flags in args, falling back to the environment read
// by getenv, then to the defaults.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var cfg config
	var fallbacks, secure, reauthAge string
	fs := flag.NewFlagSet("example_app", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env("GINSESSION_ADDR", ":8080"), "listen address (env GINSESSION_ADDR)")
	fs.StringVar(&cfg.Store, "store", env("GINSESSION_STORE", "file"), "session store: "+strings.Join(storeNames, ", ")+" (env GINSESSION_STORE)")
	fs.StringVar(&cfg.Users, "users", env("GINSESSION_USERS", "sqlite"), "where Django's auth_user table lives: sqlite (data-dir/db.sqlite3), mysql (-mysql-dsn) or postgres (-postgres-dsn) (env GINSESSION_USERS)")
	fs.StringVar(&cfg.RedisAddr, "redis-addr", env("GINSESSION_REDIS_ADDR", "127.0.0.1:6379"), "Redis address for -store redis, redis-v8 and cached; several, comma-separated, for a Cluster (env GINSESSION_REDIS_ADDR)")
	fs.StringVar(&cfg.MySQLDSN, "mysql-dsn", env("GINSESSION_MYSQL_DSN", "root@tcp(127.0.0.1:3306)/test"), "MySQL DSN for -store mysql and cached, and -users mysql (env GINSESSION_MYSQL_DSN)")
	fs.StringVar(&cfg.PostgresDSN, "postgres-dsn", env("GINSESSION_POSTGRES_DSN", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL DSN (lib/pq) for -store postgres and -users postgres (env GINSESSION_POSTGRES_DSN)")
	fs.StringVar(&cfg.DataDir, "data-dir", env("GINSESSION_DATA_DIR", defaultDataDir()), "directory for -store file and the SQLite database db.sqlite3, created 0700 (env GINSESSION_DATA_DIR)")
	fs.StringVar(&cfg.Secret, "secret", getenv("GINSESSION_SECRET"), "secret key, at least 32 bytes (env GINSESSION_SECRET); random at each start if unset")
	fs.StringVar(&fallbacks, "secret-fallbacks", getenv("GINSESSION_SECRET_FALLBACKS"), "comma-separated older secrets still accepted (env GINSESSION_SECRET_FALLBACKS)")
	fs.StringVar(&secure, "secure-cookie", env("GINSESSION_SECURE_COOKIE", "false"), "send the session cookie over HTTPS only (env GINSESSION_SECURE_COOKIE)")
	fs.StringVar(&reauthAge, "reauth-age", env("GINSESSION_REAUTH_AGE", defaultReauthAge.String()), "how old the last password proof may be before a password change or signing out the other devices asks for it again (env GINSESSION_REAUTH_AGE)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q: every setting is a flag, see -h", fs.Args())
	}
	for _, f := range strings.Split(fallbacks, ",") {
		if f = strings.TrimSpace(f); f != "" {
			cfg.SecretFallbacks = append(cfg.SecretFallbacks, f)
		}
	}
	switch strings.ToLower(secure) {
	case "true", "1", "yes":
		cfg.SecureCookie = true
	case "false", "0", "no", "":
	default:
		return config{}, fmt.Errorf("-secure-cookie %q: use true or false", secure)
	}
	var err error
	if cfg.ReauthAge, err = time.ParseDuration(reauthAge); err != nil || cfg.ReauthAge <= 0 {
		return config{}, fmt.Errorf("-reauth-age %q: use a positive duration such as 10m", reauthAge)
	}
	return cfg, nil
}

// randomSecret returns a fresh 48-byte secret, base64-encoded.
func randomSecret() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ensureSecret gives cfg a random secret when none was set, warning that
// sessions then end with the process. There is never a built-in secret:
// one published in source code would let anyone forge sessions.
func ensureSecret(cfg *config, log *slog.Logger) {
	if cfg.Secret != "" {
		return
	}
	cfg.Secret = randomSecret()
	log.Warn("no secret set (-secret or GINSESSION_SECRET): using a random one, so sessions and logins will not survive a restart")
}

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "example_app:", err)
		os.Exit(1)
	}
}

func run(args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := parseConfig(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg.Log = log
	ensureSecret(&cfg, log)
	gin.SetMode(gin.ReleaseMode)
	srv, err := newServer(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.startJanitor(ctx, time.Hour); err != nil {
		return err
	}

	hs := &http.Server{
		Addr:              cfg.Addr,
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	log.Info("example_app listening", slog.String("addr", cfg.Addr), slog.String("store", cfg.Store), slog.String("url", "http://localhost"+portOf(cfg.Addr)+"/"))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(shutdownCtx)
}

// portOf returns ":port" of a listen address, for the log line's URL.
func portOf(addr string) string {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		return addr[i:]
	}
	return ""
}

// defaultDataDir is example_app/data, which .gitignore covers, whether the
// app runs from the repository root (go run ./example_app) or from its own
// directory (cd example_app && go run .).
func defaultDataDir() string {
	if fi, err := os.Stat("example_app"); err == nil && fi.IsDir() {
		return filepath.Join("example_app", "data")
	}
	return "data"
}
