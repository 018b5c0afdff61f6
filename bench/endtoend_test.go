package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestEndToEnd serves untouched, read and write through a real net/http server on a
// loopback socket, for every contender of the memory and Redis stores and
// the bare handler, and prints what a client sees:
//
//	E2E <Store>/<scenario>/<library> rps=<requests/s> p50=<µs> p99=<µs> n=<requests>
//
// Each contender gets its own server (httptest.NewServer: a TCP listener
// on 127.0.0.1) and e2eClients client goroutines, each with a session of
// its own, sending requests one after the other over keep-alive
// connections, as browsers behind a few tabs would; latency is measured
// in the client, from sending the request to reading the whole response.
// The contenders take turns in short slices of time, so a busy spell on
// the machine slows them alike. The whole run is bounded: BENCH_E2E_TIME
// (default 2s) per contender and scenario.
//
// Without BENCH_E2E=1 it runs each contender for a few requests only, for
// the smoke run.
func TestEndToEnd(t *testing.T) {
	per, rounds := 100*time.Millisecond, 1
	if os.Getenv("BENCH_E2E") != "" {
		per, rounds = 2*time.Second, 8
		if d, err := time.ParseDuration(os.Getenv("BENCH_E2E_TIME")); err == nil {
			per = d
		}
	}
	for _, g := range []struct {
		store string
		cs    []contender
	}{
		{"Memory", memoryContenders},
		{"Redis", redisContenders},
	} {
		t.Run(g.store, func(t *testing.T) {
			for _, sc := range []string{"untouched", "read", "write"} {
				t.Run(sc, func(t *testing.T) { endToEnd(t, g.store, sc, g.cs, per, rounds) })
			}
		})
	}
}

// e2eClients is the number of concurrent clients per contender.
const e2eClients = 4

// e2eRunner is one contender's server and its clients.
type e2eRunner struct {
	name    string
	srv     *httptest.Server
	clients []*e2eClient
	lat     []time.Duration
	elapsed time.Duration
}

// e2eClient is one browser: a session cookie, kept up to date, and the
// last counter it saw (write).
type e2eClient struct {
	hc     *http.Client
	url    string
	name   string // cookie name
	cookie string
	count  int
}

func endToEnd(t *testing.T, store, scenario string, cs []contender, per time.Duration, rounds int) {
	var rs []*e2eRunner
	bare := &instance{h: bareEngine()}
	rs = append(rs, newE2ERunner(t, "bare", bare, "/untouched", false))
	for _, c := range cs {
		rs = append(rs, newE2ERunner(t, c.lib, c.setup(t), "/"+scenario, true))
	}
	slice := per / time.Duration(rounds)
	for range rounds {
		for _, r := range rs {
			r.run(t, scenario, slice)
		}
	}
	for _, r := range rs {
		slices.Sort(r.lat)
		n := len(r.lat)
		if n == 0 {
			t.Fatalf("%s: no request completed", r.name)
		}
		q := func(p float64) float64 { return float64(r.lat[min(n-1, int(p*float64(n)))].Nanoseconds()) / 1e3 }
		fmt.Printf("E2E %s/%s/%s rps=%.0f p50=%.1f p99=%.1f n=%d\n", store, scenario, r.name,
			float64(n)/r.elapsed.Seconds(), q(0.50), q(0.99), n)
	}
}

// newE2ERunner starts a server for in and e2eClients clients of path; with
// session, each client first gets a session through /new.
func newE2ERunner(t *testing.T, name string, in *instance, path string, session bool) *e2eRunner {
	srv := httptest.NewServer(in.h)
	t.Cleanup(srv.Close)
	tr := &http.Transport{MaxIdleConnsPerHost: e2eClients, DisableCompression: true}
	t.Cleanup(tr.CloseIdleConnections)
	r := &e2eRunner{name: name, srv: srv}
	for range e2eClients {
		cl := &e2eClient{hc: &http.Client{Transport: tr}, url: srv.URL + path, name: in.cookieName}
		if session {
			seed := &e2eClient{hc: cl.hc, url: srv.URL + "/new", name: in.cookieName}
			if code, body, err := seed.do(); err != nil || code != http.StatusOK || seed.cookie == "" {
				t.Fatalf("%s: GET /new: %d %q %v, cookie %q", name, code, body, err, seed.cookie)
			}
			cl.cookie = seed.cookie
		}
		r.clients = append(r.clients, cl)
	}
	return r
}

// do sends one request with the client's cookie, keeps a cookie the
// response sets, and returns the status and body.
func (cl *e2eClient) do() (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, cl.url, nil)
	if err != nil {
		return 0, "", err
	}
	if cl.cookie != "" {
		req.Header.Set("Cookie", cl.name+"="+cl.cookie)
	}
	resp, err := cl.hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if v, ok := setCookieValue(resp.Header, cl.name); ok && v != "" {
		cl.cookie = v
	}
	return resp.StatusCode, string(body), err
}

// run has every client send requests for d and records their latencies.
// A write must return the client's previous counter plus one: a lost or
// repeated update fails the test.
func (r *e2eRunner) run(t *testing.T, scenario string, d time.Duration) {
	var wg sync.WaitGroup
	lat := make([][]time.Duration, len(r.clients))
	errs := make(chan error, len(r.clients))
	start := time.Now()
	end := start.Add(d)
	for i, cl := range r.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				t0 := time.Now()
				code, body, err := cl.do()
				lat[i] = append(lat[i], time.Since(t0))
				if err != nil || code != http.StatusOK {
					errs <- fmt.Errorf("%s %s: %d %q %v", r.name, cl.url, code, body, err)
					return
				}
				switch {
				case r.name == "bare":
				case scenario == "untouched" && body != "ok":
					errs <- fmt.Errorf("%s untouched: %q, want ok", r.name, body)
					return
				case scenario == "read" && body != nameValue:
					errs <- fmt.Errorf("%s read: %q, want %q", r.name, body, nameValue)
					return
				case scenario == "write":
					n, err := strconv.Atoi(strings.TrimSpace(body))
					if err != nil || (cl.count > 0 && n != cl.count+1) {
						errs <- fmt.Errorf("%s write: counter %q after %d", r.name, body, cl.count)
						return
					}
					cl.count = n
				}
			}
		}()
	}
	wg.Wait()
	r.elapsed += time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, l := range lat {
		r.lat = append(r.lat, l...)
	}
}
