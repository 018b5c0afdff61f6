package ginsession

import (
	"sync"
	"time"
)

// seenCache remembers when this process last wrote a session's activity to
// the index, and until when the entry is kept, so that most requests write
// nothing. It keeps two generations of one interval each and drops the
// older at every turn (an entry older than the interval is due anyway).
type seenCache struct {
	mu        sync.Mutex
	turned    time.Time
	cur, prev map[string]seen
}

type seen struct{ at, until time.Time }

// due reports whether a session under key, read at now and expiring at
// expiry, must be written to the index: not written by this process for an
// interval, or expiring later than the index was told to keep its entry.
func (c *seenCache) due(key string, now, expiry time.Time, interval time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.turned) >= interval {
		c.prev, c.cur, c.turned = c.cur, nil, now
	}
	e, ok := c.cur[key]
	if !ok {
		e, ok = c.prev[key]
	}
	return !ok || now.Sub(e.at) >= interval || expiry.After(e.until)
}

// wrote records a write of key's entry at now, kept until until.
func (c *seenCache) wrote(key string, now, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur == nil {
		c.cur = make(map[string]seen)
	}
	c.cur[key] = seen{at: now, until: until}
}

// forget drops key, whose entry was moved or removed.
func (c *seenCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.cur, key)
	delete(c.prev, key)
}
