package djangocache_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
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

// barrierStore holds each Load until n Loads have read the record, so that
// n requests all start from the same data: the interleaving in which a
// last-write-wins save would lose all but one request's change.
type barrierStore struct {
	*djangocache.Store
	arrived chan struct{}
	n       int
}

func (b *barrierStore) Load(ctx context.Context, key string) ([]byte, error) {
	data, err := b.Store.Load(ctx, key)
	select {
	case b.arrived <- struct{}{}:
	default: // a later load (none is expected) waits for nobody
	}
	for len(b.arrived) < b.n {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
	return data, err
}

// concurrentApp sets the query's k to 1 in the session, and /keys answers
// how many entries it holds.
func concurrentApp(store stores.Store, codec ginsession.Codec) *gin.Engine {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(ginsession.New(store, ginsession.WithCodec(codec)))
	r.GET("/set", func(c *gin.Context) {
		ginsession.From(c).Set(c.Query("k"), 1)
		c.String(http.StatusOK, "ok")
	})
	r.GET("/keys", func(c *gin.Context) { c.String(http.StatusOK, "%d", ginsession.From(c).Len()) })
	return r
}

func get(t *testing.T, r http.Handler, path, key string) (string, string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if key != "" {
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		t.Errorf("%s: %d %s", path, w.Code, w.Body.String())
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == "sessionid" {
			key = c.Value
		}
	}
	return w.Body.String(), key
}

var codecs = []struct {
	name  string
	codec ginsession.Codec
}{
	{"pickle", djangocache.PickleCodec{}},
	{"zlib", djangocache.Zlib(djangocache.PickleCodec{})},
}

// Requests that loaded the same data each save a change of their own:
// every change is kept (the store's compare-and-swap makes the later saves
// conflict and replay their changes on the newer data).
func TestRequestsThatLoadedTheSameDataLoseNoChange(t *testing.T) {
	client := testenv.Redis9(t)
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			const n = 4
			s := &barrierStore{Store: newStore(t, client), arrived: make(chan struct{}, n), n: n}
			r := concurrentApp(s, c.codec)
			_, key := get(t, r, "/set?k=first", "") // a new session: no load
			done := make(chan struct{})
			for i := range n {
				go func() {
					defer func() { done <- struct{}{} }()
					get(t, r, "/set?k=k"+strconv.Itoa(i), key)
				}()
			}
			for range n {
				<-done
			}
			if got, _ := get(t, concurrentApp(s.Store, c.codec), "/keys", key); got != strconv.Itoa(n+1) {
				t.Fatalf("the session holds %s entries, want %d", got, n+1)
			}
		})
	}
}

// Many rounds of concurrent requests on one session, under -race.
func TestManyConcurrentRequestsLoseNoChange(t *testing.T) {
	client := testenv.Redis9(t)
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) {
			r := concurrentApp(newStore(t, client), c.codec)
			_, key := get(t, r, "/set?k=first", "")
			const workers, rounds = 8, 15
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					for i := range rounds {
						get(t, r, "/set?k=w"+strconv.Itoa(w)+"_"+strconv.Itoa(i), key)
					}
				})
			}
			wg.Wait()
			if got, _ := get(t, r, "/keys", key); got != strconv.Itoa(workers*rounds+1) {
				t.Fatalf("the session holds %s entries, want %d", got, workers*rounds+1)
			}
		})
	}
}
