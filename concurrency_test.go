package ginsession_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redis9store"
)

// relStores returns the stores the concurrency tests run on: the in-process
// ones always (SQLite on a file among them), Redis and MySQL when their servers answer (a failure under
// CI=true, as everywhere).
func relStores(t *testing.T) map[string]func(t *testing.T) stores.Store {
	return map[string]func(t *testing.T) stores.Store{
		"memstore": func(t *testing.T) stores.Store { return testenv.Must(memstore.New()) },
		// The same store seen through the base contract only, as a store
		// without stores.Swapper is: last write wins.
		"memstore-unconditional": func(t *testing.T) stores.Store { return baseOnly{testenv.Must(memstore.New())} },
		"filestore": func(t *testing.T) stores.Store {
			st, err := filestore.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"redisstore": func(t *testing.T) stores.Store {
			return everystore.Redis(t, "gs_conc_")
		},
		"redis9store": func(t *testing.T) stores.Store {
			client := testenv.Redis9(t)
			st, err := redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, "gs_conc_")))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"sqlstore": func(t *testing.T) stores.Store {
			return everystore.SQL(t, testenv.MySQL(t), "gs_conc_")
		},
		"sqlstore-sqlite": func(t *testing.T) stores.Store {
			return everystore.SQL(t, sqliteDB(t), "gs_conc_")
		},
	}
}

// baseOnly hides every optional capability of a store, leaving the
// stores.Store contract alone (what a minimal third-party store offers).
type baseOnly struct{ stores.Store }

// relBlob is the companion value written beside v: a torn record, or one
// mixing two writes, would show a blob that does not match v.
func relBlob(v string) string { return strings.Repeat(v+"|", 64) }

// TestManyRequestsHammeringOneSession sends 16 goroutines x 15 requests with
// one cookie at once. Every request loads a record that decodes, whose v and
// blob belong to the same write, and whose v was written by some request;
// the final record is one of the writes (last write wins, as in Django:
// there is no merging and no locking).
func TestManyRequestsHammeringOneSession(t *testing.T) {
	const goroutines, perGoroutine = 16, 15
	for name, open := range relStores(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			logs := &logBuffer{}
			var written sync.Map // v -> true, stored before the request is sent
			written.Store("init", true)
			var bad atomic.Value
			r := gin.New()
			r.Use(ginsession.New(st, ginsession.WithLogger(logs.Logger())))
			r.GET("/init", func(c *gin.Context) {
				s := ginsession.From(c)
				s.Set("v", "init")
				s.Set("blob", relBlob("init"))
				c.String(http.StatusOK, "ok")
			})
			r.GET("/write", func(c *gin.Context) {
				s := ginsession.From(c)
				v, _ := ginsession.Get[string](s, "v")
				blob, _ := ginsession.Get[string](s, "blob")
				if _, ok := written.Load(v); !ok || blob != relBlob(v) {
					bad.Store(fmt.Sprintf("loaded v=%q with a blob of %d bytes that does not match", v, len(blob)))
				}
				next := c.Query("w")
				s.Set("v", next)
				s.Set("blob", relBlob(next))
				c.String(http.StatusOK, "ok")
			})
			srv := httptest.NewServer(r)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: goroutines}, Timeout: 10 * time.Second}
			defer client.CloseIdleConnections()
			get := func(path, cookie string) (*http.Response, string) {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return nil, ""
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp, string(b)
			}
			resp, _ := get("/init", "")
			key := relSetCookieFrom(resp)
			if !stores.ValidKey(key) {
				t.Fatalf("no session made")
			}
			cookie := "sessionid=" + key
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perGoroutine {
						w := fmt.Sprintf("g%02di%02d", g, i)
						written.Store(w, true)
						resp, body := get("/write?w="+w, cookie)
						if resp != nil && resp.StatusCode != http.StatusOK {
							t.Errorf("write %s: %d %s", w, resp.StatusCode, body)
						}
					}
				}()
			}
			wg.Wait()
			if b := bad.Load(); b != nil {
				t.Fatal(b)
			}
			if strings.Contains(logs.String(), "corrupted") || strings.Contains(logs.String(), "ERROR") {
				t.Fatalf("the middleware logged a failure:\n%s", logs.String())
			}
			data, err := st.Load(context.Background(), key)
			if err != nil {
				t.Fatalf("final load: %v", err)
			}
			keys, values, err := ginsession.JSONCodec{}.Decode(data)
			if err != nil || len(keys) != 2 {
				t.Fatalf("final record %q does not decode to two keys: %v", data, err)
			}
			v, _ := values["v"].(string)
			if _, ok := written.Load(v); !ok || v == "init" || values["blob"] != relBlob(v) {
				t.Fatalf("the final record is no single write: v=%q", v)
			}
			t.Logf("%d concurrent writes; the last to reach the store wrote %s", goroutines*perGoroutine, v)
		})
	}
}

func relSetCookieFrom(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	v, _ := relSetCookieValue(resp.Header)
	return v
}

// TestConcurrentRequestsFollowDjangosSemantics pins two interleavings with
// channels, on every store:
//   - two requests load the same record, the slower one saves last: on a
//     stores.Swapper both changes are kept (merged); on a store without it
//     the slower one's data wins whole and the faster one's change is lost
//     (Django's last-write-wins);
//   - a logout (Flush) lands between another request's load and its save:
//     the save is refused with 400 and Django's SessionInterrupted message,
//     and the record stays gone for good.
func TestConcurrentRequestsFollowDjangosSemantics(t *testing.T) {
	for name, open := range relStores(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			loaded := make(chan struct{})
			release := make(chan struct{})
			r := gin.New()
			r.Use(ginsession.New(st, ginsession.WithLogger((&logBuffer{}).Logger())))
			r.GET("/set", func(c *gin.Context) {
				s := ginsession.From(c)
				s.Set(c.Query("k"), c.Query("v"))
				c.String(http.StatusOK, "ok")
			})
			r.GET("/slow-set", func(c *gin.Context) {
				s := ginsession.From(c)
				_, _ = s.Get("a") // load now
				loaded <- struct{}{}
				<-release
				s.Set(c.Query("k"), c.Query("v"))
				c.String(http.StatusOK, "ok")
			})
			r.GET("/logout", func(c *gin.Context) {
				if err := ginsession.From(c).Flush(); err != nil {
					c.String(http.StatusInternalServerError, "flush failed")
					return
				}
				c.String(http.StatusOK, "bye")
			})
			r.GET("/get", func(c *gin.Context) {
				v, _ := ginsession.From(c).Get(c.Query("k"))
				c.String(http.StatusOK, "%v", v)
			})
			srv := httptest.NewServer(r)
			defer srv.Close()
			get := func(path, cookie string) (int, string, *http.Response) {
				t.Helper()
				req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp.StatusCode, string(b), resp
			}
			_, _, resp := get("/set?k=a&v=0", "")
			key := relSetCookieFrom(resp)
			cookie := "sessionid=" + key

			// Last write wins.
			slow := make(chan int, 1)
			go func() { code, _, _ := get("/slow-set?k=a&v=slow", cookie); slow <- code }()
			<-loaded
			if code, _, _ := get("/set?k=b&v=fast", cookie); code != 200 {
				t.Fatalf("fast write: %d", code)
			}
			close(release)
			if code := <-slow; code != 200 {
				t.Fatalf("slow write: %d", code)
			}
			if _, body, _ := get("/get?k=a", cookie); body != "slow" {
				t.Errorf("a = %q after the slow write, want slow", body)
			}
			// A store that can save conditionally merges the two changes; one
			// that cannot keeps Django's last write wins: the slower request's
			// save, made from an older load, replaces the record whole.
			wantB := "<nil>"
			if _, merges := st.(stores.Swapper); merges {
				wantB = "fast"
			}
			if _, body, _ := get("/get?k=b", cookie); body != wantB {
				t.Errorf("b = %q after both writes, want %q", body, wantB)
			}

			// A logout between load and save.
			release = make(chan struct{})
			go func() { code, _, _ := get("/slow-set?k=a&v=resurrected", cookie); slow <- code }()
			<-loaded
			code, _, lresp := get("/logout", cookie)
			if code != 200 || !strings.Contains(strings.Join(lresp.Header.Values("Set-Cookie"), ";"), "Max-Age=0") {
				t.Fatalf("logout: %d, Set-Cookie %d lines", code, len(lresp.Header.Values("Set-Cookie")))
			}
			close(release)
			if code := <-slow; code != http.StatusBadRequest {
				t.Fatalf("the write after a concurrent logout answered %d, want 400 (SessionInterrupted)", code)
			}
			if ok, err := st.Exists(context.Background(), key); ok || err != nil {
				t.Fatalf("the logged-out session's record is back (exists=%v, %v)", ok, err)
			}
			if _, err := st.Load(context.Background(), key); err == nil {
				t.Fatal("the logged-out session's record loads again")
			}
			if _, body, _ := get("/get?k=a", cookie); body != "<nil>" {
				t.Errorf("the old cookie still reads %q after logout", body)
			}
		})
	}
}

// TestALogoutRacingManyWritersIsNeverUndone runs 8 writers on one session
// while a logout lands in the middle: once the logout has answered, no
// writer's save brings the record back; writers after it get 400 (or a
// fresh session if their load came after the flush).
func TestALogoutRacingManyWritersIsNeverUndone(t *testing.T) {
	for name, open := range relStores(t) {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			r := gin.New()
			r.Use(ginsession.New(st, ginsession.WithLogger((&logBuffer{}).Logger())))
			r.GET("/write", func(c *gin.Context) {
				s := ginsession.From(c)
				n, _ := ginsession.Get[int](s, "n")
				s.Set("n", n+1)
				c.String(http.StatusOK, "ok")
			})
			r.GET("/logout", func(c *gin.Context) {
				if err := ginsession.From(c).Flush(); err != nil {
					c.Status(http.StatusInternalServerError)
					return
				}
				c.String(http.StatusOK, "bye")
			})
			srv := httptest.NewServer(r)
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}, Timeout: 10 * time.Second}
			defer client.CloseIdleConnections()
			do := func(path, cookie string) *http.Response {
				req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return nil
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp
			}
			for round := range 5 {
				key := relSetCookieFrom(do("/write", ""))
				if !stores.ValidKey(key) {
					t.Fatal("no session")
				}
				cookie := "sessionid=" + key
				var loggedOut atomic.Bool
				var wg sync.WaitGroup
				codes := make([]map[int]int, 8)
				for w := range 8 {
					codes[w] = map[int]int{}
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range 10 {
							resp := do("/write", cookie)
							if resp == nil {
								return
							}
							codes[w][resp.StatusCode]++
							switch resp.StatusCode {
							case http.StatusOK, http.StatusBadRequest:
							default:
								t.Errorf("a writer got %d", resp.StatusCode)
							}
							if loggedOut.Load() {
								if ok, _ := st.Exists(context.Background(), key); ok {
									t.Errorf("round %d: a write after the logout brought the record back", round)
								}
							}
						}
					}()
				}
				time.Sleep(time.Duration(round+1) * 3 * time.Millisecond)
				if resp := do("/logout", cookie); resp == nil || resp.StatusCode != 200 {
					t.Fatal("logout failed")
				}
				loggedOut.Store(true)
				wg.Wait()
				if ok, err := st.Exists(context.Background(), key); ok || err != nil {
					t.Fatalf("round %d: the record exists after the logout (%v)", round, err)
				}
				total := map[int]int{}
				for _, c := range codes {
					for k, v := range c {
						total[k] += v
					}
				}
				t.Logf("round %d: writers' statuses %v", round, total)
			}
		})
	}
}
