package interop

import (
	"testing"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// TestRebuildIndexFindsTheLoginsDjangoMade: Django's own SessionStore
// saves a logged-in session and an anonymous one in the shared table;
// sqlstore.RebuildIndex decodes Django's signed format and indexes the
// logged-in one alone.
func TestRebuildIndexFindsTheLoginsDjangoMade(t *testing.T) {
	eachDatabase(t, func(t *testing.T, kind string) {
		d := newDjangoDB(t, kind)
		loggedIn, _ := d.djangoSave(t, `{"_auth_user_id":"7","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"x"}`, nil)
		d.djangoSave(t, `{"cart":[1,2]}`, nil)
		index := testenv.Name("gs_interop_idx_")
		st, err := sqlstore.New(d.db, sqlstore.WithIndexTable(index))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			st.Close()
			d.db.Exec("DROP TABLE IF EXISTS " + index)
		})
		if err := st.CreateTable(ctx(t)); err != nil {
			t.Fatal(err)
		}
		added, skipped, err := st.RebuildIndex(ctx(t), ginsession.DjangoCodec(secret))
		if err != nil || added != 1 || skipped != 1 {
			t.Fatalf("RebuildIndex = %d added, %d skipped, %v; want Django's one login, and its anonymous row skipped", added, skipped, err)
		}
		l, err := st.IndexList(ctx(t), "7")
		if err != nil || len(l) != 1 || l[0].Key != loggedIn || l[0].Backend != "django.contrib.auth.backends.ModelBackend" {
			t.Fatalf("user 7's index = %+v, %v; want Django's session", l, err)
		}
	})
}
