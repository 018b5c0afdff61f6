package messages_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/messages"
)

// TestUnreadableMessagesAreAnErrorAndAreKept plants a value Django would not
// write under "_messages": Consume, Peek and Add report ErrCorrupt and leave
// it as it was; Clear discards it.
func TestUnreadableMessagesAreAnErrorAndAreKept(t *testing.T) {
	const bad = `[["__json_message", 0, "twenty", "hi"]]`
	var errs []error
	var left []any
	r := gin.New()
	r.Use(ginsession.New(newCounting()))
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Set(messages.SessionKey, bad)
		_, err1 := messages.Consume(c)
		_, err2 := messages.Peek(c)
		err3 := messages.Info(c, "new")
		v, _ := s.Get(messages.SessionKey)
		errs, left = []error{err1, err2, err3}, []any{v}
		messages.Clear(c)
		err4 := messages.Info(c, "after clear")
		ms, err5 := messages.Consume(c)
		errs = append(errs, err4, err5)
		if len(ms) != 1 || ms[0].Text != "after clear" {
			t.Errorf("after Clear: %+v", ms)
		}
		c.Status(http.StatusNoContent)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	for i, err := range errs[:3] {
		if !errors.Is(err, messages.ErrCorrupt) {
			t.Errorf("call %d: %v, want ErrCorrupt", i, err)
		} else if n := strings.Count(err.Error(), "messages: "); n != 1 {
			t.Errorf("call %d: %q says \"messages: \" %d times, want once", i, err, n)
		}
	}
	if left[0] != bad {
		t.Errorf("the unreadable value became %v", left[0])
	}
	for i, err := range errs[3:] {
		if err != nil {
			t.Errorf("after Clear, call %d: %v", i, err)
		}
	}
}

func TestTextThatIsNotUTF8IsRefused(t *testing.T) {
	var err error
	r := gin.New()
	r.Use(ginsession.New(newCounting()))
	r.GET("/", func(c *gin.Context) {
		err = messages.Error(c, "bad \xff byte")
		c.Status(http.StatusNoContent)
	})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if !errors.Is(err, messages.ErrInvalidText) {
		t.Fatalf("Error with invalid UTF-8: %v", err)
	}
	if w.Header().Get("Set-Cookie") != "" {
		t.Errorf("a refused message still made a session: %q", w.Header().Get("Set-Cookie"))
	}
}

// brokenStore fails every Load, as a store that is down does.
type brokenStore struct{ *countingStore }

var errDown = errors.New("store down")

func (brokenStore) Load(context.Context, string) ([]byte, error) { return nil, errDown }

// TestAStoreFailureIsAnErrorNotAnEmptyList: with the session unloadable,
// Consume and Add report the store's error instead of "no messages".
func TestAStoreFailureIsAnErrorNotAnEmptyList(t *testing.T) {
	var consumeErr, addErr error
	r := gin.New()
	r.Use(ginsession.New(brokenStore{newCounting()}))
	r.GET("/", func(c *gin.Context) {
		_, consumeErr = messages.Consume(c)
		addErr = messages.Info(c, "lost?")
		c.Status(http.StatusNoContent)
	})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: "abcdefgh12345678abcdefgh12345678"})
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if !errors.Is(consumeErr, errDown) || !errors.Is(addErr, errDown) {
		t.Fatalf("Consume: %v; Add: %v; want the store's error", consumeErr, addErr)
	}
	if w.Code != http.StatusInternalServerError {
		t.Errorf("the request answered %d, want 500", w.Code)
	}
}
