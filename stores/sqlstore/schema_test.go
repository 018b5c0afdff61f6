package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// TestATableNameCannotInjectSQL: every hostile table name is
// refused by WithTable and Schema before any SQL is built; a reserved word
// is a valid (quoted) name; data holding SQL round-trips as data.
func TestATableNameCannotInjectSQL(t *testing.T) {
	hostile := []string{
		"django_session; DROP TABLE users", "django_session` WHERE 1=1 --", `x"; DELETE FROM t; --`,
		"a b", "t--", "t/*c*/", "t'", "t`", "t\x00", "t\n", "db.table", "1table", "",
		strings.Repeat("a", 65), "ünïcode", "t;", "t)", "t(",
	}
	for _, name := range hostile {
		if _, err := New(testenv.MySQL(t), WithTable(name)); err == nil {
			t.Errorf("WithTable(%q) was accepted", name)
		}
		for _, d := range []Dialect{MySQL, Postgres} {
			if _, err := Schema(d, name); err == nil {
				t.Errorf("Schema(%v, %q) was accepted", d, name)
			}
		}
	}
	db := testenv.MySQL(t)
	table := testenv.Name("select_")
	st, err := New(db, WithTable("select"))
	if err != nil {
		t.Fatalf("a reserved word is a valid identifier: %v", err)
	}
	st.Close()
	// The quoted name works on the server, and data that looks like SQL is
	// only ever a parameter.
	st, err = New(db, WithTable(table))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Exec("DROP TABLE IF EXISTS `" + table + "`")
	key := stores.NewKey()
	if err := st.Create(ctx, key, []byte(`{"a":"'; DROP TABLE x; --"}`), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b, err := st.Load(ctx, key); err != nil || !strings.Contains(string(b), "DROP TABLE") {
		t.Fatalf("data with SQL in it did not round-trip: %v", err)
	}
}
