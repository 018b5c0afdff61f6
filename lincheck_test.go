package ginsession_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/lincheck"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
)

// The linearizability check: browsers (groups of clients sharing one
// cookie jar) send random requests through the middleware and a gin.Engine
// over HTTP, each request's load and save are recorded, and Porcupine
// checks the history against internal/lincheck's model of the README's
// guarantees.

// linOps is how many operations each store's check records in all, over
// linSeeds seeds: 10,000, or 1,000 with -short or -race; LINCHECK_OPS asks
// for more.
func linOps() int {
	if v, err := strconv.Atoi(os.Getenv("LINCHECK_OPS")); err == nil && v > 0 {
		return v
	}
	if testing.Short() || raceEnabled {
		return 1000
	}
	return 10000
}

const linSeeds = 4

// linRun is one run's setting.
type linRun struct {
	seed     uint64
	ops      int     // operations to record (reads and writes)
	browsers int     // cookie jars
	clients  int     // concurrent clients per jar
	timeouts float64 // share of requests whose store calls get a deadline of a few ms
	opts     []ginsession.Option
	// handlerFault, if set, replaces the handler of the named request kind
	// (a broken variant).
	broken map[string]func(c *gin.Context, rep *linReport)
	// onErr, if set, is given every error a handler answers 500 with.
	onErr func(error)
}

// linReport is what a handler did, written before its response, so that a
// request answered 5xx is still known.
type linReport struct {
	loadFailed bool
	loaded     bool
	values     lincheck.Values
	op         lincheck.Op
	changes    [lincheck.NumKeys]*lincheck.Change
	adds       int
	write      bool // the request changed, flushed or cycled the session
	empty      bool
}

type linUser string

func (u linUser) SessionAuthID() string { return string(u) }
func (u linUser) PasswordHash() string  { return "pbkdf2_sha256$1$salt$" + string(u) }

func keyIndex(k string) int {
	for i, kk := range lincheck.Keys {
		if kk == k {
			return i
		}
	}
	panic("lincheck: unobserved key " + k)
}

// linApp serves the requests and keeps the handlers' reports.
type linApp struct {
	srv     *httptest.Server
	reports sync.Map // request id -> *linReport
	logs    testenv.LogBuffer
}

func newLinApp(t *testing.T, store stores.Store, run linRun) *linApp {
	gin.SetMode(gin.TestMode)
	app := &linApp{}
	r := gin.New()
	opts := append([]ginsession.Option{
		ginsession.WithSecretKey("lincheck-secret-key-lincheck-secret-key"),
		ginsession.WithLogger(app.logs.Logger()),
	}, run.opts...)
	r.Use(ginsession.New(store, opts...))
	if run.timeouts > 0 {
		var mu sync.Mutex
		rnd := rand.New(rand.NewPCG(run.seed, 99))
		r.Use(func(c *gin.Context) {
			mu.Lock()
			cut, d := rnd.Float64() < run.timeouts, time.Duration(rnd.IntN(3000))*time.Microsecond
			mu.Unlock()
			if cut {
				ctx, cancel := context.WithTimeout(c.Request.Context(), d)
				defer cancel()
				c.Request = c.Request.WithContext(ctx)
			}
			c.Next()
		})
	}
	r.POST("/op", func(c *gin.Context) {
		rep := &linReport{}
		app.reports.Store(c.Query("id"), rep)
		if err := linHandle(c, rep, run.broken); err != nil {
			// As an application does: CycleKey, Flush, Login and Logout
			// report a failed store call to the caller.
			if run.onErr != nil {
				run.onErr(err)
			}
			c.String(http.StatusInternalServerError, "%v", err)
			return
		}
		c.String(http.StatusOK, "ok")
	})
	app.srv = httptest.NewServer(r)
	t.Cleanup(app.srv.Close)
	return app
}

// linHandle loads the session, does what the query asks and reports it.
func linHandle(c *gin.Context, rep *linReport, broken map[string]func(*gin.Context, *linReport)) (err error) {
	s := ginsession.From(c)
	items := s.Items()
	if err := s.Err(); err != nil {
		rep.loadFailed = true
		return err
	}
	rep.loaded = s.Key() != ""
	for i, k := range lincheck.Keys {
		if v, ok := items[k]; ok {
			rep.values[i] = fmt.Sprint(v)
		}
	}
	key, value := c.Query("key"), c.Query("value")
	set := func(k, v string) {
		s.Set(k, v)
		rep.changes[keyIndex(k)] = &lincheck.Change{Value: v}
	}
	kind := c.Query("op")
	if f := broken[kind]; f != nil {
		f(c, rep)
	} else {
		switch kind {
		case "read":
		case "set":
			set(key, value)
		case "delete":
			s.Delete(key)
			rep.changes[keyIndex(key)] = &lincheck.Change{Delete: true}
		case "change":
			// Three goroutines of the request add one each: Change is atomic
			// within a request, so n moves by three from what was loaded.
			var wg sync.WaitGroup
			for range 3 {
				wg.Go(func() {
					_ = s.Change("n", func(old any, ok bool) (any, bool, error) {
						n, _ := strconv.Atoi(fmt.Sprint(old))
						return strconv.Itoa(n + 1), true, nil
					})
				})
			}
			wg.Wait()
			rep.adds = 3
			n, _ := s.Get("n")
			rep.changes[keyIndex("n")] = &lincheck.Change{Value: fmt.Sprint(n)}
		case "cycle":
			rep.op = lincheck.Cycle
			if err = s.CycleKey(); err == nil {
				set(key, value)
			}
		case "login":
			uid := rep.values[keyIndex("_auth_user_id")]
			switch {
			case uid == "":
				rep.op = lincheck.Cycle
			case uid != value:
				rep.op = lincheck.Flush
			}
			err = auth.Login(c, linUser(value), "")
			rep.changes[keyIndex("_auth_user_id")] = &lincheck.Change{Value: value}
		case "logout":
			rep.op = lincheck.Flush
			err = auth.Logout(c)
		case "flush":
			rep.op = lincheck.Flush
			if err = s.Flush(); err == nil && value != "" {
				set(key, value)
			}
		}
	}
	rep.write = rep.op != lincheck.Update || s.Modified()
	rep.empty = s.IsEmpty()
	return err
}

// linBrowser is one cookie jar shared by a few clients, as tabs share one.
type linBrowser struct {
	mu  sync.Mutex
	key string
}

func (b *linBrowser) get() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.key
}

func (b *linBrowser) set(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.key = key
}

// linCounts counts responses by class.
type linCounts struct{ ok, c4xx, c5xx atomic.Int64 }

func (c *linCounts) String() string {
	return fmt.Sprintf("2xx %d, 4xx %d, 5xx %d", c.ok.Load(), c.c4xx.Load(), c.c5xx.Load())
}

// linHistory records a run's operations.
type linHistory struct {
	mu    sync.Mutex
	ops   []porcupine.Operation
	start time.Time
	count atomic.Int64
}

func (h *linHistory) now() int64 { return int64(time.Since(h.start)) }

// runLin drives run's clients through app and returns the history.
func runLin(t *testing.T, app *linApp, run linRun, counts *linCounts) []porcupine.Operation {
	h := &linHistory{start: time.Now()}
	var ids atomic.Int64
	var wg sync.WaitGroup
	var unknown []int // indexes of ops whose return is the history's end
	var unknownMu sync.Mutex
	for b := range run.browsers {
		jar := &linBrowser{}
		for cl := range run.clients {
			client := b*run.clients + cl
			rnd := rand.New(rand.NewPCG(run.seed, uint64(client)))
			wg.Go(func() {
				hc := &http.Client{}
				for h.count.Load() < int64(run.ops) && !t.Failed() {
					id := ids.Add(1)
					q := linRequest(rnd, id)
					key := jar.get()
					in := lincheck.Input{Group: b, Key: key}
					call := h.now()
					req, _ := http.NewRequest(http.MethodPost, app.srv.URL+"/op?"+q.Encode(), nil)
					if key != "" {
						req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
					}
					resp, err := hc.Do(req)
					ret := h.now()
					status := 0
					var cookie *http.Cookie
					if err == nil {
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						status = resp.StatusCode
						for _, ck := range resp.Cookies() {
							if ck.Name == "sessionid" {
								cookie = ck
							}
						}
					}
					v, ok := app.reports.LoadAndDelete(strconv.FormatInt(id, 10))
					if !ok {
						if status < 500 {
							t.Errorf("request %d (%v) answered %d without reaching the handler: %v", id, q, status, err)
						}
						continue
					}
					rep := v.(*linReport)
					switch {
					case status >= 200 && status < 300:
						counts.ok.Add(1)
					case status == http.StatusBadRequest:
						counts.c4xx.Add(1)
					case status >= 500 || status == 0:
						counts.c5xx.Add(1)
					default:
						t.Errorf("request %d (%v) answered %d", id, q, status)
					}
					if rep.loadFailed {
						if status < 500 {
							t.Errorf("request %d (%v): the load failed and it answered %d", id, q, status)
						}
						continue
					}
					newKey := ""
					if cookie != nil && cookie.MaxAge >= 0 {
						newKey = cookie.Value
					}
					if cookie != nil && status < 500 {
						jar.set(newKey)
					}
					out := lincheck.Output{
						Unknown:     status >= 500 || status == 0,
						Interrupted: status == http.StatusBadRequest,
						NewKey:      newKey,
					}
					ops := []porcupine.Operation{{ClientId: client, Call: call, Return: ret,
						Input:  lincheck.Input{Group: b, Kind: lincheck.Read, Key: key},
						Output: lincheck.Output{Found: rep.loaded, Values: rep.values}}}
					if rep.write {
						in.Kind, in.Loaded, in.Op, in.Changes, in.Empty = lincheck.Write, rep.loaded, rep.op, rep.changes, rep.empty
						in.Adds, in.Seen = rep.adds, rep.values
						ops = append(ops, porcupine.Operation{ClientId: client, Call: call, Return: ret, Input: in, Output: out})
					}
					h.mu.Lock()
					if out.Unknown && rep.write {
						unknownMu.Lock()
						unknown = append(unknown, len(h.ops)+1)
						unknownMu.Unlock()
					}
					h.ops = append(h.ops, ops...)
					h.mu.Unlock()
					h.count.Add(int64(len(ops)))
				}
			})
		}
	}
	wg.Wait()
	end := h.now() + 1
	for _, i := range unknown {
		h.ops[i].Return = end // may take effect at any time after its call
	}
	return h.ops
}

// linRequest picks a random request.
func linRequest(rnd *rand.Rand, id int64) url.Values {
	q := url.Values{"id": {strconv.FormatInt(id, 10)}}
	value := "v" + strconv.FormatInt(id, 10)
	key := [...]string{"a", "b"}[rnd.IntN(2)]
	switch p := rnd.IntN(100); {
	case p < 30:
		q.Set("op", "read")
	case p < 55:
		q.Set("op", "set")
	case p < 65:
		q.Set("op", "delete")
	case p < 77:
		q.Set("op", "change")
	case p < 83:
		q.Set("op", "cycle")
	case p < 91:
		q.Set("op", "login")
		value = [...]string{"u1", "u2"}[rnd.IntN(2)]
	case p < 96:
		q.Set("op", "logout")
	default:
		q.Set("op", "flush")
		if rnd.IntN(2) == 0 {
			value = ""
		}
	}
	q.Set("key", key)
	q.Set("value", value)
	return q
}

// checkLin checks a history, writing Porcupine's visualization to a file
// in dir whose path it logs when the history is not linearizable.
func checkLin(t *testing.T, dir, name string, ops []porcupine.Operation) porcupine.CheckResult {
	t.Helper()
	res, info := porcupine.CheckOperationsVerbose(lincheck.Model, ops, time.Minute)
	if res != porcupine.Ok {
		path := filepath.Join(dir, "lincheck-"+strings.NewReplacer("/", "_", " ", "_").Replace(name)+".html")
		if err := porcupine.VisualizePath(lincheck.Model, info, path); err != nil {
			t.Logf("visualization: %v", err)
		} else {
			t.Logf("%s: history %s; Porcupine's visualization: %s", name, res, path)
		}
		if res == porcupine.Illegal && os.Getenv("LINCHECK_EXPLAIN") != "" {
			t.Logf("%s", lincheck.Explain(ops, info))
		}
	}
	return res
}

// linOutDir is where a failed check's visualization goes: LINCHECK_OUT, or
// the system's temporary directory (the path is logged).
func linOutDir() string {
	if dir := os.Getenv("LINCHECK_OUT"); dir != "" {
		return dir
	}
	return os.TempDir()
}

// linFault disturbs the servers until ctx is done, returning how many
// times it struck.
type linFault func(ctx context.Context) int

// linCheckStore runs the check over the seeds on stores open makes, with
// the faults it returns running meanwhile.
func linCheckStore(t *testing.T, open func(t *testing.T) (stores.Store, []linFault), base linRun) *linCounts {
	t.Helper()
	counts := &linCounts{}
	total, struck := 0, 0
	for seed := range uint64(linSeeds) {
		run := base
		run.seed = seed + 1
		run.ops = linOps() / linSeeds
		st, faults := open(t)
		app := newLinApp(t, st, run)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		var hits atomic.Int64
		for _, f := range faults {
			wg.Go(func() { hits.Add(int64(f(ctx))) })
		}
		ops := runLin(t, app, run, counts)
		cancel()
		wg.Wait()
		total += len(ops)
		struck += int(hits.Load())
		if res := checkLin(t, linOutDir(), fmt.Sprintf("%s-seed%d", t.Name(), run.seed), ops); res != porcupine.Ok {
			t.Errorf("seed %d: the history of %d operations is %s", run.seed, len(ops), res)
		}
	}
	t.Logf("%d operations checked, %d faults; responses: %s", total, struck, counts)
	return counts
}

// linNew returns a store a constructor made, panicking on its error (the
// options are the tests' own).
func linNew[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
