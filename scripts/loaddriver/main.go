// Command loaddriver checks example_app for lost updates under load: each of
// -clients clients keeps its own session (cookie) and loads the visit
// counter page -n times in sequence; every answer must be 200 and show the
// count that client expects, so a lost or doubled update is caught at the
// request where it happens. It prints requests/s and latency percentiles.
//
// With -cookies FILE it instead makes that many sessions and writes one
// "sessionid=<key>" line per session, for wrk's Lua script.
//
//	go run ./scripts/loaddriver -url http://127.0.0.1:8080 -clients 64 -n 200
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
)

var visitsRE = regexp.MustCompile(`id="visits">(\d+)<`)

func main() {
	url := flag.String("url", "http://127.0.0.1:8080", "example_app's base URL (loopback)")
	clients := flag.Int("clients", 64, "concurrent clients, one session each")
	n := flag.Int("n", 200, "sequential increments per client")
	cookies := flag.String("cookies", "", "make -clients sessions and write their cookies to this file, then exit")
	flag.Parse()
	if *cookies != "" {
		if err := makeCookies(*url, *clients, *cookies); err != nil {
			fmt.Fprintln(os.Stderr, "loaddriver:", err)
			os.Exit(1)
		}
		return
	}
	os.Exit(check(*url, *clients, *n))
}

func makeCookies(url string, count int, file string) error {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for range count {
		resp, err := http.Get(url + "/")
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			if c.Name == "sessionid" {
				fmt.Fprintf(w, "sessionid=%s\n", c.Value)
			}
		}
	}
	return w.Flush()
}

type outcome struct {
	durs     []time.Duration
	statuses map[int]int
	lost     int // answers showing a count other than the expected one
	firstBad string
}

func check(url string, clients, n int) int {
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	outs := make([]outcome, clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &outs[i]
			o.statuses = map[int]int{}
			c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			cookie := ""
			for want := 1; want <= n; want++ {
				req, _ := http.NewRequest(http.MethodGet, url+"/", nil)
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				t0 := time.Now()
				resp, err := c.Do(req)
				if err != nil {
					o.statuses[0]++
					o.lost++
					if o.firstBad == "" {
						o.firstBad = err.Error()
					}
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				o.durs = append(o.durs, time.Since(t0))
				o.statuses[resp.StatusCode]++
				for _, ck := range resp.Cookies() {
					if ck.Name == "sessionid" && ck.Value != "" {
						cookie = "sessionid=" + ck.Value
					}
				}
				m := visitsRE.FindSubmatch(body)
				got := -1
				if m != nil {
					got, _ = strconv.Atoi(string(m[1]))
				}
				if resp.StatusCode != http.StatusOK || got != want {
					o.lost++
					if o.firstBad == "" {
						o.firstBad = fmt.Sprintf("request %d: status %d, visits %d, want %d", want, resp.StatusCode, got, want)
					}
					want = got // carry on from what the server says
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	statuses := map[int]int{}
	lost := 0
	for _, o := range outs {
		all = append(all, o.durs...)
		for k, v := range o.statuses {
			statuses[k] += v
		}
		lost += o.lost
		if o.firstBad != "" {
			fmt.Println("  first problem of a client:", o.firstBad)
		}
	}
	slices.Sort(all)
	p := func(q float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(q*float64(len(all))))]
	}
	fmt.Printf("lost-update check: %d clients x %d sequential increments in %v: %.0f req/s, p50 %v, p99 %v, max %v\n",
		clients, n, elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(),
		p(0.50).Round(time.Microsecond), p(0.99).Round(time.Microsecond), p(1).Round(time.Microsecond))
	fmt.Printf("statuses %v, lost or wrong updates: %d\n", statuses, lost)
	if lost > 0 || statuses[http.StatusOK] != clients*n {
		return 1
	}
	return 0
}
