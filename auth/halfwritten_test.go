package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

func newLockedIndexSite(t *testing.T, opts ...ginsession.Option) (*devSite, *sqlstore.Store, func(), func() []string) {
	db := testenv.MySQL(t)
	store := everystore.IndexedSQL(t, db, "gs_lock_")
	r := ginEngine(store, append([]ginsession.Option{ginsession.WithSecretKey(secret), ginsession.WithUserIndex(ginsession.UserIndex{}),
		ginsession.WithStoreTimeout(300 * time.Millisecond)}, opts...)...)
	r.POST("/note", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set("note", c.Query("v"))
		if d, err := time.ParseDuration(c.Query("expiry")); err == nil {
			s.SetExpiry(d) // later than the index was told: it must hear of it
		}
		c.String(http.StatusOK, "ok")
	})
	r.POST("/set-user", func(c *gin.Context) {
		// What auth.Login does when it starts a new session (another
		// user's was flushed), in one step.
		ginsession.From(c).Set(auth.SessionKeyUserID, "alice")
		c.String(http.StatusOK, "ok")
	})
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	unlock := func() {
		if _, err := conn.ExecContext(context.Background(), "UNLOCK TABLES"); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { unlock(); conn.Close() })
	lock := func() {
		if _, err := conn.ExecContext(context.Background(), "LOCK TABLES `"+store.IndexTable()+"` WRITE"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(unlock)
	}
	// loggedIn lists the data of the live records that hold a user id.
	loggedIn := func() (out []string) {
		var keys []string
		if err := db.Select(&keys, "SELECT session_key FROM `"+store.Table()+"`"); err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if data, err := store.Load(context.Background(), k); err == nil && strings.Contains(string(data), `"_auth_user_id"`) {
				out = append(out, string(data))
			}
		}
		return out
	}
	return &devSite{t: t, store: store, srv: newServer(t, r)}, store, lock, loggedIn
}

// TestAFailedIndexWriteLeavesNoHalfWrittenSession: with the index table
// locked on MySQL, a login (of an anonymous session, and of another user's,
// which starts a new record) answers 5xx and leaves no logged-in record
// that no cookie names; a change of a logged-in session answers 5xx and
// leaves its record as it was.
func TestAFailedIndexWriteLeavesNoHalfWrittenSession(t *testing.T) {
	t.Run("login of an anonymous session", func(t *testing.T) {
		site, _, lock, loggedIn := newLockedIndexSite(t)
		b := site.browser("B")
		b.must("POST", "/note?v=anonymous", url.Values{})
		lock()
		if code, body := b.do("POST", "/login/alice", url.Values{}); code < 500 {
			t.Fatalf("a login whose index write failed answered %d %q, want 5xx", code, body)
		}
		if l := loggedIn(); len(l) != 0 {
			t.Fatalf("after a failed login, logged-in records no cookie names: %q", l)
		}
	})
	for name, opts := range map[string][]ginsession.Option{"": nil, ", its key hashed": {ginsession.WithHashedKeys("key-hash-secret-of-the-locked-index-test-0123456789")}} {
		t.Run("a new session with a user"+name, func(t *testing.T) {
			site, _, lock, loggedIn := newLockedIndexSite(t, opts...)
			lock()
			b := site.browser("B")
			if code, body := b.do("POST", "/set-user", url.Values{}); code < 500 {
				t.Fatalf("a new session whose index write failed answered %d %q, want 5xx", code, body)
			}
			if l := loggedIn(); len(l) != 0 {
				t.Fatalf("after a failed save, logged-in records no cookie names: %q", l)
			}
		})
	}
	t.Run("a change of a logged-in session", func(t *testing.T) {
		site, store, lock, _ := newLockedIndexSite(t)
		b := site.browser("B")
		b.login("alice")
		b.must("POST", "/note?v=before", url.Values{})
		lock()
		if code, body := b.do("POST", "/note?v=after&expiry=1440h", url.Values{}); code < 500 {
			t.Fatalf("a change whose index write failed answered %d %q, want 5xx", code, body)
		}
		data, err := store.Load(context.Background(), b.key())
		if err != nil || !strings.Contains(string(data), `"before"`) {
			t.Fatalf("after a failed change the record holds %s (%v), want it as it was", data, err)
		}
	})
}
