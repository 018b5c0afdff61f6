package auth_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ginsession/ginsession/internal/testenv/everystore"
)

// TestAUserAgentThatIsNotUTF8LogsIn: a User-Agent of bytes that are not
// UTF-8 (long, too) logs in on every store with an index, PostgreSQL, MySQL
// and cachedstore among them, which refuse such text; the devices page
// shows it as valid UTF-8, bad bytes as U+FFFD, and bounded.
func TestAUserAgentThatIsNotUTF8LogsIn(t *testing.T) {
	for _, st := range everystore.Indexed("gs_ua_") {
		t.Run(st.Name, func(t *testing.T) {
			t.Parallel()
			site := newDevSite(t, st.Open(t))
			for _, ua := range []string{"Mozilla/5.0 \xff\xfe(\xc3)", strings.Repeat("\xe2\x98", 600)} {
				b := site.browser(ua)
				b.login("alice")
				for _, d := range b.devices() {
					if !d.Current {
						continue
					}
					if !utf8.ValidString(d.UserAgent) || !strings.Contains(d.UserAgent, "\uFFFD") || len(d.UserAgent) > 256 {
						t.Errorf("the device's user agent is %q (%d bytes), want valid UTF-8 with U+FFFD, at most 256 bytes", d.UserAgent, len(d.UserAgent))
					}
				}
			}
		})
	}
}
