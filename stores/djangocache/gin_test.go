package djangocache_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/djangocache"
)

// A pickle that would run os.system if Python's pickle.loads read it: for
// ginsession it is corrupt data, as Django's SuspiciousSession: the session
// starts empty, a warning is logged, nothing runs and the request succeeds.
func TestAPickleOutsideTheAllowedSetIsAnEmptySessionAndAWarning(t *testing.T) {
	gin.SetMode(gin.TestMode)
	client := testenv.Redis9(t)
	s := newStore(t, client)
	var logs testenv.LogBuffer
	r := gin.New()
	r.Use(ginsession.New(s, ginsession.WithCodec(djangocache.PickleCodec{}), ginsession.WithLogger(logs.Logger())))
	r.GET("/", func(c *gin.Context) {
		sess := ginsession.From(c)
		c.String(http.StatusOK, "%d entries", sess.Len())
	})
	key := stores.NewKey()
	evil := "\x80\x04\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x0btouch /tmp/x\x94\x85\x94R\x94."
	if err := client.Set(context.Background(), s.RedisKey(key), evil, time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusOK || w.Body.String() != "0 entries" {
		t.Fatalf("answered %d %q", w.Code, w.Body.String())
	}
	warned := logs.Lines(slog.LevelWarn)
	if len(warned) != 1 || !strings.Contains(warned[0], "corrupted") || !strings.Contains(warned[0], "posix.system") {
		t.Fatalf("logged %q, want one warning naming the refused global", logs.String())
	}
}
