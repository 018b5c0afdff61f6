package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/go-redis/redis/v8"
	_ "github.com/go-sql-driver/mysql" // the "mysql" database/sql driver
	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redisstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// connectTimeout bounds the start-up check that a database answers.
const connectTimeout = 5 * time.Second

// openStore opens the store cfg.Store names, checking that it answers, and
// returns what must be closed at exit.
func openStore(cfg config) (stores.Store, []func() error, error) {
	switch cfg.Store {
	case "memory":
		return memstore.New(), nil, nil
	case "file":
		return openFileStore(cfg)
	case "cookie":
		return cookiestore.New(), nil, nil
	case "mysql":
		st, closeDB, err := openMySQL(cfg)
		if err != nil {
			return nil, nil, err
		}
		return st, []func() error{st.Close, closeDB}, nil
	case "redis":
		client, err := openRedis(cfg)
		if err != nil {
			return nil, nil, err
		}
		st, err := redisstore.New(client)
		if err != nil {
			client.Close()
			return nil, nil, err
		}
		return st, []func() error{client.Close}, nil
	case "cached":
		return openCached(cfg)
	}
	return nil, nil, fmt.Errorf("unknown store %q: use one of %v", cfg.Store, storeNames)
}

// openMySQL connects to cfg.MySQLDSN and creates Django's django_session
// table if it is missing.
func openMySQL(cfg config) (*sqlstore.Store, func() error, error) {
	db, err := sqlx.Open("mysql", cfg.MySQLDSN)
	if err != nil {
		return nil, nil, fmt.Errorf("mysql: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("mysql: cannot reach the server of -mysql-dsn (is MySQL running, and does the database exist?): %w", err)
	}
	st, err := sqlstore.New(db)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	if err := st.CreateTable(ctx); err != nil {
		st.Close()
		db.Close()
		return nil, nil, fmt.Errorf("mysql: create the django_session table: %w", err)
	}
	return st, db.Close, nil
}

// openFileStore keeps one file per session in cfg.DataDir, Django's file
// engine.
func openFileStore(cfg config) (stores.Store, []func() error, error) {
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return nil, nil, err
	}
	st, err := filestore.New(cfg.DataDir)
	if err != nil {
		return nil, nil, err
	}
	return st, nil, nil
}

// openRedis connects to cfg.RedisAddr: one address for a standalone Redis,
// several (comma-separated) for a Cluster.
func openRedis(cfg config) (redis.UniversalClient, error) {
	client := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: strings.Split(cfg.RedisAddr, ",")})
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("redis: cannot reach -redis-addr %s (is Redis running?): %w", cfg.RedisAddr, err)
	}
	return client, nil
}

// ensureDataDir creates the data directory with mode 0700 and refuses one
// that others may write.
func ensureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create the data directory: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("data directory %s: make it private (chmod 0700): %w", dir, err)
		}
	}
	return nil
}
