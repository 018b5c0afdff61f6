package auth_test

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"testing"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

const hashSecret = "a-secret-for-hashed-keys-of-32-bytes-or-more"

// keysGiven wraps store so that every session key the middleware hands it
// is recorded: a superset of any dump of the store.
func keysGiven(store stores.Store) (stores.Store, func() []string) {
	var mu sync.Mutex
	given := map[string]bool{}
	wrapped := stores.Wrap(store, func(ctx context.Context, c stores.Call, next func(context.Context) error) error {
		if c.Key != "" {
			mu.Lock()
			given[c.Key] = true
			mu.Unlock()
		}
		return next(ctx)
	})
	return wrapped, func() []string {
		mu.Lock()
		defer mu.Unlock()
		var out []string
		for k := range given {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
}

// replay is a browser whose cookie is value, as an attacker holding a dump
// would send it.
func (s *devSite) replay(value string) *devClient {
	c := s.browser("attacker")
	u, _ := url.Parse(s.srv.URL)
	c.hc.Jar.SetCookies(u, []*http.Cookie{{Name: "sessionid", Value: value, Path: "/"}})
	return c
}

// TestHashedKeysOnEveryStore drives logins, a devices page, ending one
// session and the others, a key cycle and a logout with WithHashedKeys on
// every store with an index, then replays every key the store was ever
// given as a cookie: none logs anyone in, and none is a cookie a browser
// holds.
func TestHashedKeysOnEveryStore(t *testing.T) {
	for _, st := range everystore.Indexed("gs_hash_") {
		t.Run(st.Name, func(t *testing.T) {
			t.Parallel()
			store, dump := keysGiven(st.Open(t))
			site := newDevSite(t, store, ginsession.WithHashedKeys(hashSecret))
			a1, a2, b := site.browser("Firefox"), site.browser("Safari"), site.browser("Bob's phone")
			a1.login("alice")
			a2.login("alice")
			b.login("bob")
			cookies := map[string]bool{a1.key(): true, a2.key(): true, b.key(): true}

			d := a1.devices()
			if len(d) != 2 || d[0].Current == d[1].Current {
				t.Fatalf("alice sees %d devices (%+v), want two, one of them current", len(d), d)
			}
			other := d[0]
			if other.Current {
				other = d[1]
			}
			if code := a1.end(other.Handle); code != http.StatusOK || a2.who() != "anonymous" || a1.who() != "alice" {
				t.Fatalf("ending Safari by its handle answered %d; Safari is %q, Firefox %q", code, a2.who(), a1.who())
			}

			a2.login("alice")
			cookies[a2.key()] = true
			a1.must("POST", "/rekey", url.Values{}) // CycleKey
			if cookies[a1.key()] || a1.who() != "alice" {
				t.Fatalf("after CycleKey Firefox has an old key or is %q", a1.who())
			}
			cookies[a1.key()] = true
			if d := a1.devices(); len(d) != 2 {
				t.Fatalf("after CycleKey alice sees %d devices, want 2", len(d))
			}
			if n := a1.must("POST", "/end-others", url.Values{}); n != "1" || a2.who() != "anonymous" || b.who() != "bob" {
				t.Fatalf("end-others ended %s; Safari is %q, bob %q", n, a2.who(), b.who())
			}

			keys := dump()
			if len(keys) == 0 {
				t.Fatal("the store was given no key")
			}
			for _, k := range keys {
				if cookies[k] {
					t.Fatalf("the store was given the cookie %s itself", stores.Redact(k))
				}
				if len(k) != stores.MaxKeyLength || !stores.ValidKey(k) {
					t.Errorf("stored key %s is %d characters, want a valid key of %d", stores.Redact(k), len(k), stores.MaxKeyLength)
				}
				if who := site.replay(k).who(); who != "anonymous" {
					t.Fatalf("the stored key %s, sent as a cookie, is logged in as %q", stores.Redact(k), who)
				}
			}
			// The index is part of a dump too.
			for _, user := range []string{"alice", "bob"} {
				entries, err := store.(stores.Indexer).IndexList(context.Background(), user)
				if err != nil || len(entries) != 1 {
					t.Fatalf("%s's index: %d entries, %v; want 1", user, len(entries), err)
				}
				if cookies[entries[0].Key] || site.replay(entries[0].Key).who() != "anonymous" {
					t.Fatalf("%s's index entry is a working cookie", user)
				}
			}

			a1.must("POST", "/logout", url.Values{})
			if a1.who() != "anonymous" || b.who() != "bob" {
				t.Fatalf("after logout Firefox is %q, bob %q", a1.who(), b.who())
			}
		})
	}
}

// TestWithoutHashedKeysADumpLogsIn is the control of
// TestHashedKeysOnEveryStore: without the option the keys a store is given
// are the cookies, and one replayed logs its user in.
func TestWithoutHashedKeysADumpLogsIn(t *testing.T) {
	mem, err := memstore.New()
	if err != nil {
		t.Fatal(err)
	}
	store, dump := keysGiven(mem)
	site := newDevSite(t, store)
	site.browser("Firefox").login("alice")
	for _, k := range dump() {
		if site.replay(k).who() == "alice" {
			return
		}
	}
	t.Fatal("no key the store was given logs alice in: the control cannot fail")
}

// TestHashedKeysCapEndsTheOldest: the cap of UserIndex.MaxSessions, which
// gets the ended sessions' stored keys back from the index, ends the right
// one with hashed keys, on every store with an index.
func TestHashedKeysCapEndsTheOldest(t *testing.T) {
	for _, st := range everystore.Indexed("gs_hcap_") {
		t.Run(st.Name, func(t *testing.T) {
			t.Parallel()
			site := newDevSite(t, st.Open(t), ginsession.WithHashedKeys(hashSecret),
				ginsession.WithUserIndex(ginsession.UserIndex{MaxSessions: 1, AtLimit: ginsession.EndOldest}))
			first, second, bob := site.browser("first"), site.browser("second"), site.browser("bob")
			first.login("alice")
			bob.login("bob")
			second.login("alice")
			if first.who() != "anonymous" || second.who() != "alice" || bob.who() != "bob" {
				t.Fatalf("after a second login at a cap of 1: first %q, second %q, bob %q", first.who(), second.who(), bob.who())
			}
		})
	}
}
