package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var (
	deviceRe = regexp.MustCompile(`(?s)<li class="card device( current)?".*?</li>`)
	handleRe = regexp.MustCompile(`name="handle" value="([^"]+)"`)
	agentRe  = regexp.MustCompile(`class="agent"[^>]*>([^<]*)<`)
)

// listedDevice is a device of the Devices page: handle is the one its
// "Sign out" form posts, "" when the page offers none.
type listedDevice struct {
	current bool
	handle  string
	name    string
}

func (b *browser) devices() []listedDevice {
	b.t.Helper()
	p := b.get("/devices")
	if p.StatusCode != http.StatusOK {
		b.t.Fatalf("devices: %d", p.StatusCode)
	}
	var out []listedDevice
	for _, m := range deviceRe.FindAllStringSubmatch(p.body, -1) {
		d := listedDevice{current: m[1] != ""}
		if h := handleRe.FindStringSubmatch(m[0]); h != nil {
			d.handle = h[1]
		}
		if a := agentRe.FindStringSubmatch(m[0]); a != nil {
			d.name = a[1]
		}
		out = append(out, d)
	}
	return out
}

func TestTheDevicesPageSignsOtherBrowsersOut(t *testing.T) {
	for _, store := range []string{"memory", "file", "sqlite"} {
		t.Run(store, func(t *testing.T) {
			srv := startApp(t, testConfig(t, store))
			here, there, third := newBrowser(t, srv), newBrowser(t, srv), newBrowser(t, srv)
			there.ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15"
			third.ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
			here.login("alice", "wonderland", true)
			there.login("alice", "wonderland", true)
			third.login("alice", "wonderland", false)
			bob := newBrowser(t, srv)
			bob.login("bob", "builder", true)

			d := here.devices()
			if len(d) != 3 || !d[0].current || d[1].current || d[2].current {
				t.Fatalf("alice's devices page lists %+v; want three, this browser first", d)
			}
			if d[0].name != userAgent || d[1].name != "Chrome on Linux" || d[2].name != "Safari on macOS" {
				t.Errorf("the page names the devices %q, %q, %q; want %s, Chrome on Linux, Safari on macOS", d[0].name, d[1].name, d[2].name, userAgent)
			}
			if d[0].handle != "" || d[1].handle == "" || d[2].handle == "" {
				t.Errorf("Sign out is offered on %+v; want it on the other devices only", d)
			}
			if p := here.get("/devices"); !strings.Contains(p.body, `id="end-others"`) {
				t.Errorf("no Sign out all other devices with two others signed in")
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
			if p := here.get("/devices"); strings.Contains(p.body, `id="end-others"`) || strings.Contains(p.body, "Sign out all other devices") {
				t.Errorf("Sign out all other devices is offered with no other device")
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
	why := regexp.MustCompile(`<p id="no-index">([^<]*)</p>`).FindStringSubmatch(p.body)
	if why == nil || strings.Count(why[1], ".") != 1 || strings.Contains(why[1], "ginsession") || strings.Contains(why[1], "ErrNoIndex") {
		t.Errorf("the page's reason is not one plain sentence: %q", why)
	}
	if strings.Contains(p.body, "Sign out") {
		t.Error("the cookie store's devices page offers a sign-out")
	}
	// Forms the page never shows, posted anyway with a valid token: a 4xx,
	// not the site failing.
	for _, form := range []struct {
		path   string
		values url.Values
	}{
		{"/devices/end-others", url.Values{}},
		{"/devices/end", url.Values{"handle": {"made-up"}}},
		{"/devices/end", url.Values{}},
	} {
		if p := b.post(form.path, form.values); p.StatusCode < 400 || p.StatusCode > 499 {
			t.Errorf("POST %s %v on the cookie store: %d %q, want a 4xx", form.path, form.values, p.StatusCode, p.body)
		}
	}
	if b.loggedInAs() != "1" {
		t.Error("the crafted posts ended the session")
	}
}
