package ginsession_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	redis9 "github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cachedstore"
	"github.com/ginsession/ginsession/stores/filestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redis9store"
)

// swapStores returns every server store that merges concurrent changes
// (stores.Swapper), each on a table, prefix or directory of the test's own:
// memory, files, SQLite, MariaDB, PostgreSQL, Redis through v8 and v9,
// a Redis 7 Cluster, and cachedstore over Redis+MariaDB and memory+files.
func swapStores(t *testing.T) []namedStore {
	dir := func(t *testing.T) *filestore.Store {
		st, err := filestore.New(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	cached := func(t *testing.T, cache, db stores.Store) stores.Store {
		st, err := cachedstore.New(cache, db)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	return []namedStore{
		{"memory", func(t *testing.T) stores.Store { return testenv.Must(memstore.New()) }},
		{"file", func(t *testing.T) stores.Store { return dir(t) }},
		{"sqlite", func(t *testing.T) stores.Store { return everystore.SQL(t, sqliteDB(t), "gs_merge_") }},
		{"mysql", func(t *testing.T) stores.Store { return everystore.SQL(t, testenv.MySQL(t), "gs_merge_") }},
		{"postgres", func(t *testing.T) stores.Store { return everystore.SQL(t, testenv.Postgres(t), "gs_merge_") }},
		{"redis-v8", func(t *testing.T) stores.Store { return everystore.Redis(t, "gs_merge_") }},
		{"redis-v9", func(t *testing.T) stores.Store {
			client := testenv.Redis9(t)
			st, err := redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, "gs_merge_")))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
		{"redis-cluster", func(t *testing.T) stores.Store {
			client := redis9.NewClusterClient(&redis9.ClusterOptions{Addrs: mergeCluster(t), ContextTimeoutEnabled: true})
			t.Cleanup(func() { client.Close() })
			st, err := redis9store.New(client, redis9store.WithPrefix(testenv.Redis9Prefix(t, client, "gs_merge_")))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
		{"cached-redis-mysql", func(t *testing.T) stores.Store {
			return cached(t, everystore.Redis(t, "gs_merge_"), everystore.SQL(t, testenv.MySQL(t), "gs_merge_"))
		}},
		{"cached-memory-file", func(t *testing.T) stores.Store { return cached(t, testenv.Must(memstore.New()), dir(t)) }},
	}
}

type namedStore struct {
	name string
	open func(t *testing.T) stores.Store
}

// mergeCluster starts a Redis Cluster for the test, on ports apart from
// the stores' own tests (7301-7500, 7601-7800).
func mergeCluster(t *testing.T) []string { return testenv.RedisCluster(t, 7851, 7950) }

// mergeRounds is how many times each race runs: enough under CI to catch a
// rare interleaving, fewer with -short.
func mergeRounds() int {
	if testing.Short() {
		return 1
	}
	return 4
}

// barrier holds every request that reaches it until n have, so that all of
// them have loaded the session before any saves: the worst overlap.
type barrier struct {
	mu   sync.Mutex
	n    int
	in   int
	open chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, open: make(chan struct{})} }

func (b *barrier) wait(t testing.TB) {
	b.mu.Lock()
	b.in++
	if b.in == b.n {
		close(b.open)
	}
	b.mu.Unlock()
	select {
	case <-b.open:
	case <-time.After(30 * time.Second):
		t.Errorf("barrier: only %d of %d requests arrived", b.in, b.n)
	}
}

// mergeApp is a gin.Engine behind an httptest.Server whose routes load
// the session, wait at the barrier the test sets, then change it.
type mergeApp struct {
	t       *testing.T
	store   stores.Store
	srv     *httptest.Server
	client  *http.Client
	logs    *testenv.LogBuffer
	mu      sync.Mutex
	barrier *barrier
}

func newMergeApp(t *testing.T, st stores.Store) *mergeApp {
	a := &mergeApp{t: t, store: st, logs: &testenv.LogBuffer{}}
	r := gin.New()
	r.Use(ginsession.New(st, ginsession.WithLogger(a.logs.Logger())))
	r.GET("/init", func(c *gin.Context) {
		s := ginsession.From(c)
		for _, k := range strings.Split(c.Query("keys"), ",") {
			s.Set(k, "init")
		}
		c.String(http.StatusOK, "ok")
	})
	// Each route reads the session (so it is loaded), waits for the others,
	// then makes its change.
	step := func(c *gin.Context, change func(s *ginsession.Session) error) {
		s := ginsession.From(c)
		_, _ = s.Get("init")
		a.mu.Lock()
		b := a.barrier
		a.mu.Unlock()
		if b != nil {
			b.wait(t)
		}
		if err := change(s); err != nil {
			_ = c.Error(err)
			c.String(http.StatusBadRequest, err.Error())
			return
		}
		c.String(http.StatusOK, "ok")
	}
	r.GET("/set", func(c *gin.Context) {
		step(c, func(s *ginsession.Session) error { s.Set(c.Query("k"), c.Query("v")); return nil })
	})
	r.GET("/del", func(c *gin.Context) {
		step(c, func(s *ginsession.Session) error { s.Delete(c.Query("k")); return nil })
	})
	r.GET("/logout", func(c *gin.Context) {
		step(c, func(s *ginsession.Session) error { return s.Flush() })
	})
	r.GET("/cycle", func(c *gin.Context) {
		step(c, func(s *ginsession.Session) error {
			if err := s.CycleKey(); err != nil {
				return err
			}
			s.Set(c.Query("k"), c.Query("v"))
			return nil
		})
	})
	a.srv = httptest.NewServer(r)
	t.Cleanup(a.srv.Close)
	a.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 60 * time.Second}
	t.Cleanup(a.client.CloseIdleConnections)
	return a
}

type mergeResp struct {
	status int
	body   string
	key    string // the session key a Set-Cookie gave, if any
	del    bool   // the response deleted the cookie
}

func (a *mergeApp) get(path, key string) mergeResp {
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
	if key != "" {
		req.Header.Set("Cookie", "sessionid="+key)
	}
	resp, err := a.client.Do(req)
	if err != nil {
		a.t.Error(err)
		return mergeResp{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := mergeResp{status: resp.StatusCode, body: string(b)}
	for _, c := range resp.Cookies() {
		if c.Name == "sessionid" {
			out.key, out.del = c.Value, c.MaxAge < 0
		}
	}
	return out
}

// start makes a session holding keys, each set to "init", and returns its key.
func (a *mergeApp) start(keys ...string) string {
	r := a.get("/init?keys="+strings.Join(keys, ","), "")
	if r.status != http.StatusOK || !stores.ValidKey(r.key) {
		a.t.Fatalf("init: %d %q, key %q", r.status, r.body, r.key)
	}
	return r.key
}

// race sends every path at once with the session's key, after arming the
// barrier for all of them, and returns the responses in the paths' order.
func (a *mergeApp) race(key string, paths []string) []mergeResp { return a.send(key, paths, true) }

// send sends every path at once with the session's key, holding each
// request at the barrier after its load when hold is set, and returns the
// responses in the paths' order.
func (a *mergeApp) send(key string, paths []string, hold bool) []mergeResp {
	if hold {
		a.mu.Lock()
		a.barrier = newBarrier(len(paths))
		a.mu.Unlock()
	}
	out := make([]mergeResp, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = a.get(p, key)
		}()
	}
	wg.Wait()
	a.mu.Lock()
	a.barrier = nil
	a.mu.Unlock()
	return out
}

// record returns the values stored under key, or nil when there is no
// record.
func (a *mergeApp) record(key string) map[string]any {
	a.t.Helper()
	data, err := a.store.Load(context.Background(), key)
	if errors.Is(err, stores.ErrNotFound) {
		return nil
	}
	if err != nil {
		a.t.Fatalf("load %s: %v", stores.Redact(key), err)
	}
	_, values, err := ginsession.JSONCodec{}.Decode(data)
	if err != nil {
		a.t.Fatalf("record %q: %v", data, err)
	}
	return values
}

// noErrorLogs fails the test if the middleware logged an error or corrupt
// data.
func (a *mergeApp) noErrorLogs() {
	a.t.Helper()
	if l := a.logs.String(); strings.Contains(l, "level=ERROR") || strings.Contains(l, "corrupted") {
		a.t.Fatalf("the middleware logged a failure:\n%s", l)
	}
}

// eachSwapStore runs f on every merging store, mergeRounds times each.
func eachSwapStore(t *testing.T, f func(t *testing.T, a *mergeApp)) {
	for _, ns := range swapStores(t) {
		t.Run(ns.name, func(t *testing.T) {
			st := ns.open(t)
			if _, ok := st.(stores.Swapper); !ok {
				t.Fatalf("%T is no stores.Swapper", st)
			}
			a := newMergeApp(t, st)
			for round := range mergeRounds() {
				f(t, a)
				if t.Failed() {
					t.Fatalf("round %d failed", round)
				}
			}
			a.noErrorLogs()
		})
	}
}

// TestConcurrentWritersOfDifferentKeysAllLand: 50 requests on one session,
// each setting a key of its own, all load the session before any saves;
// afterwards the record holds all 50.
func TestConcurrentWritersOfDifferentKeysAllLand(t *testing.T) {
	const n = 50
	eachSwapStore(t, func(t *testing.T, a *mergeApp) {
		key := a.start("init")
		paths := make([]string, n)
		for i := range paths {
			paths[i] = fmt.Sprintf("/set?k=k%02d&v=v%02d", i, i)
		}
		for i, r := range a.race(key, paths) {
			if r.status != http.StatusOK {
				t.Errorf("request %d: %d %s", i, r.status, r.body)
			}
		}
		rec := a.record(key)
		missing := 0
		for i := range n {
			if rec[fmt.Sprintf("k%02d", i)] != fmt.Sprintf("v%02d", i) {
				missing++
			}
		}
		if missing > 0 || rec["init"] != "init" || len(rec) != n+1 {
			t.Errorf("%d of %d keys lost; the record has %d entries: %v", missing, n, len(rec), rec)
		}
	})
}

// TestConcurrentSetsAndDeletesAllLand: 25 requests set new keys while 25
// others delete keys the session had: every set is there, every deleted
// key gone, and the key nobody touched kept.
func TestConcurrentSetsAndDeletesAllLand(t *testing.T) {
	const n = 25
	eachSwapStore(t, func(t *testing.T, a *mergeApp) {
		initial := []string{"init"}
		for i := range n {
			initial = append(initial, fmt.Sprintf("d%02d", i))
		}
		key := a.start(initial...)
		var paths []string
		for i := range n {
			paths = append(paths, fmt.Sprintf("/set?k=s%02d&v=x", i), fmt.Sprintf("/del?k=d%02d", i))
		}
		for i, r := range a.race(key, paths) {
			if r.status != http.StatusOK {
				t.Errorf("%s: %d %s", paths[i], r.status, r.body)
			}
		}
		rec := a.record(key)
		for i := range n {
			if rec[fmt.Sprintf("s%02d", i)] != "x" {
				t.Errorf("set s%02d lost", i)
			}
			if _, ok := rec[fmt.Sprintf("d%02d", i)]; ok {
				t.Errorf("deleted d%02d came back", i)
			}
		}
		if rec["init"] != "init" || len(rec) != n+1 {
			t.Errorf("record: %v", rec)
		}
	})
}

// TestTwoWritersOfOneKeyOneValueWinsWhole: 50 requests set the same key to
// values of their own, 4 KB each: the record ends holding exactly one of
// them, whole.
func TestTwoWritersOfOneKeyOneValueWinsWhole(t *testing.T) {
	const n = 50
	value := func(i int) string { return strings.Repeat(fmt.Sprintf("w%02d.", i), 1024) }
	eachSwapStore(t, func(t *testing.T, a *mergeApp) {
		key := a.start("init")
		paths := make([]string, n)
		for i := range paths {
			paths[i] = fmt.Sprintf("/set?k=same&v=%s", value(i))
		}
		for i, r := range a.race(key, paths) {
			if r.status != http.StatusOK {
				t.Errorf("request %d: %d %s", i, r.status, r.body)
			}
		}
		rec := a.record(key)
		got, _ := rec["same"].(string)
		whole := false
		for i := range n {
			whole = whole || got == value(i)
		}
		if !whole || rec["init"] != "init" || len(rec) != 2 {
			t.Errorf("the key holds no single write whole (%d bytes); record has %d entries", len(got), len(rec))
		}
	})
}

// TestLogoutRacingWritersBringsNothingBack: a logout among 49 writers, all
// loaded before any saves. The logout wins: afterwards there is no record
// under the key, whatever order the saves landed in; writers answer 200
// (their save landed before the logout, and was ended with it) or 400
// (Django's SessionInterrupted), never 500.
func TestLogoutRacingWritersBringsNothingBack(t *testing.T) {
	const n = 49
	eachSwapStore(t, func(t *testing.T, a *mergeApp) {
		key := a.start("init", "secret")
		paths := []string{"/logout"}
		for i := range n {
			paths = append(paths, fmt.Sprintf("/set?k=k%02d&v=x", i))
		}
		res := a.race(key, paths)
		if res[0].status != http.StatusOK || !res[0].del {
			t.Errorf("logout: %d %q (cookie deleted: %v)", res[0].status, res[0].body, res[0].del)
		}
		for i, r := range res[1:] {
			if r.status != http.StatusOK && r.status != http.StatusBadRequest {
				t.Errorf("writer %d: %d %s", i, r.status, r.body)
			}
		}
		if rec := a.record(key); rec != nil {
			t.Errorf("the logged-out session is back: %v", rec)
		}
	})
}

// TestCycleKeyRacingWritersKeepsTheirChanges: a login-style CycleKey among
// 30 writers of the old key. Every writer whose save got a 200 has its key
// in the record under the new key (merged before the old record was
// retired); the others got 400, as after any key change; the old key holds
// nothing.
func TestCycleKeyRacingWritersKeepsTheirChanges(t *testing.T) {
	const n = 30
	eachSwapStore(t, func(t *testing.T, a *mergeApp) {
		key := a.start("init")
		paths := []string{"/cycle?k=cycled&v=yes"}
		for i := range n {
			paths = append(paths, fmt.Sprintf("/set?k=k%02d&v=x", i))
		}
		res := a.race(key, paths)
		c := res[0]
		if c.status != http.StatusOK || !stores.ValidKey(c.key) || c.key == key {
			t.Fatalf("cycle: %d %q, new key %q", c.status, c.body, c.key)
		}
		rec := a.record(c.key)
		if rec["cycled"] != "yes" || rec["init"] != "init" {
			t.Errorf("the new record lost the cycle's own data: %v", rec)
		}
		landed := 0
		for i, r := range res[1:] {
			k := fmt.Sprintf("k%02d", i)
			switch r.status {
			case http.StatusOK:
				landed++
				if rec[k] != "x" {
					t.Errorf("writer %s answered 200 but its key is not in the new record", k)
				}
			case http.StatusBadRequest:
			default:
				t.Errorf("writer %s: %d %s", k, r.status, r.body)
			}
		}
		if old := a.record(key); old != nil {
			t.Errorf("the old key still holds a record: %v", old)
		}
		t.Logf("%d of %d writers landed before the cycle", landed, n)
	})
}

// TestCycleKeyRacingLogoutBringsNothingBack: a CycleKey and a logout on the
// same session, loaded together. Either the logout came first and the
// cycle fails with 400, leaving no record under either key; or the cycle
// came first and the logout, holding the old key, ended nothing of the
// moved session (as if its request had come after). The old data is never
// left under the old key.
func TestCycleKeyRacingLogoutBringsNothingBack(t *testing.T) {
	eachSwapStore(t, func(t *testing.T, a *mergeApp) {
		for range 5 {
			key := a.start("init")
			res := a.race(key, []string{"/cycle?k=cycled&v=yes", "/logout"})
			c, l := res[0], res[1]
			if l.status != http.StatusOK {
				t.Errorf("logout: %d %s", l.status, l.body)
			}
			if a.record(key) != nil {
				t.Errorf("the old key holds a record after logout and cycle")
			}
			switch c.status {
			case http.StatusBadRequest:
				if c.key != "" && !c.del {
					if rec := a.record(c.key); rec != nil {
						t.Errorf("the cycle failed but its new record lives: %v", rec)
					}
				}
			case http.StatusOK:
				if rec := a.record(c.key); rec["init"] != "init" || rec["cycled"] != "yes" {
					t.Errorf("the cycle answered 200 but its record is %v", rec)
				}
			default:
				t.Errorf("cycle: %d %s", c.status, c.body)
			}
		}
	})
}

// TestALoneProcessConflictsAtMostOncePerSave: 50 requests that all loaded
// the session before any saves cost 2×50−1 conditional writes at most:
// the first lands, every other conflicts once (with the saves made since
// its load) and lands on its retry, since the process's saves of one key
// take turns (swap.go's saveLocks).
func TestALoneProcessConflictsAtMostOncePerSave(t *testing.T) {
	const n = 50
	for _, ns := range swapStores(t)[:4] { // memory, file, sqlite, mysql
		t.Run(ns.name, func(t *testing.T) {
			inner := ns.open(t)
			counted := meddle(inner)
			a := newMergeApp(t, counted)
			key := a.start("init")
			paths := make([]string, n)
			for i := range paths {
				paths[i] = fmt.Sprintf("/set?k=k%02d&v=x", i)
			}
			counted.swaps.Store(0)
			for _, r := range a.race(key, paths) {
				if r.status != http.StatusOK {
					t.Fatalf("%d %s", r.status, r.body)
				}
			}
			if got := counted.swaps.Load(); got > 2*n-1 {
				t.Errorf("%d conditional writes for %d saves, want at most %d", got, n, 2*n-1)
			}
			if rec := a.record(key); len(rec) != n+1 {
				t.Errorf("%d entries", len(rec))
			}
		})
	}
}
