package ginsession_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores"
)

func TestFlushDeletesTheRecord(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	k := a.newSessionKey()
	a.get("/flush", "sessionid="+k)
	if _, ok := a.store.get(k); ok {
		t.Fatal("the record survived Flush")
	}
}

func TestReadsLoadOnceAndWritesSaveOnce(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	a.r.GET("/rmw", func(c *gin.Context) {
		s := ginsession.From(c)
		for i := 0; i < 3; i++ {
			n, _ := ginsession.Get[int](s, "n")
			s.Set("n", n+1)
		}
		c.String(200, "ok")
	})
	k := a.newSessionKey()
	a.store.resetCounts()
	a.get("/rmw", "sessionid="+k)
	if a.store.count("Load") != 1 || a.store.count("Update") != 1 || a.store.total() != 2 {
		t.Fatalf("store calls %v, want one Load and one Update", a.store.calls)
	}
	a.store.resetCounts()
	r := a.get("/set?k=a&v=b", "")
	if a.store.count("Create") != 1 || a.store.total() != 1 || r.cookieValue("sessionid") == "" {
		t.Fatalf("store calls %v for a new session, want one Create", a.store.calls)
	}
}

func TestCorruptStoredDataIsAnEmptySessionAndAWarning(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	k := stores.NewKey()
	a.store.put(k, []byte("{not json"))
	r := a.get("/read?k=foo", "sessionid="+k)
	if r.StatusCode != 200 || r.body != "<nil>" {
		t.Fatalf("status %d body %q, want 200 and an empty session", r.StatusCode, r.body)
	}
	if !strings.Contains(a.logs.String(), "level=WARN") || !strings.Contains(a.logs.String(), "corrupted") {
		t.Fatalf("no warning logged: %s", a.logs.String())
	}
	if strings.Contains(a.logs.String(), k) {
		t.Fatal("the log contains the full session key")
	}
	// As in Django, the key is kept and the next save overwrites the record.
	r = a.get("/set?k=foo&v=fixed", "sessionid="+k)
	if rec, _ := a.store.get(k); string(rec.data) != `{"foo":"fixed"}` || r.cookieValue("sessionid") != k {
		t.Fatalf("record %q, cookie %q", rec.data, r.cookie("sessionid"))
	}
}

func TestKeysFromClientsAreValidatedAndNeverAdopted(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	a.r.GET("/key", func(c *gin.Context) { c.String(200, ginsession.From(c).Key()) })
	for _, planted := range []string{
		"attackerchosenkey1234567890abcde", // valid shape, unknown to the store
		"../../etc/passwd",
		"UPPERCASEKEY1234",
		"short",
		strings.Repeat("a", 41),
	} {
		a.store.resetCounts()
		// Key does not load, as Django's session_key: a well-formed key is
		// returned as sent, anything else is no key and reaches no store.
		if r := a.get("/key", "sessionid="+planted); !keyPattern.MatchString(planted) && r.body != "" {
			t.Fatalf("planted %q: Key() = %q, want \"\"", planted, r.body)
		}
		if n := a.store.count("Load"); n != 0 {
			t.Fatalf("planted %q: Key() made %d store loads, want none", planted, n)
		}
		r := a.get("/set?k=x&v=y", "sessionid="+planted)
		got := r.cookieValue("sessionid")
		if got == planted || !keyPattern.MatchString(got) {
			t.Fatalf("planted %q: session saved under %q, want a fresh key", planted, got)
		}
		if _, ok := a.store.get(planted); ok {
			t.Fatalf("a record exists under the planted key %q", planted)
		}
	}
}

func TestAFailingStoreAnswers500AndIsLogged(t *testing.T) {
	boom := errors.New("connection refused")
	for _, method := range []string{"Load", "Update", "Create", "Delete"} {
		t.Run(method, func(t *testing.T) {
			a := newApp(t, nil).standardRoutes()
			a.r.GET("/rmw", func(c *gin.Context) {
				s := ginsession.From(c)
				n, _ := ginsession.Get[int](s, "n")
				s.Set("n", n+1)
				c.JSON(http.StatusOK, gin.H{"n": n + 1})
			})
			k := a.newSessionKey()
			a.store.fail(method, boom)
			path, cookie := "/rmw", "sessionid="+k
			switch method {
			case "Create":
				cookie = ""
			case "Delete":
				path = "/flush"
			}
			r := a.get(path, cookie)
			if r.StatusCode != http.StatusInternalServerError {
				t.Fatalf("status %d body %q, want 500", r.StatusCode, r.body)
			}
			if strings.Contains(r.body, `"n"`) || r.Header.Get("Content-Type") == "application/json; charset=utf-8" {
				t.Fatalf("the handler's answer leaked: %q %q", r.Header.Get("Content-Type"), r.body)
			}
			if !strings.Contains(a.logs.String(), "level=ERROR") || !strings.Contains(a.logs.String(), "connection refused") {
				t.Fatalf("no error log: %s", a.logs.String())
			}
			if method == "Load" {
				if rec, _ := a.store.get(k); string(rec.data) != `{"foo":"bar"}` {
					t.Fatalf("a failed load was followed by a save over the record: %q", rec.data)
				}
			}
		})
	}
}

func TestAStalledStoreFailsWithinTheTimeout(t *testing.T) {
	a := newApp(t, nil, ginsession.WithStoreTimeout(100*time.Millisecond)).standardRoutes()
	k := a.newSessionKey()
	a.store.stall("Load", 10*time.Second)
	start := time.Now()
	r := a.get("/read", "sessionid="+k)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %v", took)
	}
	if r.StatusCode != 500 || !strings.Contains(a.logs.String(), "deadline exceeded") {
		t.Fatalf("status %d, log %s", r.StatusCode, a.logs.String())
	}
}

func TestCycleKeyMovesTheDataToANewKey(t *testing.T) {
	a := newApp(t, nil).standardRoutes()
	a.r.GET("/cycle", func(c *gin.Context) {
		if err := ginsession.From(c).CycleKey(); err != nil {
			c.String(500, err.Error())
			return
		}
		c.String(200, "cycled")
	})
	old := a.newSessionKey()
	a.store.resetCounts()
	r := a.get("/cycle", "sessionid="+old)
	nk := r.cookieValue("sessionid")
	if !keyPattern.MatchString(nk) || nk == old {
		t.Fatalf("new key %q (old %q)", nk, old)
	}
	if _, ok := a.store.get(old); ok {
		t.Fatal("the old record survived")
	}
	if rec, ok := a.store.get(nk); !ok || string(rec.data) != `{"foo":"bar"}` {
		t.Fatalf("new record %q, %v", rec.data, ok)
	}
	// Load + Create + Delete; no second write at the end of the request.
	if a.store.total() != 3 {
		t.Fatalf("store calls %v", a.store.calls)
	}
}
