package main

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/internal/testenv"
)

// postgresSchema makes a schema of the test's own on the test PostgreSQL,
// dropped with everything in it at the end: Django's table names are fixed
// and the server is shared with other tests and CI runs. It returns a pool
// on the server, the schema's name and a DSN whose search_path is the
// schema, so the app's unqualified auth_user and django_session land there.
func postgresSchema(t *testing.T) (*sqlx.DB, string, string) {
	t.Helper()
	db := testenv.Postgres(t) // skips, or fails under CI, without a server
	name := testenv.Name("ginsession_example_")
	if _, err := db.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + name + " CASCADE"); err != nil {
			t.Error(err)
		}
	})
	return db, name, withParam(t, testenv.PostgresDSN(), "search_path", name)
}

// withParam adds key=value to a lib/pq DSN, URL or key=value; lib/pq
// sends keys it does not know (search_path, timezone) to the server as
// settings of the session.
func withParam(t *testing.T, dsn, key, value string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " " + key + "=" + value
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("GINSESSION_POSTGRES_DSN: %v", err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func postgresConfig(t *testing.T, store string) (config, *sqlx.DB, string) {
	t.Helper()
	db, schema, dsn := postgresSchema(t)
	cfg := testConfig(t, store)
	cfg.Users = "postgres"
	cfg.PostgresDSN = dsn
	return cfg, db, schema
}

func TestTheLoginFlowWorksOnPostgres(t *testing.T) {
	cfg, db, schema := postgresConfig(t, "postgres")
	// A session time zone 14 hours from UTC: a naive time string would be
	// read in it, putting last_login half a day off.
	cfg.PostgresDSN = withParam(t, cfg.PostgresDSN, "timezone", "Pacific/Kiritimati")
	loginFlowLeavesOneRowPerSession(t, cfg, db, schema+".django_session")
	var hash string
	var loggedIn bool
	if err := db.QueryRow("SELECT password, coalesce(abs(extract(epoch FROM last_login - now())) < 600, false) FROM "+schema+".auth_user WHERE username = 'alice'").
		Scan(&hash, &loggedIn); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "pbkdf2_sha256$1000$") || !loggedIn {
		t.Errorf("alice's auth_user row: password %q, last_login within 10 minutes of now: %v; want Django's pbkdf2_sha256 and a login time", hash, loggedIn)
	}
}

// Sessions and users both in PostgreSQL, no Redis: what two instances
// share is the one database.
func TestTwoInstancesShareLoginsThroughPostgres(t *testing.T) {
	cfg, _, _ := postgresConfig(t, "postgres")
	twoInstancesShareLogins(t, cfg)
}

// Sessions in Redis, users in PostgreSQL.
func TestTwoInstancesShareLoginsThroughRedisAndPostgresUsers(t *testing.T) {
	client := testenv.Redis(t)
	cfg, _, _ := postgresConfig(t, "redis")
	cfg.RedisAddr = testenv.RedisAddr()
	cfg.redisPrefix = testenv.RedisPrefix(t, client, "gs_example_")
	twoInstancesShareLogins(t, cfg)
}

func TestAnUnreachablePostgresIsAClearStartupError(t *testing.T) {
	for _, users := range []string{"sqlite", "postgres"} {
		cfg := testConfig(t, "postgres")
		cfg.Users = users
		cfg.PostgresDSN = "postgres://postgres@127.0.0.1:1/nothing?sslmode=disable"
		if _, err := newServer(cfg); err == nil || !strings.Contains(err.Error(), "-postgres-dsn") {
			t.Errorf("-users %s, newServer without PostgreSQL: %v", users, err)
		}
	}
}

// The auth_user the app creates on PostgreSQL is the one Django 3.2's
// migrations make: the same columns, types, constraints and indexes, by
// name, read from the catalog of two schemas.
func TestAuthUserOnPostgresIsDjangosSchema(t *testing.T) {
	cfg, db, ours := postgresConfig(t, "memory")
	startApp(t, cfg)

	if out, err := exec.Command("/usr/bin/python3", "-c", "import django, psycopg2").CombinedOutput(); err != nil {
		if testenv.InCI() {
			t.Fatalf("Django or psycopg2 is missing under CI (.ci/setup.d/20-django.sh installs them): %v %s", err, out)
		}
		t.Skipf("Django or psycopg2 (python3-psycopg2) is not installed: %v", err)
	}
	_, djangos, _ := postgresSchema(t)
	pg, err := url.Parse(testenv.PostgresDSN())
	if err != nil || pg.Scheme == "" {
		t.Skipf("GINSESSION_POSTGRES_DSN is not a URL (%v); this test reads the server from one", err)
	}
	password, _ := pg.User.Password()
	django(t, cfg.DataDir, []string{
		"GINSESSION_DB_ENGINE=postgresql", "GINSESSION_DB_SCHEMA=" + djangos,
		"GINSESSION_DB_HOST=" + pg.Hostname(), "GINSESSION_DB_PORT=" + cmp.Or(pg.Port(), "5432"),
		"GINSESSION_DB_USER=" + pg.User.Username(), "GINSESSION_DB_PASSWORD=" + password,
		"GINSESSION_DB_NAME=" + strings.TrimPrefix(pg.Path, "/"),
	}, nil, nil, "migrate", "-v0", "auth")

	got, want := authUserCatalog(t, db, ours), authUserCatalog(t, db, djangos)
	if len(want) == 0 {
		t.Fatal("Django's migrate made no auth_user")
	}
	if !slices.Equal(got, want) {
		t.Errorf("auth_user made by the app:\n  %s\nmade by Django:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// authUserCatalog describes schema's auth_user as lines: each column with
// its type, nullability and default, then each constraint and index with
// its definition, the schema's name taken out.
func authUserCatalog(t *testing.T, db *sqlx.DB, schema string) []string {
	t.Helper()
	var lines []string
	query := func(q string) {
		rows, err := db.Queryx(q, schema)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			cols, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, c := range cols {
				parts = append(parts, strings.ReplaceAll(fmtValue(c), schema+".", ""))
			}
			lines = append(lines, strings.Join(parts, " | "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	query(`SELECT column_name, data_type, coalesce(character_maximum_length, 0), is_nullable, coalesce(column_default, '')
		FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'auth_user' ORDER BY ordinal_position`)
	query(`SELECT c.conname, c.contype, pg_get_constraintdef(c.oid) FROM pg_constraint c
		JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
		WHERE n.nspname = $1 AND r.relname = 'auth_user' ORDER BY c.conname`)
	query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'auth_user' ORDER BY indexname`)
	return lines
}

func fmtValue(v any) string {
	if b, ok := v.([]byte); ok {
		return string(b)
	}
	return fmt.Sprint(v)
}

// Instances starting together on an empty schema all start: one creates
// auth_user with the demo users, the others' CREATE fails (PostgreSQL makes
// them wait for the first's commit) and they find the table made, with the
// demo users in it once.
func TestInstancesStartingAtOnceOnPostgresMakeOneAuthUser(t *testing.T) {
	for round := range 5 {
		cfg, db, schema := postgresConfig(t, "memory")
		const n = 6
		start := make(chan struct{})
		errs := make(chan error, n)
		for range n {
			go func() {
				<-start
				users, cs, err := openUsers(cfg)
				if err == nil {
					_, err = users.authenticate(context.Background(), "bob", "builder")
					cs.close()
				}
				errs <- err
			}()
		}
		close(start)
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("round %d: an instance did not start: %v", round, err)
			}
		}
		var names []string
		if err := db.Select(&names, "SELECT username FROM "+schema+".auth_user ORDER BY id"); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names, []string{"alice", "bob"}) {
			t.Errorf("round %d: auth_user holds %q, want the demo users once", round, names)
		}
	}
}
