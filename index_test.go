package ginsession_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// plainStore hides memstore's index.
type plainStore struct{ stores.Store }

func panicOf(f func()) (msg string) {
	defer func() { msg, _ = recover().(string) }()
	f()
	return ""
}

func TestWithUserIndexRefusesWhatCannotWork(t *testing.T) {
	mem, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.OpenSQLite(t, sqlstore.SQLiteDSN(t.TempDir()+"/db.sqlite3"))
	noTable, err := sqlstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		store stores.Store
		cfg   ginsession.UserIndex
		want  string
	}{
		{"a store without the capability", plainStore{mem}, ginsession.UserIndex{}, "keeps no per-user index"},
		{"sqlstore without its index table", noTable, ginsession.UserIndex{}, "WithIndexTable"},
		{"a negative interval", mem, ginsession.UserIndex{ActivityInterval: -1}, "ActivityInterval"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := panicOf(func() { ginsession.New(tc.store, ginsession.WithUserIndex(tc.cfg)) })
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("New panicked with %q, want it to name %q", msg, tc.want)
			}
		})
	}
	if msg := panicOf(func() { ginsession.New(mem, ginsession.WithUserIndex(ginsession.UserIndex{})) }); msg != "" {
		t.Fatalf("New refused memstore: %s", msg)
	}
}

// TestAUserIDNoIndexHoldsFailsTheSave: a session the index cannot hold
// would be one "sign out everywhere" misses, so it is not saved.
func TestAUserIDNoIndexHoldsFailsTheSave(t *testing.T) {
	mem, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	var saveErr error
	r := gin.New()
	r.Use(ginsession.New(mem, ginsession.WithUserIndex(ginsession.UserIndex{}),
		ginsession.WithErrorHandler(func(c *gin.Context, err error) { saveErr = err; c.AbortWithStatus(500) })))
	r.GET("/", func(c *gin.Context) {
		ginsession.From(c).Set("_auth_user_id", strings.Repeat("x", stores.MaxIndexUserID+1))
		c.String(http.StatusOK, "ok")
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || saveErr == nil || !strings.Contains(saveErr.Error(), "user id") {
		t.Fatalf("a 256-byte user id: %d, %v; want the save to fail naming the user id", w.Code, saveErr)
	}
}
