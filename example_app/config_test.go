package main

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := parseConfig(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":8080" || cfg.Store != "file" || cfg.DataDir != defaultDataDir() || cfg.Secret != "" || cfg.SecureCookie || cfg.ReauthAge != defaultReauthAge ||
		cfg.PostgresDSN != "postgres://postgres@127.0.0.1:5432/test?sslmode=disable" {
		t.Fatalf("defaults: %+v", cfg)
	}
}

func TestConfigReadsTheEnvironmentAndFlagsWin(t *testing.T) {
	e := env(map[string]string{
		"GINSESSION_ADDR":             ":9000",
		"GINSESSION_STORE":            "memory",
		"GINSESSION_SECRET":           "from-the-environment-0123456789abcdef",
		"GINSESSION_SECRET_FALLBACKS": " old-secret-number-one-0123456789abcd , old-secret-number-two-0123456789abcd",
		"GINSESSION_SECURE_COOKIE":    "true",
		"GINSESSION_DATA_DIR":         "/tmp/x",
		"GINSESSION_REDIS_ADDR":       "redis:6379",
		"GINSESSION_MYSQL_DSN":        "u@tcp(db)/s",
		"GINSESSION_POSTGRES_DSN":     "postgres://u@db/s",
		"GINSESSION_REAUTH_AGE":       "5m",
	})
	cfg, err := parseConfig([]string{"-store", "cookie"}, e, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store != "cookie" {
		t.Errorf("the flag did not win over the environment: store %q", cfg.Store)
	}
	if cfg.Addr != ":9000" || cfg.Secret != "from-the-environment-0123456789abcdef" || !cfg.SecureCookie ||
		cfg.DataDir != "/tmp/x" || cfg.RedisAddr != "redis:6379" || cfg.MySQLDSN != "u@tcp(db)/s" ||
		cfg.PostgresDSN != "postgres://u@db/s" || cfg.ReauthAge != 5*time.Minute {
		t.Errorf("environment not read: %+v", cfg)
	}
	if !slices.Equal(cfg.SecretFallbacks, []string{"old-secret-number-one-0123456789abcd", "old-secret-number-two-0123456789abcd"}) {
		t.Errorf("fallbacks %q", cfg.SecretFallbacks)
	}
}

func TestConfigRefusesNonsense(t *testing.T) {
	for _, args := range [][]string{
		{"-secure-cookie", "maybe"},
		{"-reauth-age", "0s"},
		{"-reauth-age", "soon"},
		{"-store"},
		{"extra"},
	} {
		if _, err := parseConfig(args, env(nil), io.Discard); err == nil {
			t.Errorf("%q was accepted", args)
		}
	}
	if _, err := parseConfig([]string{"-h"}, env(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func TestNewServerRefusesABadStoreOrSecret(t *testing.T) {
	cfg := testConfig(t, "floppy")
	if _, err := newServer(cfg); err == nil || !strings.Contains(err.Error(), "memory") {
		t.Errorf("unknown store: %v, want the list of stores", err)
	}
	cfg = testConfig(t, "memory")
	cfg.Secret = "short"
	if _, err := newServer(cfg); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Errorf("short secret: %v", err)
	}
	cfg = testConfig(t, "memory")
	cfg.SecretFallbacks = []string{"short"}
	if _, err := newServer(cfg); err == nil {
		t.Error("a short fallback secret was accepted")
	}
}

func TestAMissingSecretIsRandomAndWarned(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	var a, b config
	ensureSecret(&a, log)
	ensureSecret(&b, log)
	if len(a.Secret) < 32 || a.Secret == b.Secret {
		t.Fatalf("random secrets %q and %q", a.Secret, b.Secret)
	}
	if !strings.Contains(logs.String(), "will not survive a restart") {
		t.Errorf("no warning logged: %s", logs.String())
	}
	c := config{Secret: "given-secret-0123456789abcdef0123456789"}
	ensureSecret(&c, log)
	if c.Secret != "given-secret-0123456789abcdef0123456789" {
		t.Error("a given secret was replaced")
	}
}

// The data directory is example_app/data, which .gitignore covers, from the
// repository root and from example_app itself.
func TestTheDataDirIsTheIgnoredOneWhereverTheAppRuns(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{root, filepath.Join(root, "example_app")} {
		t.Chdir(dir)
		got, err := filepath.Abs(defaultDataDir())
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(root, "example_app", "data"); got != want {
			t.Errorf("run from %s, the data goes to %s; want %s", dir, got, want)
		}
	}
	ignore, err := os.ReadFile(filepath.Join(root, ".gitignore"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains("\n"+string(ignore), "\n/example_app/data/\n") {
		t.Error(".gitignore does not cover /example_app/data/")
	}
}
