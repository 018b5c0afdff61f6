package auth_test

import (
	"testing"
	"time"

	"github.com/go-redis/redis/v8"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/internal/testenv/everystore"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/redisstore"
)

// TestActivityIsWrittenAtMostOncePerInterval: requests within the
// interval write nothing to the index; the first after it writes once.
func TestActivityIsWrittenAtMostOncePerInterval(t *testing.T) {
	st := newHookStore(t)
	site := newDevSite(t, st, ginsession.WithUserIndex(ginsession.UserIndex{ActivityInterval: time.Hour}))
	a := site.browser("A")
	a.login("alice")
	for range 20 {
		a.who()
	}
	if n := st.count("touch") + st.count("add"); n != 1 {
		t.Fatalf("a login and 20 requests wrote the index %d times, want 1 (the login)", n)
	}

	quick := newDevSite(t, st, ginsession.WithUserIndex(ginsession.UserIndex{ActivityInterval: 50 * time.Millisecond}))
	b := quick.browser("B")
	b.login("alice")
	first := b.devices()[0].LastActive
	before := st.count("touch")
	time.Sleep(60 * time.Millisecond)
	b.who()
	if st.count("touch") == before {
		t.Fatal("the first request after the interval wrote no activity")
	}
	a2 := quick.browser("A2")
	a2.login("alice")
	for _, d := range a2.devices() {
		if d.UserAgent == "B" && !d.LastActive.After(first) {
			t.Fatalf("B's last activity stayed %v after a request past the interval", d.LastActive)
		}
	}
}

func TestDeviceDetailsCanBeSwitchedOff(t *testing.T) {
	site := newDevSite(t, newHookStore(t), ginsession.WithUserIndex(ginsession.UserIndex{NoDeviceDetails: true}))
	a := site.browser("Firefox")
	a.login("alice")
	d := a.devices()
	if len(d) != 1 || d[0].UserAgent != "" || d[0].IP != "" || d[0].Created.IsZero() {
		t.Fatalf("devices without details = %+v; want no user agent or IP, but times", d)
	}
}

// TestASessionTheIndexLacksIsAddedAtItsNextRequest: a login made before
// the index was on (or by a Django site) is listed after its next request.
func TestASessionTheIndexLacksIsAddedAtItsNextRequest(t *testing.T) {
	st := newHookStore(t)
	before := newDevSite(t, st)
	// Same store and secret, no index; the cookie jar ignores the port, so
	// the browser carries its cookie to both sites.
	plain := newPlainSite(t, st)
	a := plain.browser("old login")
	a.login("alice")
	if l := listedKeys(t, st, "alice"); len(l) != 0 {
		t.Fatalf("a login without the index was indexed")
	}
	a.site = before
	if a.who() != "alice" {
		t.Fatal("the old login does not work on the indexed site")
	}
	if d := a.devices(); len(d) != 1 || !d[0].Current {
		t.Fatalf("after its first request on the indexed site the old login lists %+v", d)
	}
}

// TestLoginCostsOneRoundTripMoreAndReadsNone counts, on Redis and MySQL,
// what the index adds to a login and to an ordinary request.
func TestLoginCostsOneRoundTripMoreAndReadsNone(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(t *testing.T, rt *testenv.RoundTrips) stores.Store
	}{
		{"redis", func(t *testing.T, rt *testenv.RoundTrips) stores.Store {
			testenv.Redis(t) // skips, or fails under CI, without a server
			opts := testenv.RedisOptions()
			opts.Dialer, opts.PoolSize = rt.DialContext, 1
			client := redis.NewClient(opts)
			t.Cleanup(func() { client.Close() })
			st, err := redisstore.New(client, redisstore.WithPrefix(testenv.RedisPrefix(t, client, "gs_cost_")))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
		{"mysql", func(t *testing.T, rt *testenv.RoundTrips) stores.Store {
			cfg := testenv.MySQLConfig(t)
			cfg.DialFunc = rt.DialContext
			db := testenv.OpenMySQL(t, cfg)
			db.SetMaxOpenConns(1)
			return everystore.IndexedSQL(t, db, "gs_cost_")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rt := new(testenv.RoundTrips)
			st := tc.open(t, rt)
			measure := func(site *devSite) (login, read int64) {
				for range 3 { // warm: connections open, statements prepared
					b := site.browser("warm")
					b.login("alice")
					b.who()
				}
				b := site.browser("measured")
				n := rt.Count()
				b.login("alice")
				login = rt.Count() - n
				n = rt.Count()
				for range 10 {
					b.who()
				}
				return login, rt.Count() - n
			}
			offLogin, offRead := measure(newPlainSite(t, st))
			onLogin, onRead := measure(newDevSite(t, st, ginsession.WithUserIndex(ginsession.UserIndex{})))
			t.Logf("login: %d round trips without the index, %d with; 10 reads: %d, %d", offLogin, onLogin, offRead, onRead)
			if onLogin > offLogin+1 {
				t.Errorf("a login costs %d round trips with the index, %d without: want at most one more", onLogin, offLogin)
			}
			if onRead != offRead {
				t.Errorf("10 reads cost %d round trips with the index, %d without: want the same", onRead, offRead)
			}
		})
	}
}
