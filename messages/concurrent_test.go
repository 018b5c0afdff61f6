package messages_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/messages"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
)

// raceApp serves, on a real HTTP server, GET /do?add=a,b&consume=1: the
// request loads the session, waits at the gate the test set for it
// (hold=name), then consumes the pending messages if asked, then adds the
// given ones in order, and answers the texts it consumed.
type raceApp struct {
	t     *testing.T
	store stores.Store
	srv   *httptest.Server
	logs  *testenv.LogBuffer

	mu    sync.Mutex
	gates map[string]*gate
	all   *barrier // when set, every request waits there
}

// gate holds one request after its load: loaded is closed when it gets
// there, and it goes on when release is closed.
type gate struct{ loaded, release chan struct{} }

// barrier holds every request that reaches it until n have.
type barrier struct {
	mu   sync.Mutex
	n    int
	open chan struct{}
}

func (b *barrier) wait(t *testing.T) {
	b.mu.Lock()
	if b.n--; b.n == 0 {
		close(b.open)
	}
	b.mu.Unlock()
	select {
	case <-b.open:
	case <-time.After(30 * time.Second):
		t.Error("barrier: not every request arrived")
	}
}

func newRaceApp(t *testing.T, st stores.Store) *raceApp {
	a := &raceApp{t: t, store: st, logs: &testenv.LogBuffer{}, gates: map[string]*gate{}}
	r := gin.New()
	r.Use(ginsession.New(st, ginsession.WithSecretKey(secret), ginsession.WithLogger(a.logs.Logger())))
	r.GET("/do", func(c *gin.Context) {
		if _, err := messages.Peek(c); err != nil { // loads the session
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		a.mu.Lock()
		g, all := a.gates[c.Query("hold")], a.all
		a.mu.Unlock()
		if g != nil {
			close(g.loaded)
			<-g.release
		}
		if all != nil {
			all.wait(t)
		}
		var consumed []messages.Message
		if c.Query("consume") != "" {
			var err error
			if consumed, err = messages.Consume(c); err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
		}
		for _, text := range strings.Split(c.Query("add"), ",") {
			if err := messages.Info(c, text); err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
		}
		if c.Query("cycle") != "" {
			if err := ginsession.From(c).CycleKey(); err != nil {
				c.String(http.StatusInternalServerError, err.Error())
				return
			}
		}
		c.JSON(http.StatusOK, texts(consumed))
	})
	a.srv = httptest.NewServer(r)
	t.Cleanup(a.srv.Close)
	return a
}

// reply is a response of raceApp: its status, the texts it consumed, and
// the session cookie it set.
type reply struct {
	status   int
	consumed []string
	cookie   string
}

// do sends GET /do?query with the session cookie.
func (a *raceApp) do(cookie, query string) reply {
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/do?"+query, nil)
	if cookie != "" {
		req.Header.Set("Cookie", "sessionid="+cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Error(err)
		return reply{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := reply{status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &out.consumed) != nil {
		a.t.Errorf("GET /do?%s: %d %s", query, resp.StatusCode, body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "sessionid" {
			out.cookie = c.Value
		}
	}
	return out
}

// held sends GET /do?query in the background, held after its load until
// the returned function is called, which lets it finish and returns its
// reply. It returns once the request has loaded the session.
func (a *raceApp) held(cookie, query string) func() reply {
	name := fmt.Sprint(time.Now().UnixNano())
	g := &gate{loaded: make(chan struct{}), release: make(chan struct{})}
	a.mu.Lock()
	a.gates[name] = g
	a.mu.Unlock()
	done := make(chan reply, 1)
	go func() { done <- a.do(cookie, query+"&hold="+name) }()
	<-g.loaded
	return func() reply {
		close(g.release)
		return <-done
	}
}

// pending returns the texts the session's record holds under "_messages"
// and that value as stored.
func (a *raceApp) pending(key string) ([]string, string) {
	a.t.Helper()
	data, err := a.store.Load(context.Background(), key)
	if err != nil {
		a.t.Fatal(err)
	}
	_, values, err := ginsession.JSONCodec{}.Decode(data)
	if err != nil {
		a.t.Fatal(err)
	}
	raw, _ := values[messages.SessionKey].(string)
	var items [][]any
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &items); err != nil {
			a.t.Fatalf("_messages %q: %v", raw, err)
		}
	}
	out := []string{}
	for _, it := range items {
		out = append(out, it[3].(string))
	}
	return out, raw
}

// django is what Django's MessageEncoder writes for info messages with
// these texts.
func django(texts ...string) string {
	var items []string
	for _, t := range texts {
		items = append(items, fmt.Sprintf(`["__json_message", 0, 20, %q, ""]`, t))
	}
	return "[" + strings.Join(items, ", ") + "]"
}

// TestMessagesOfInterleavedRequestsAreKeptAndConsumedOnce holds one request
// after its load while another runs whole, then lets it finish: its save
// conflicts and is replayed onto what the other saved. On every server
// store, no added message is lost and no consumed one comes back, and the
// record holds Django's format.
func TestMessagesOfInterleavedRequestsAreKeptAndConsumedOnce(t *testing.T) {
	cases := []struct {
		name          string
		first, second string   // queries: second loads before first runs, saves after
		sawFirst      []string // what each consumed
		sawSecond     []string
		left          []string // the record's messages after both
	}{
		{"two requests add", "add=a1,a2", "add=b1", nil, nil, []string{"m0", "a1", "a2", "b1"}},
		{"a consume then an add that loaded before it", "consume=1&add=", "add=b1", []string{"m0"}, nil, []string{"b1"}},
		{"an add then a consume that loaded before it", "add=a1", "consume=1&add=", nil, []string{"m0"}, []string{"a1"}},
		{"an add then a consume-and-add that loaded before it", "add=a1", "consume=1&add=b1", nil, []string{"m0"}, []string{"a1", "b1"}},
		{"two consumes", "consume=1&add=", "consume=1&add=", []string{"m0"}, []string{"m0"}, []string{}},
		{"a consume-and-add then an add that loaded before it", "consume=1&add=a1", "add=b1", []string{"m0"}, nil, []string{"a1", "b1"}},
		// The second's save goes under a new key; then its delete of the old
		// record finds the first's add there and merges it in.
		{"an add then an add and a key cycle that loaded before it", "add=a1", "add=b1&cycle=1", nil, nil, []string{"m0", "a1", "b1"}},
		{"an add then a consume and a key cycle that loaded before it", "add=a1", "consume=1&add=&cycle=1", nil, []string{"m0"}, []string{"a1"}},
	}
	for _, st := range everystore.Server("gs_msgrace_") {
		t.Run(st.Name, func(t *testing.T) {
			a := newRaceApp(t, st.Open(t))
			for _, tc := range cases {
				key := a.do("", "add=m0").cookie
				second := a.held(key, tc.second)
				r1 := a.do(key, tc.first)
				r2 := second()
				if !slices.Equal(r1.consumed, tc.sawFirst) || !slices.Equal(r2.consumed, tc.sawSecond) {
					t.Errorf("%s: consumed %q and %q, want %q and %q", tc.name, r1.consumed, r2.consumed, tc.sawFirst, tc.sawSecond)
				}
				if r2.cookie != "" {
					key = r2.cookie
				}
				left, raw := a.pending(key)
				if !slices.Equal(left, tc.left) {
					t.Errorf("%s: the session holds %q, want %q", tc.name, left, tc.left)
				}
				if len(tc.left) > 0 && raw != django(tc.left...) {
					t.Errorf("%s: _messages is %s, not Django's %s", tc.name, raw, django(tc.left...))
				}
			}
			if l := a.logs.String(); strings.Contains(l, "level=ERROR") {
				t.Errorf("the middleware logged a failure:\n%s", l)
			}
		})
	}
}

// TestManyConcurrentAddsAndConsumesLoseNothing runs rounds of ten requests
// that each add three messages and one that consumes, all loaded before any
// saves. On every server store, every message added is shown exactly once
// (by a consume or in the record at the end), and each request's messages
// in the order it added them.
func TestManyConcurrentAddsAndConsumesLoseNothing(t *testing.T) {
	const adders, each = 10, 3
	rounds := 20
	if testing.Short() {
		rounds = 3
	}
	for _, st := range everystore.Server("gs_msgmany_") {
		t.Run(st.Name, func(t *testing.T) {
			a := newRaceApp(t, st.Open(t))
			key := a.do("", "add=start").cookie
			var lists [][]string // what each consume showed, then the record
			for round := range rounds {
				a.mu.Lock()
				a.all = &barrier{n: adders + 1, open: make(chan struct{})}
				a.mu.Unlock()
				replies := make([]reply, adders+1)
				var wg sync.WaitGroup
				for i := range adders + 1 {
					query := "consume=1&add="
					if i < adders {
						query = fmt.Sprintf("add=%d.%d-0,%d.%d-1,%d.%d-2", round, i, round, i, round, i)
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						replies[i] = a.do(key, query)
					}()
				}
				wg.Wait()
				for _, r := range replies {
					lists = append(lists, r.consumed)
				}
			}
			a.mu.Lock()
			a.all = nil
			a.mu.Unlock()
			left, _ := a.pending(key)
			lists = append(lists, left)
			count := map[string]int{}
			for _, list := range lists {
				next := map[string]string{} // a request's last message seen in list
				for _, m := range list {
					count[m]++
					req, j, _ := strings.Cut(m, "-")
					if j < next[req] {
						t.Errorf("request %s's messages out of order in %q", req, list)
					}
					next[req] = j
				}
			}
			want := map[string]int{"start": 1}
			for round := range rounds {
				for i := range adders {
					for j := range each {
						want[fmt.Sprintf("%d.%d-%d", round, i, j)] = 1
					}
				}
			}
			if !reflect.DeepEqual(count, want) {
				for m, n := range count {
					if n != 1 || want[m] != 1 {
						t.Errorf("message %s shown %d times, want %d", m, n, want[m])
					}
				}
				for m := range want {
					if count[m] == 0 {
						t.Errorf("message %s was lost", m)
					}
				}
			}
		})
	}
}

// TestTheCookieStoreKeepsTheMessagesOfTheLastResponse: a cookie holds the
// whole session, so two requests that add at once each answer a cookie
// with their own message only, and the browser keeps the one it reads
// last, as docs/concurrency.md says.
func TestTheCookieStoreKeepsTheMessagesOfTheLastResponse(t *testing.T) {
	a := newRaceApp(t, testenv.Must(cookiestore.New()))
	cookie := a.do("", "add=m0").cookie
	second := a.held(cookie, "add=b1")
	r1 := a.do(cookie, "add=a1")
	r2 := second()
	for _, c := range []struct {
		cookie string
		want   []string
	}{{r1.cookie, []string{"m0", "a1"}}, {r2.cookie, []string{"m0", "b1"}}} {
		if got := a.do(c.cookie, "consume=1&add=").consumed; !reflect.DeepEqual(got, c.want) {
			t.Errorf("a cookie holds %q, want %q", got, c.want)
		}
	}
}
