package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

// hookStore is a memstore whose Delete and index calls can be held or
// failed at a chosen moment, to force an interleaving of two requests.
type hookStore struct {
	*memstore.Store
	mu    sync.Mutex
	hook  func(op, key string) error // nil: no hook
	calls map[string]int
}

func newHookStore(t *testing.T) *hookStore {
	st, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	return &hookStore{Store: st, calls: map[string]int{}}
}

func (h *hookStore) on(op, key string) error {
	h.mu.Lock()
	h.calls[op]++
	f := h.hook
	h.mu.Unlock()
	if f != nil {
		return f(op, key)
	}
	return nil
}

func (h *hookStore) setHook(f func(op, key string) error) {
	h.mu.Lock()
	h.hook = f
	h.mu.Unlock()
}

func (h *hookStore) count(op string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[op]
}

func (h *hookStore) Delete(ctx context.Context, key string) error {
	if err := h.on("delete", key); err != nil {
		return err
	}
	return h.Store.Delete(ctx, key)
}

// CompareAndDelete is a delete too: CycleKey retires the old key with it.
func (h *hookStore) CompareAndDelete(ctx context.Context, key string, old []byte) ([]byte, error) {
	if err := h.on("delete", key); err != nil {
		return nil, err
	}
	return h.Store.CompareAndDelete(ctx, key, old)
}

func (h *hookStore) IndexAdd(ctx context.Context, user string, e stores.IndexEntry) error {
	if err := h.on("add", e.Key); err != nil {
		return err
	}
	return h.Store.IndexAdd(ctx, user, e)
}

func (h *hookStore) IndexTouch(ctx context.Context, user, key string, at, exp time.Time) error {
	if err := h.on("touch", key); err != nil {
		return err
	}
	return h.Store.IndexTouch(ctx, user, key, at, exp)
}

func (h *hookStore) IndexMove(ctx context.Context, user, old, nk string, at, exp time.Time) error {
	if err := h.on("move", old); err != nil {
		return err
	}
	return h.Store.IndexMove(ctx, user, old, nk, at, exp)
}

// holdOnce returns a hook that holds the first call of op on key until
// release is closed, and closes held when it starts holding.
func holdOnce(op string, key func() string) (hook func(string, string) error, held, release chan struct{}) {
	held, release = make(chan struct{}), make(chan struct{})
	var once sync.Once
	return func(o, k string) error {
		if o != op || k != key() {
			return nil
		}
		fired := false
		once.Do(func() { fired = true })
		if fired {
			close(held)
			<-release
		}
		return nil
	}, held, release
}

// listedKeys is the index's listing for user, straight from the store.
func listedKeys(t *testing.T, ix stores.Indexer, user string) map[string]bool {
	t.Helper()
	l, err := ix.IndexList(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range l {
		out[e.Key] = true
	}
	return out
}

// wantListedIffLoggedIn checks the invariant the index keeps: a browser
// that is logged in is listed under its user, and one that is not, is not.
func wantListedIffLoggedIn(t *testing.T, ix stores.Indexer, user string, browsers ...*devClient) {
	t.Helper()
	for _, b := range browsers {
		key := b.key()
		logged := b.who() == user // an ended session loses its cookie here
		listed := key != "" && listedKeys(t, ix, user)[key]
		if logged != listed {
			t.Errorf("%s: logged in = %v but listed = %v", b.ua, logged, listed)
		}
	}
}

// TestAnActivityWriteAfterTheSessionEndedListsNothing holds a request's
// activity write while another device ends that session: the late write
// finds no entry and re-adds one, which the next listing drops because
// the record is gone.
func TestAnActivityWriteAfterTheSessionEndedListsNothing(t *testing.T) {
	st := newHookStore(t)
	site := newDevSite(t, st, ginsession.WithUserIndex(ginsession.UserIndex{ActivityInterval: 30 * time.Millisecond}))
	a, b := site.browser("A"), site.browser("B")
	a.login("alice")
	b.login("alice")
	var handleA string
	for _, d := range b.devices() {
		if !d.Current {
			handleA = d.Handle
		}
	}
	time.Sleep(50 * time.Millisecond) // A's activity write is due
	keyA := a.key()
	hook, held, release := holdOnce("touch", func() string { return keyA })
	st.setHook(hook)
	done := make(chan string)
	go func() { done <- a.who() }()
	<-held
	if code := b.end(handleA); code != 200 {
		t.Fatalf("ending A answered %d", code)
	}
	close(release)
	<-done
	if st.count("add") < 3 {
		t.Fatalf("the late activity write did not re-add its entry (adds: %d): the interleaving was not forced", st.count("add"))
	}
	if listedKeys(t, st, "alice")[keyA] {
		t.Fatal("the ended session is listed after a late activity write")
	}
	if err := st.IndexTouch(context.Background(), "alice", keyA, time.Now(), time.Now()); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("the listing did not drop the late entry: %v", err)
	}
	wantListedIffLoggedIn(t, st, "alice", a, b)
}

// TestACycleKeyRacingEndOthersLeavesNoUnlistedSession holds A's CycleKey
// between storing the new key and deleting the old one while B ends every
// other session: whatever survives is listed.
func TestACycleKeyRacingEndOthersLeavesNoUnlistedSession(t *testing.T) {
	st := newHookStore(t)
	site := newDevSite(t, st)
	a, b := site.browser("A"), site.browser("B")
	a.login("alice")
	b.login("alice")
	old := a.key()
	hook, held, release := holdOnce("delete", func() string { return old })
	st.setHook(hook)
	done := make(chan int)
	go func() { code, _ := a.do("POST", "/rekey", url.Values{}); done <- code }()
	<-held
	if n := b.must("POST", "/end-others", url.Values{}); n != "1" {
		t.Fatalf("end-others ended %s, want 1 (A's old key)", n)
	}
	close(release)
	// The old record was ended while the cycle held it: the cycle fails
	// with 400 (SessionInterrupted) and deletes its new copy, so A is
	// signed out; a cycle that still answers 200 must have moved its entry.
	switch code := <-done; code {
	case 400:
		if a.who() != "anonymous" {
			t.Fatal("A is still signed in after its ended session's cycle failed")
		}
	case 200:
		if st.count("move") == 0 {
			t.Fatal("the cycle never moved its entry")
		}
	default:
		t.Fatalf("the cycle answered %d", code)
	}
	wantListedIffLoggedIn(t, st, "alice", a, b)
}

// TestACycleKeyThatFailsHalfWayLeavesTheOldSessionListed: CycleKey dies
// after storing the new key, before deleting the old (a crash, a store
// failure). The browser keeps the old key, which stays live and listed.
func TestACycleKeyThatFailsHalfWayLeavesTheOldSessionListed(t *testing.T) {
	st := newHookStore(t)
	site := newDevSite(t, st)
	a, b := site.browser("A"), site.browser("B")
	a.login("alice")
	b.login("alice")
	old := a.key()
	st.setHook(func(op, key string) error {
		if op == "delete" && key == old {
			return errors.New("the machine lost power")
		}
		return nil
	})
	if code, _ := a.do("POST", "/rekey", url.Values{}); code != 500 {
		t.Fatalf("the failed CycleKey answered %d, want 500", code)
	}
	st.setHook(nil)
	if a.key() != old {
		t.Fatal("the browser got the new key of a failed CycleKey")
	}
	if !listedKeys(t, st, "alice")[old] || len(b.devices()) != 2 {
		t.Fatal("the old key, still live, is not listed")
	}
	wantListedIffLoggedIn(t, st, "alice", a, b)
}

// TestALoginRacingEndUserSessionsIsListed holds a login between storing
// its session and indexing it while EndUserSessions runs: the login
// completes after the ending began, and is listed.
func TestALoginRacingEndUserSessionsIsListed(t *testing.T) {
	st := newHookStore(t)
	site := newDevSite(t, st)
	a, b := site.browser("A"), site.browser("B")
	b.login("alice")
	hook, held, release := func() (func(string, string) error, chan struct{}, chan struct{}) {
		held, release := make(chan struct{}), make(chan struct{})
		var once sync.Once
		return func(op, key string) error {
			if op != "add" || key == b.key() {
				return nil
			}
			once.Do(func() { close(held); <-release })
			return nil
		}, held, release
	}()
	st.setHook(hook)
	done := make(chan struct{})
	go func() { a.login("alice"); close(done) }()
	<-held
	if n, err := auth.EndUserSessions(context.Background(), st, "alice"); err != nil || n != 1 {
		t.Fatalf("EndUserSessions = %d, %v; want B's one", n, err)
	}
	close(release)
	<-done
	wantListedIffLoggedIn(t, st, "alice", a, b)
	if a.who() != "alice" || b.who() != "anonymous" {
		t.Fatal("want A (logged in after the ending began) in, B out")
	}
}

// TestManyRoundsOfDevicesAtOnce runs logins, activity, key changes,
// logouts and endings from eight browsers at once, many rounds, then
// checks that every logged-in browser is listed and every listed key is a
// live record. Run it under -race.
func TestManyRoundsOfDevicesAtOnce(t *testing.T) {
	st := newHookStore(t)
	site := newDevSite(t, st, ginsession.WithUserIndex(ginsession.UserIndex{ActivityInterval: time.Millisecond}))
	var browsers []*devClient
	for i := range 8 {
		browsers = append(browsers, site.browser(fmt.Sprintf("browser %d", i)))
	}
	var wg sync.WaitGroup
	for i, b := range browsers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for range 40 {
				switch r.IntN(7) {
				case 0:
					b.do("POST", "/login/alice", url.Values{})
				case 1:
					b.do("POST", "/rekey", url.Values{})
				case 2:
					b.do("POST", "/logout", url.Values{})
				case 3:
					b.do("POST", "/end-others", url.Values{})
				case 4:
					b.do("POST", "/end", url.Values{"handle": {randomHandle(b, r)}})
				default:
					b.do("GET", "/me", nil)
				}
			}
		}()
	}
	wg.Wait()
	for _, b := range browsers {
		if key := b.key(); b.who() == "alice" && !listedKeys(t, st, "alice")[key] {
			t.Errorf("%s is logged in but not listed", b.ua)
		}
	}
	for k := range listedKeys(t, st, "alice") {
		if ok, _ := st.Exists(context.Background(), k); !ok {
			t.Errorf("a listed key has no live record")
		}
	}
}

func randomHandle(b *devClient, r *rand.Rand) string {
	code, body := b.do("GET", "/devices", nil)
	var d []auth.Device
	if code != 200 || json.Unmarshal([]byte(body), &d) != nil || len(d) == 0 {
		return ""
	}
	return d[r.IntN(len(d))].Handle
}
