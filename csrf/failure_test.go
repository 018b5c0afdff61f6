package csrf_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/csrf"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// brokenStore fails every Load, as a store that is down does.
type brokenStore struct{ stores.Store }

var errDown = errors.New("store down")

func (brokenStore) Load(context.Context, string) ([]byte, error) { return nil, errDown }

// A session that cannot be read is a failure, never a 403 (the user did
// nothing wrong) nor a pass (nothing was checked), and Token says why.
func TestASessionStoreFailureIsA500AndAnError(t *testing.T) {
	store, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.Use(ginsession.New(brokenStore{store}), csrf.New())
	ran := false
	r.POST("/", func(*gin.Context) { ran = true })
	var tokenErr error
	r.GET("/", func(c *gin.Context) { _, tokenErr = csrf.Token(c) })
	for _, method := range []string{http.MethodPost, http.MethodGet} {
		req := httptest.NewRequest(method, "/", nil)
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: "abcdefgh12345678abcdefgh12345678"})
		req.Header.Set("X-CSRFToken", maskedSecret1)
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		if method == http.MethodPost && (w.Code != http.StatusInternalServerError || ran) {
			t.Errorf("POST: %d, handler ran: %v; want 500 and no handler", w.Code, ran)
		}
	}
	if !errors.Is(tokenErr, errDown) {
		t.Errorf("Token: %v, want the store's error", tokenErr)
	}
}
