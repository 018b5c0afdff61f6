package sessiontest

import (
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// jar keeps the cookies of the one site a Client talks to, as a browser
// does: by name and path, until they expire by the jar's clock or an
// answer deletes them. net/http/cookiejar does the same but reads
// time.Now, which a test's clock cannot move.
type jar struct {
	mu      sync.Mutex
	now     func() time.Time
	cookies []jarCookie // in the order they were first set
}

type jarCookie struct {
	c       *http.Cookie
	expires time.Time // zero: ends with the browser session
}

// update applies the Set-Cookie lines of an answer; over plain HTTP
// (secure false) a cookie marked Secure is refused, as browsers refuse it.
func (j *jar) update(set []*http.Cookie, secure bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.now()
	for _, c := range set {
		if c.Secure && !secure {
			continue
		}
		path := c.Path
		if path == "" || path[0] != '/' {
			path = "/"
		}
		var exp time.Time
		switch {
		case c.MaxAge < 0:
			exp = now // Max-Age=0: delete now
		case c.MaxAge > 0:
			exp = now.Add(time.Duration(c.MaxAge) * time.Second)
		case !c.Expires.IsZero():
			exp = c.Expires
		}
		kept := &http.Cookie{Name: c.Name, Value: c.Value, Path: path, Secure: c.Secure}
		i := j.find(c.Name, path)
		switch {
		case !exp.IsZero() && !exp.After(now):
			if i >= 0 {
				j.cookies = append(j.cookies[:i], j.cookies[i+1:]...)
			}
		case i >= 0:
			j.cookies[i] = jarCookie{kept, exp}
		default:
			j.cookies = append(j.cookies, jarCookie{kept, exp})
		}
	}
}

func (j *jar) find(name, path string) int {
	for i, k := range j.cookies {
		if k.c.Name == name && k.c.Path == path {
			return i
		}
	}
	return -1
}

// forPath returns the live cookies a request for path carries, longest
// path first (RFC 6265, section 5.4); over plain HTTP (secure false), not
// those marked Secure.
func (j *jar) forPath(path string, secure bool) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.now()
	var live []*http.Cookie
	for _, k := range j.cookies {
		if (k.expires.IsZero() || k.expires.After(now)) && pathMatch(path, k.c.Path) && (secure || !k.c.Secure) {
			live = append(live, k.c)
		}
	}
	sort.SliceStable(live, func(a, b int) bool { return len(live[a].Path) > len(live[b].Path) })
	out := make([]*http.Cookie, len(live))
	for i, c := range live {
		out[i] = &http.Cookie{Name: c.Name, Value: c.Value}
	}
	return out
}

// set stores a cookie as if an answer over HTTPS had set it.
func (j *jar) set(c *http.Cookie) { j.update([]*http.Cookie{c}, true) }

// get returns the live cookie called name that a request for path over
// HTTPS would carry, or nil.
func (j *jar) get(name, path string) *http.Cookie {
	for _, c := range j.forPath(path, true) {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// pathMatch is RFC 6265's path-match.
func pathMatch(reqPath, cookiePath string) bool {
	if reqPath == "" {
		reqPath = "/"
	}
	if !strings.HasPrefix(reqPath, cookiePath) {
		return false
	}
	return len(reqPath) == len(cookiePath) || strings.HasSuffix(cookiePath, "/") || reqPath[len(cookiePath)] == '/'
}
