package interop

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// mysqlClientAvailable reports whether Django's MySQL driver imports.
var mysqlClientAvailable = sync.OnceValue(func() error {
	out, err := exec.Command(python, "-c", "import MySQLdb").CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return errors.New(lines[len(lines)-1])
	}
	return nil
})

// The databases the db tests run on, each with Django's own backend for it:
// MariaDB (django.db.backends.mysql) and SQLite (django.db.backends.sqlite3,
// Django's default, on a db.sqlite3 file both sides open).
const (
	mariaDB  = "mariadb"
	sqliteDB = "sqlite"
)

var databases = []string{mariaDB, sqliteDB}

// eachDatabase runs test once per database, as parallel subtests.
func eachDatabase(t *testing.T, test func(t *testing.T, kind string)) {
	t.Helper()
	for _, kind := range databases {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			test(t, kind)
		})
	}
}

// djangoDB is a database of its own, made for one test by Django's
// migration of the sessions app (CI's MariaDB is shared, and Django's table
// name is fixed; a SQLite file lives in the test's temporary directory),
// with a sqlstore on its django_session table.
type djangoDB struct {
	env   djangoEnv
	db    *sqlx.DB // the Go side's pool on the same database
	store *sqlstore.Store
}

func newDjangoDB(t *testing.T, kind string) djangoDB {
	t.Helper()
	needDjango(t)
	env := djangoEnv{engine: dbEngine, secret: secret}
	switch kind {
	case mariaDB:
		if err := mysqlClientAvailable(); err != nil {
			testenv.Unavailable(t, "Python's MySQLdb (python3-mysqldb)", err)
		}
		testenv.MySQL(t) // skips, or fails under CI, when MariaDB is down
		env.dbName = testenv.Name("ginsession_interop_")
	case sqliteDB:
		env.dbEngine = "sqlite3"
		env.dbName = filepath.Join(t.TempDir(), "db.sqlite3")
	default:
		t.Fatalf("no database %q", kind)
	}
	var created struct {
		DDL string `json:"ddl"`
	}
	env.run(t, "db_create", struct{}{}, &created)
	t.Cleanup(func() {
		var dropped struct{}
		env.run(t, "db_drop", struct{}{}, &dropped)
	})

	var db *sqlx.DB
	switch kind {
	case mariaDB:
		if !strings.Contains(created.DDL, "CREATE TABLE `django_session`") {
			t.Fatalf("Django's migration made %s", created.DDL)
		}
		cfg := testenv.MySQLConfig(t)
		cfg.DBName = env.dbName
		db = testenv.OpenMySQL(t, cfg)
	case sqliteDB:
		// sqlite_master keeps the statement as run, so Django's table is
		// the one CreateTable makes, word for word.
		if want := strings.ReplaceAll(sqlstore.SQLiteSchema, " IF NOT EXISTS", ""); created.DDL != want {
			t.Fatalf("Django's migration made\n%s\nsqlstore.SQLiteSchema makes\n%s", created.DDL, want)
		}
		db = testenv.OpenSQLite(t, sqlstore.SQLiteDSN(env.dbName))
	}
	store, err := sqlstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return djangoDB{env: env, db: db, store: store}
}

// pyRow is Django's view of a django_session row after SessionStore.load().
type pyRow struct {
	pyLoaded
	Found      bool   `json:"found"`
	ExpireDate string `json:"expire_date"`
}

func (d djangoDB) djangoLoad(t *testing.T, key, wantJSON string) pyRow {
	t.Helper()
	var row pyRow
	d.env.run(t, "db_load", map[string]string{"key": key, "json": wantJSON}, &row)
	return row
}

// djangoSave has Django save a new session holding js (and a custom expiry
// in seconds when expiry is not nil), returning its key and expire_date.
func (d djangoDB) djangoSave(t *testing.T, js string, expiry *int) (string, time.Time) {
	t.Helper()
	var resp struct {
		Key        string `json:"key"`
		ExpireDate string `json:"expire_date"`
	}
	d.env.run(t, "db_save", map[string]any{"json": js, "expiry": expiry}, &resp)
	return resp.Key, parseDjangoTime(t, resp.ExpireDate)
}

func parseDjangoTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("Django's expire_date %q: %v", s, err)
	}
	return tm
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestRowDjangoWritesIsReadBySQLStoreWithDjangoCodec(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		d := newDjangoDB(t, kind)
		hour := 3600
		tests := []struct {
			name     string
			json     string
			expiry   *int
			wantJSON string
		}{
			{"default expiry", sampleJSON, nil, sampleJSON},
			{"large compressible data", bigJSON, nil, bigJSON},
			{"custom expiry of an hour", `{"cart":[1,2,3]}`, &hour, `{"cart":[1,2,3],"_session_expiry":3600}`},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := time.Now()
				key, expireDate := d.djangoSave(t, tc.json, tc.expiry)
				if !stores.ValidKey(key) {
					t.Fatalf("Django's key %q breaks ginsession's key rules", key)
				}
				data, exp, err := d.store.LoadWithExpiry(ctx(t), key)
				if err != nil {
					t.Fatalf("LoadWithExpiry: %v", err)
				}
				if !exp.Equal(expireDate) {
					t.Errorf("expiry %v, Django says %v", exp, expireDate)
				}
				age := 1209600 * time.Second
				if tc.expiry != nil {
					age = time.Duration(*tc.expiry) * time.Second
				}
				if lo, hi := before.Add(age-2*time.Second), time.Now().Add(age+2*time.Second); exp.Before(lo) || exp.After(hi) {
					t.Errorf("expiry %v, want about now + %v", exp, age)
				}
				keys, values, err := ginsession.DjangoCodec(secret).Decode(data)
				if err != nil {
					t.Fatalf("DjangoCodec.Decode: %v", err)
				}
				sameSession(t, keys, values, tc.wantJSON)
			})
		}
	})
}

func TestRowGinsessionWritesIsLoadedByDjango(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		d := newDjangoDB(t, kind)
		codec := ginsession.DjangoCodec(secret)
		for _, tc := range samples {
			t.Run(tc.name, func(t *testing.T) {
				key := stores.NewKey()
				expiry := time.Now().Add(time.Hour).Truncate(time.Microsecond).UTC()
				if err := d.store.Create(ctx(t), key, []byte(goEncode(t, codec, tc.json)), expiry); err != nil {
					t.Fatal(err)
				}
				row := d.djangoLoad(t, key, tc.json)
				if !row.Found || !row.Same {
					t.Fatalf("Django found=%v same=%v loaded %s", row.Found, row.Same, row.JSON)
				}
				if got := parseDjangoTime(t, row.ExpireDate); !got.Equal(expiry) {
					t.Errorf("Django reads expire_date %v, ginsession wrote %v", got, expiry)
				}
			})
		}
	})
}

func TestRowDjangoWritesAndGinsessionUpdatesIsLoadedByDjango(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		d := newDjangoDB(t, kind)
		codec := ginsession.DjangoCodec(secret)
		key, _ := d.djangoSave(t, `{"cart":[1]}`, nil)
		const updated = `{"cart":[1,2],"note":"mis à jour 😀"}`
		expiry := time.Now().Add(30 * time.Minute).Truncate(time.Microsecond).UTC()
		if err := d.store.Update(ctx(t), key, []byte(goEncode(t, codec, updated)), expiry); err != nil {
			t.Fatalf("Update of Django's row: %v", err)
		}
		row := d.djangoLoad(t, key, updated)
		if !row.Found || !row.Same {
			t.Fatalf("Django found=%v same=%v loaded %s", row.Found, row.Same, row.JSON)
		}
		if got := parseDjangoTime(t, row.ExpireDate); !got.Equal(expiry) {
			t.Errorf("Django reads expire_date %v, ginsession wrote %v", got, expiry)
		}
	})
}

func TestExpiredRowsAreMissingOnBothSides(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		d := newDjangoDB(t, kind)
		past := -10
		key, _ := d.djangoSave(t, `{"a":1}`, &past)
		if _, err := d.store.Load(ctx(t), key); !errors.Is(err, stores.ErrNotFound) {
			t.Errorf("ginsession loaded a row Django made expired: %v", err)
		}

		goKey := stores.NewKey()
		data := goEncode(t, ginsession.DjangoCodec(secret), `{"a":1}`)
		if err := d.store.Create(ctx(t), goKey, []byte(data), time.Now().Add(-10*time.Second)); err != nil {
			t.Fatal(err)
		}
		if row := d.djangoLoad(t, goKey, `{"a":1}`); row.Found || row.Same {
			t.Errorf("Django loaded a row ginsession made expired: %+v", row)
		}
	})
}

func TestRowSignedWithAnOldSecretIsReadWhenTheSecretIsAFallback(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		d := newDjangoDB(t, kind)
		old := d
		old.env.secret = oldSecret
		key, _ := old.djangoSave(t, sampleJSON, nil)
		data, err := d.store.Load(ctx(t), key)
		if err != nil {
			t.Fatal(err)
		}
		keys, values, err := ginsession.DjangoCodec(secret, oldSecret).Decode(data)
		if err != nil {
			t.Fatalf("Decode with the old secret as fallback: %v", err)
		}
		sameSession(t, keys, values, sampleJSON)
	})
}

// On SQLite expire_date is text that both sides compare as text, so Go must
// write an instant exactly as Django does, fraction and all.
func TestSQLiteExpiryTextIsDjangosOwn(t *testing.T) {
	t.Parallel()
	d := newDjangoDB(t, sqliteDB)
	raw := func(key string) string {
		t.Helper()
		var s string
		if err := d.db.QueryRow("SELECT CAST(expire_date AS TEXT) FROM django_session WHERE session_key = ?", key).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	djangoKey, exp := d.djangoSave(t, `{"a":1}`, nil)
	goKey := stores.NewKey()
	if err := d.store.Create(ctx(t), goKey, []byte(goEncode(t, ginsession.DjangoCodec(secret), `{"a":1}`)), exp); err != nil {
		t.Fatal(err)
	}
	if dj, g := raw(djangoKey), raw(goKey); dj != g {
		t.Errorf("Django wrote expire_date %q, Go wrote %q for the same instant", dj, g)
	}
	// A whole second has no fraction in Django's text; Django reads Go's.
	whole := time.Now().Add(time.Hour).Truncate(time.Second).UTC()
	if err := d.store.Update(ctx(t), goKey, []byte(goEncode(t, ginsession.DjangoCodec(secret), `{"a":2}`)), whole); err != nil {
		t.Fatal(err)
	}
	if got, want := raw(goKey), whole.Format("2006-01-02 15:04:05"); got != want {
		t.Errorf("Go wrote %q for %v, Django writes %q", got, whole, want)
	}
	row := d.djangoLoad(t, goKey, `{"a":2}`)
	if !row.Found || !row.Same || !parseDjangoTime(t, row.ExpireDate).Equal(whole) {
		t.Errorf("Django read %+v, want {\"a\":2} expiring %v", row, whole)
	}
}
