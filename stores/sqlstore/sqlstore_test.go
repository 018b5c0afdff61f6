package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/storetest"
)

// newStore makes a store on db with a table of its own, created now and
// dropped when the test ends.
func newStore(t testing.TB, db *sqlx.DB, opts ...Option) *Store {
	t.Helper()
	table := testenv.Name("gs_test_")
	s, err := New(db, append([]Option{WithTable(table)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.CreateTable(ctx); err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	t.Cleanup(func() {
		s.Close()
		q := "DROP TABLE IF EXISTS `" + table + "`"
		if s.Dialect() == Postgres {
			q = `DROP TABLE IF EXISTS "` + table + `"`
		}
		if _, err := db.Exec(q); err != nil {
			t.Errorf("drop %s: %v", table, err)
		}
	})
	return s
}

func TestConformanceMySQL(t *testing.T) {
	t.Parallel()
	db := testenv.MySQL(t)
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, db) })
}

func TestConformanceMySQLWithoutPreparedStatements(t *testing.T) {
	t.Parallel()
	cfg := testenv.MySQLConfig(t)
	cfg.InterpolateParams = true
	db := testenv.OpenMySQL(t, cfg)
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, db, WithoutPreparedStatements()) })
}

// A DSN with parseTime, a loc far from UTC and a session time_zone on the
// other side of the world must change neither what is stored (UTC wall
// clock, as Django writes) nor what is read back, nor when a record expires.
func TestConformanceMySQLWithParseTimeLocAndTimeZone(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	cfg := testenv.MySQLConfig(t)
	cfg.ParseTime = true
	cfg.Loc = loc
	cfg.Params = map[string]string{"time_zone": "'-07:00'"}
	db := testenv.OpenMySQL(t, cfg)
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, db) })

	s := newStore(t, db)
	ctx := context.Background()
	k := stores.NewKey()
	exp := time.Date(2031, 5, 6, 7, 8, 9, 123456000, time.UTC)
	if err := s.Create(ctx, k, []byte("x"), exp); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := db.QueryRow("SELECT DATE_FORMAT(expire_date, '%Y-%m-%d %H:%i:%s.%f') FROM `"+s.Table()+"` WHERE session_key = ?", k).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if raw != "2031-05-06 07:08:09.123456" {
		t.Errorf("stored expire_date = %s, want the UTC wall clock 2031-05-06 07:08:09.123456", raw)
	}
	_, got, err := s.LoadWithExpiry(ctx, k)
	if err != nil || !got.Equal(exp) {
		t.Errorf("LoadWithExpiry = %v, %v; want %v", got, err, exp)
	}
}

func TestConformancePostgres(t *testing.T) {
	t.Parallel()
	db := testenv.Postgres(t)
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, db) })
}

// A session TimeZone far from UTC changes nothing: timestamptz holds
// instants and the store compares with instants it sends.
func TestConformancePostgresInAnotherTimeZone(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDSN()
	if strings.Contains(dsn, "?") {
		dsn += "&timezone=Pacific/Kiritimati"
	} else {
		dsn += "?timezone=Pacific/Kiritimati"
	}
	conn, err := pq.NewConnector(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.OpenDB(t, "PostgreSQL", conn, "postgres")
	var tz string
	if err := db.QueryRow("SHOW TimeZone").Scan(&tz); err != nil || tz != "Pacific/Kiritimati" {
		t.Fatalf("session TimeZone = %q, %v", tz, err)
	}
	storetest.Run(t, func(t *testing.T) stores.Store { return newStore(t, db) })
}

func TestSchemaForTheDefaultTableIsTheExportedDDL(t *testing.T) {
	my, err := Schema(MySQL, DefaultTable)
	if err != nil || len(my) != 1 || my[0] != MySQLSchema {
		t.Errorf("Schema(MySQL) = %q, %v; want MySQLSchema", my, err)
	}
	pg, err := Schema(Postgres, DefaultTable)
	if err != nil || strings.Join(pg, ";\n") != PostgresSchema {
		t.Errorf("Schema(Postgres) = %q, %v; want PostgresSchema", pg, err)
	}
}

func TestIndexNamesAreDjangos(t *testing.T) {
	tests := []struct {
		table string
		max   int
		want  string
	}{
		// Django 3.2's sqlmigrate for sessions.0001_initial.
		{"django_session", 64, "django_session_expire_date_a5c62663"},
		// Long names are shortened as Django's _create_index_name does.
		{strings.Repeat("t", 60), 63, strings.Repeat("t", 26) + "_expire_date_b3d1246e"},
	}
	for _, tc := range tests {
		got := indexName(tc.table, "expire_date", tc.max)
		if got != tc.want {
			t.Errorf("indexName(%q) = %q, want %q", tc.table, got, tc.want)
		}
	}
}

func TestOptionsRejectBadValues(t *testing.T) {
	db := sqlx.NewDb(&sql.DB{}, "mysql")
	bad := map[string]Option{
		"a table name with SQL in it":   WithTable("s; DROP TABLE users"),
		"a quoted table name":           WithTable("`x`"),
		"an empty table name":           WithTable(""),
		"a table name of 65 chars":      WithTable(strings.Repeat("a", 65)),
		"a table name with a digit 1st": WithTable("1abc"),
		"a schema-qualified name":       WithTable("public.django_session"),
		"a zero purge batch":            WithPurgeBatch(0),
		"an unknown dialect":            WithDialect(Dialect(9)),
	}
	for name, o := range bad {
		if _, err := New(db, o); err == nil {
			t.Errorf("New with %s succeeded", name)
		}
	}
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	if _, err := New(db, WithTable(strings.Repeat("a", 64))); err != nil {
		t.Errorf("a 64-character table name was refused: %v", err)
	}
}

func TestNewDetectsTheDialectFromTheDriverName(t *testing.T) {
	for driver, want := range map[string]Dialect{"mysql": MySQL, "postgres": Postgres, "pgx": Postgres, "sqlite": SQLite, "sqlite3": SQLite} {
		s, err := New(sqlx.NewDb(&sql.DB{}, driver))
		if err != nil || s.Dialect() != want {
			t.Errorf("driver %q: dialect %v, %v; want %v", driver, s.Dialect(), err, want)
		}
	}
	unknown := sqlx.NewDb(sql.OpenDB(otherDriver{}), "oracle")
	if _, err := New(unknown); err == nil || !strings.Contains(err.Error(), "WithDialect") {
		t.Errorf("unknown driver: err = %v, want one that names WithDialect", err)
	}
	s, err := New(unknown, WithDialect(Postgres))
	if err != nil || s.Dialect() != Postgres {
		t.Errorf("WithDialect(Postgres) on an unknown driver = %v, %v", s, err)
	}
}

// otherDriver is a database/sql driver sqlstore does not know.
type otherDriver struct{}

func (otherDriver) Open(string) (driver.Conn, error) { return nil, errors.New("no database") }
func (otherDriver) Connect(context.Context) (driver.Conn, error) {
	return nil, errors.New("no database")
}
func (d otherDriver) Driver() driver.Driver { return d }

// dbs opens a database of each dialect, for tests that run on all three.
var dbs = map[string]func(*testing.T) *sqlx.DB{
	"mysql":    func(t *testing.T) *sqlx.DB { return testenv.MySQL(t) },
	"postgres": func(t *testing.T) *sqlx.DB { return testenv.Postgres(t) },
	"sqlite":   func(t *testing.T) *sqlx.DB { return sqliteDB(t) },
}

// rawData reads session_data as the database holds it.
func rawData(t *testing.T, s *Store, key string) string {
	t.Helper()
	q := "SELECT session_data FROM `" + s.Table() + "` WHERE session_key = ?"
	if s.Dialect() == Postgres {
		q = `SELECT session_data FROM "` + s.Table() + `" WHERE session_key = $1`
	}
	var raw string
	if err := s.db.QueryRow(q, key).Scan(&raw); err != nil {
		t.Fatalf("raw select: %v", err)
	}
	return raw
}

func TestDataIsStoredVerbatimOnlyWhenASCII(t *testing.T) {
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, db(t))
			ctx := context.Background()
			tests := []struct {
				data     string
				verbatim bool
				storedAs string
			}{
				{`.eJyrVkpUslIqLU4tUtJRSgLxEjMLMrMSS1OUagG_pgli:1r8xyz:abcDEF-_`, true, ""},
				{`{"_auth_user_id":"42","msg":"caf\u00e9"}`, true, ""},
				{"caf\xc3\xa9", false, "!base64:Y2Fmw6k="},
				{"a\x00b", false, "!base64:YQBi"},
				{"!base64:YQBi", false, "!base64:IWJhc2U2NDpZUUJp"},
				{"\xff", false, "!base64:/w=="},
				{"", true, ""},
			}
			for _, tc := range tests {
				k := stores.NewKey()
				if err := s.Create(ctx, k, []byte(tc.data), time.Now().Add(time.Hour)); err != nil {
					t.Fatalf("Create(%q): %v", tc.data, err)
				}
				raw := rawData(t, s, k)
				want := tc.storedAs
				if tc.verbatim {
					want = tc.data
				}
				if raw != want {
					t.Errorf("%q stored as %q, want %q", tc.data, raw, want)
				}
				got, err := s.Load(ctx, k)
				if err != nil || !bytes.Equal(got, []byte(tc.data)) {
					t.Errorf("Load = %q, %v; want %q", got, err, tc.data)
				}
			}
		})
	}
}

// A row Django wrote (ASCII, expiry in UTC) reads back unchanged, with its
// expiry, and an escaped value that does not decode is an unreadable record.
func TestRowsWrittenByOthers(t *testing.T) {
	db := testenv.MySQL(t)
	s := newStore(t, db)
	ctx := context.Background()
	k := stores.NewKey()
	django := "eyJfYXV0aF91c2VyX2lkIjoiMSJ9:1r8Q2x:Yx8c7dLkZC5zJmT2S0p0vq2Y8j7vF0n1Hq5mYq7xQkI"
	if _, err := db.Exec("INSERT INTO `"+s.Table()+"` VALUES (?, ?, '2040-01-02 03:04:05.678901')", k, django); err != nil {
		t.Fatal(err)
	}
	data, exp, err := s.LoadWithExpiry(ctx, k)
	if err != nil || string(data) != django {
		t.Fatalf("Load = %q, %v", data, err)
	}
	if want := time.Date(2040, 1, 2, 3, 4, 5, 678901000, time.UTC); !exp.Equal(want) {
		t.Errorf("expiry = %v, want %v", exp, want)
	}
	bad := stores.NewKey()
	if _, err := db.Exec("INSERT INTO `"+s.Table()+"` VALUES (?, '!base64:***', '2040-01-01')", bad); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, bad); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("Load of a corrupt escaped value = %v, want ErrNotFound", err)
	}
}

// brokenStore returns a store on a real table whose pool has been closed,
// so every query fails.
func brokenStore(t *testing.T) *Store {
	t.Helper()
	good := newStore(t, testenv.MySQL(t))
	db := testenv.MySQL(t)
	s, err := New(db, WithTable(good.Table()))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return s
}

func TestInvalidKeysNeverReachTheDatabase(t *testing.T) {
	// The pool is closed: any query would fail with a different error.
	s := brokenStore(t)
	ctx := context.Background()
	for _, k := range []string{"", "short", "UPPERCASE12", "x'; DROP TABLE t; --", strings.Repeat("a", 41)} {
		if _, err := s.Load(ctx, k); !errors.Is(err, stores.ErrNotFound) || !errors.Is(err, stores.ErrInvalidKey) {
			t.Errorf("Load(%q) = %v, want ErrNotFound and ErrInvalidKey", k, err)
		}
		_, casErr := s.CompareAndSwap(ctx, k, nil, nil, time.Now())
		_, cadErr := s.CompareAndDelete(ctx, k, nil)
		for name, err := range map[string]error{
			"CompareAndSwap":   casErr,
			"CompareAndDelete": cadErr,
			"Create":           s.Create(ctx, k, nil, time.Now()),
			"Update":           s.Update(ctx, k, nil, time.Now()),
			"Touch":            s.Touch(ctx, k, time.Now()),
			"Delete":           s.Delete(ctx, k),
		} {
			if !errors.Is(err, stores.ErrInvalidKey) {
				t.Errorf("%s(%q) = %v, want ErrInvalidKey", name, k, err)
			}
		}
		if ok, err := s.Exists(ctx, k); ok || err != nil {
			t.Errorf("Exists(%q) = %v, %v; want false, nil (the rule in package stores)", k, ok, err)
		}
	}
}

func TestErrorsNameTheKeyOnlyByItsPrefix(t *testing.T) {
	s := brokenStore(t)
	k := stores.NewKey()
	ctx := context.Background()
	_, loadErr := s.Load(ctx, k)
	_, existsErr := s.Exists(ctx, k)
	_, casErr := s.CompareAndSwap(ctx, k, []byte("x"), []byte("y"), time.Now())
	_, cadErr := s.CompareAndDelete(ctx, k, []byte("x"))
	errs := map[string]error{
		"Load":             loadErr,
		"Exists":           existsErr,
		"CompareAndSwap":   casErr,
		"CompareAndDelete": cadErr,
		"Create":           s.Create(ctx, k, []byte("x"), time.Now()),
		"Update":           s.Update(ctx, k, []byte("x"), time.Now()),
		"Delete":           s.Delete(ctx, k),
	}
	for name, err := range errs {
		if err == nil {
			t.Errorf("%s on a closed pool succeeded", name)
			continue
		}
		if errors.Is(err, stores.ErrNotFound) || errors.Is(err, stores.ErrConflict) {
			t.Errorf("%s on a closed pool = %v, a failure posing as a missing or changed record", name, err)
		}
		if strings.Contains(err.Error(), k) || !strings.HasPrefix(err.Error(), "sqlstore: ") {
			t.Errorf("%s error %q: want a sqlstore: prefix and no full key", name, err)
		}
		if !strings.Contains(err.Error(), k[:6]+"…") {
			t.Errorf("%s error %q does not name the key's prefix", name, err)
		}
	}
}

func TestDeleteExpiredPurgesInBatches(t *testing.T) {
	for name, db := range dbs {
		t.Run(name, func(t *testing.T) {
			s := newStore(t, db(t), WithPurgeBatch(7))
			ctx := context.Background()
			live := map[string]bool{}
			for i := 0; i < 53; i++ {
				k := stores.NewKey()
				exp := time.Now().Add(-time.Duration(i+1) * time.Minute)
				if i%10 == 0 {
					exp = time.Now().Add(time.Hour)
					live[k] = true
				}
				if err := s.Create(ctx, k, []byte("x"), exp); err != nil {
					t.Fatal(err)
				}
			}
			n, err := s.DeleteExpired(ctx)
			if err != nil || n != 53-int64(len(live)) {
				t.Fatalf("DeleteExpired = %d, %v; want %d", n, err, 53-len(live))
			}
			var left int
			if err := s.db.QueryRow("SELECT COUNT(*) FROM " + quote(s)).Scan(&left); err != nil {
				t.Fatal(err)
			}
			if left != len(live) {
				t.Errorf("%d rows left, want the %d live ones", left, len(live))
			}
			if n, err := s.DeleteExpired(ctx); n != 0 || err != nil {
				t.Errorf("second DeleteExpired = %d, %v; want 0, nil", n, err)
			}
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if err := s.ClearExpired(cctx); !errors.Is(err, context.Canceled) {
				t.Errorf("ClearExpired with a cancelled context = %v", err)
			}
		})
	}
}

func quote(s *Store) string {
	if s.Dialect() == Postgres {
		return `"` + s.Table() + `"`
	}
	return "`" + s.Table() + "`"
}

func TestCreateTableIsIdempotent(t *testing.T) {
	s := newStore(t, testenv.MySQL(t))
	for i := 0; i < 2; i++ {
		if err := s.CreateTable(context.Background()); err != nil {
			t.Fatalf("CreateTable #%d: %v", i+2, err)
		}
	}
	var create string
	var tbl string
	if err := s.db.QueryRow("SHOW CREATE TABLE "+quote(s)).Scan(&tbl, &create); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"`session_key` varchar(40) NOT NULL", "`session_data` longtext", "`expire_date` datetime(6) NOT NULL", "PRIMARY KEY (`session_key`)", "KEY `" + indexName(s.Table(), "expire_date", 64) + "` (`expire_date`)"} {
		if !strings.Contains(create, want) {
			t.Errorf("SHOW CREATE TABLE lacks %q:\n%s", want, create)
		}
	}
}

func TestClosedStoreRefusesWork(t *testing.T) {
	s := newStore(t, testenv.MySQL(t))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(context.Background(), stores.NewKey()); !errors.Is(err, errClosed) {
		t.Errorf("Load after Close = %v, want errClosed", err)
	}
}
