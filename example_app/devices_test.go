package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	deviceRe = regexp.MustCompile(`(?s)<li class="card device( current)?".*?name="handle" value="([^"]+)"`)
	agentRe  = regexp.MustCompile(`class="agent">([^<]*)<`)
)

type listedDevice struct {
	current bool
	handle  string
}

func (b *browser) devices() []listedDevice {
	b.t.Helper()
	p := b.get("/devices")
	if p.StatusCode != http.StatusOK {
		b.t.Fatalf("devices: %d", p.StatusCode)
	}
	var out []listedDevice
	for _, m := range deviceRe.FindAllStringSubmatch(p.body, -1) {
		out = append(out, listedDevice{current: m[1] != "", handle: m[2]})
	}
	return out
}

func TestTheDevicesPageSignsOtherBrowsersOut(t *testing.T) {
	for _, store := range []string{"memory", "file", "sqlite"} {
		t.Run(store, func(t *testing.T) {
			srv := startApp(t, testConfig(t, store))
			here, there, third := newBrowser(t, srv), newBrowser(t, srv), newBrowser(t, srv)
			here.login("alice", "wonderland", true)
			there.login("alice", "wonderland", true)
			third.login("alice", "wonderland", false)
			bob := newBrowser(t, srv)
			bob.login("bob", "builder", true)

			d := here.devices()
			if len(d) != 3 || !d[0].current || d[1].current || d[2].current {
				t.Fatalf("alice's devices page lists %+v; want three, this browser first", d)
			}
			if p := here.get("/devices"); !strings.Contains(p.body, userAgent) || len(agentRe.FindAllString(p.body, -1)) != 3 {
				t.Errorf("the page does not show the user agents")
			}
			// The third browser is the newest after this one.
			if p := here.post("/devices/end", url.Values{"handle": {d[1].handle}}); p.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign out one: %d", p.StatusCode)
			}
			if third.loggedInAs() != "" || there.loggedInAs() != "1" {
				t.Fatal("signing out one device did not end exactly that one")
			}
			// bob cannot use alice's handle.
			if p := bob.post("/devices/end", url.Values{"handle": {d[2].handle}}); p.StatusCode != http.StatusSeeOther {
				t.Fatalf("bob's try: %d", p.StatusCode)
			}
			if there.loggedInAs() != "1" {
				t.Fatal("bob signed out alice's device")
			}
			if p := here.post("/devices/end-others", url.Values{}); p.StatusCode != http.StatusSeeOther {
				t.Fatalf("sign out the others: %d", p.StatusCode)
			}
			if there.loggedInAs() != "" || here.loggedInAs() != "1" || bob.loggedInAs() != "2" {
				t.Fatal("sign out all other devices ended the wrong sessions")
			}
			if d := here.devices(); len(d) != 1 || !d[0].current {
				t.Fatalf("after signing out the others alice sees %+v", d)
			}
		})
	}
}

func TestTheDevicesPageSaysACookieStoreCannotList(t *testing.T) {
	srv := startApp(t, testConfig(t, "cookie"))
	b := newBrowser(t, srv)
	b.login("alice", "wonderland", true)
	p := b.get("/devices")
	if p.StatusCode != http.StatusOK || !strings.Contains(p.body, `id="no-index"`) {
		t.Fatalf("the cookie store's devices page: %d %.300s", p.StatusCode, p.body)
	}
}
