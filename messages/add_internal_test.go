package messages

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/memstore"
)

// serve runs handler in one request on a fresh memstore session.
func serve(t *testing.T, handler gin.HandlerFunc) {
	t.Helper()
	store, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(ginsession.New(store))
	r.GET("/", handler)
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusNoContent {
		t.Fatalf("answered %d: %s", w.Code, w.Body)
	}
}

// TestTenThousandAddsInOneRequestCostTheSameEach adds 10,000 messages in one
// request: an Add with thousands pending allocates as little as one with
// ten (each used to decode and re-encode every pending message: about 20
// allocations per pending message, minutes of CPU in all), and the session
// holds, after each Add, exactly the string encode writes for all of them,
// Django's (TestEncodeWritesDjangosMessageEncoderString).
func TestTenThousandAddsInOneRequestCostTheSameEach(t *testing.T) {
	const n = 10_000
	serve(t, func(c *gin.Context) {
		s := ginsession.From(c)
		var want []Message
		add := func() {
			m := Message{Level: LevelInfo, Text: fmt.Sprintf("message %d é", len(want)), ExtraTags: "t"}
			if err := Add(c, m.Level, m.Text, m.ExtraTags); err != nil {
				t.Fatal(err)
			}
			want = append(want, m)
		}
		allocs := map[int]float64{}
		for len(want) < n {
			switch k := len(want); k {
			case 10, 1_000, n - 100:
				allocs[k] = testing.AllocsPerRun(5, add)
				if allocs[k] > allocs[10]+10 {
					t.Fatalf("one Add allocates %v with %d pending, %v with 10", allocs[k], k, allocs[10])
				}
			default:
				add()
			}
			if k := len(want); k%997 == 0 || k == n {
				if v, _ := s.Get(SessionKey); v != encode(want) {
					t.Fatalf("after %d adds the session holds %.200v", k, v)
				}
			}
		}
		t.Logf("allocations of one Add by messages pending: %v", allocs)
		got, err := Consume(c)
		if err != nil || len(got) != len(want) {
			t.Fatalf("Consume: %d messages, %v; want %d", len(got), err, len(want))
		}
		for i := range got {
			if got[i].Text != want[i].Text {
				t.Fatalf("message %d is %q, want %q", i, got[i].Text, want[i].Text)
			}
		}
		c.Status(http.StatusNoContent)
	})
}

// TestAddRereadsWhatOthersChangedBetweenAdds changes "_messages" between
// two Adds of one request, as a handler or Django-format code may: each
// Add builds on what the session holds then, never on what it last wrote.
func TestAddRereadsWhatOthersChangedBetweenAdds(t *testing.T) {
	const django32 = `[["__json_message", 0, 25, "from Django"]]`
	for name, tc := range map[string]struct {
		change  func(*ginsession.Session)
		want    []Message
		wantErr error
	}{
		"deleted": {
			change: func(s *ginsession.Session) { s.Delete(SessionKey) },
			want:   []Message{{Level: LevelInfo, Text: "second"}},
		},
		"replaced by Django 3.2's string": {
			change: func(s *ginsession.Session) { s.Set(SessionKey, django32) },
			want:   []Message{{Level: LevelSuccess, Text: "from Django"}, {Level: LevelInfo, Text: "second"}},
		},
		"replaced by a false value": {
			change: func(s *ginsession.Session) { s.Set(SessionKey, false) },
			want:   []Message{{Level: LevelInfo, Text: "second"}},
		},
		"replaced by an unreadable value": {
			change:  func(s *ginsession.Session) { s.Set(SessionKey, `[["x"]]`) },
			wantErr: ErrCorrupt,
		},
		"set again to an equal string": {
			change: func(s *ginsession.Session) {
				v, _ := s.Get(SessionKey)
				s.Set(SessionKey, string([]byte(v.(string))))
			},
			want: []Message{{Level: LevelInfo, Text: "first"}, {Level: LevelInfo, Text: "second"}},
		},
	} {
		t.Run(name, func(t *testing.T) {
			serve(t, func(c *gin.Context) {
				s := ginsession.From(c)
				if err := Info(c, "first"); err != nil {
					t.Fatal(err)
				}
				tc.change(s)
				before, _ := s.Get(SessionKey)
				err := Info(c, "second")
				after, _ := s.Get(SessionKey)
				switch {
				case tc.wantErr != nil:
					if !errors.Is(err, tc.wantErr) || after != before {
						t.Fatalf("Add: %v, session %v; want %v and the value kept", err, after, tc.wantErr)
					}
				case err != nil:
					t.Fatal(err)
				case after != encode(tc.want):
					t.Fatalf("session holds %v, want %v", after, encode(tc.want))
				}
				c.Status(http.StatusNoContent)
			})
		})
	}
}

// TestAddsFromCopiedContextsAreAllKept: goroutines of one request add
// through their own c.Copy(), each remembering its own last write. Every
// Add sees the others' writes, so every message is kept once, and the
// session holds encode's string for them.
func TestAddsFromCopiedContextsAreAllKept(t *testing.T) {
	const goroutines, each = 8, 50
	serve(t, func(c *gin.Context) {
		var wg sync.WaitGroup
		for g := range goroutines {
			cc := c.Copy()
			if g%2 == 0 {
				cc = c // half share the request's own context
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					if err := Info(cc, fmt.Sprintf("%d-%d", g, i)); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		v, _ := ginsession.From(c).Get(SessionKey)
		ms, err := decode(v)
		if err != nil || v != encode(ms) {
			t.Fatalf("the session holds %.200v (%v), not encode's string", v, err)
		}
		seen := map[string]int{}
		for _, m := range ms {
			seen[m.Text]++
		}
		for g := range goroutines {
			for i := range each {
				if k := fmt.Sprintf("%d-%d", g, i); seen[k] != 1 {
					t.Errorf("message %s kept %d times, want once", k, seen[k])
				}
			}
		}
		c.Status(http.StatusNoContent)
	})
}
