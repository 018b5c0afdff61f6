package ginsession_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/storetest"
)

// A stored start the absolute timeout cannot trust (not an integer, or
// more than maxClockSkew, a minute, later than now) ends the session
// instead of being stamped anew or believed: on a server store and in a
// signed cookie crafted with the secret. A sound start, or one a little
// ahead as another server's clock writes it, keeps the session.
func TestATamperedAbsoluteStartEndsTheSession(t *testing.T) {
	clock := storetest.NewClock(time.Now().Truncate(time.Second))
	now := clock.Now().Unix()
	cases := []struct {
		name, started, want string
	}{
		{"a sound start keeps the session", strconv.FormatInt(now-60, 10), "alice"},
		{"string garbage", `"garbage"`, "anonymous"},
		{"a number in a string", `"` + strconv.FormatInt(now, 10) + `"`, "anonymous"},
		{"a fraction", strconv.FormatInt(now, 10) + ".5", "anonymous"},
		{"a boolean", "true", "anonymous"},
		{"null", "null", "anonymous"},
		{"an object", "{}", "anonymous"},
		{"a start an hour ahead", strconv.FormatInt(now+3600, 10), "anonymous"},
		{"a start a second ahead", strconv.FormatInt(now+1, 10), "alice"},
		{"a start 59 s ahead", strconv.FormatInt(now+59, 10), "alice"},
		{"a start two minutes ahead", strconv.FormatInt(now+120, 10), "anonymous"},
		{"a start centuries ahead", "99999999999999", "anonymous"},
	}
	opts := []ginsession.Option{ginsession.WithAbsoluteTimeout(8 * time.Hour), ginsession.WithClock(clock.Now)}
	mem := testenv.Must(memstore.New(memstore.WithClock(clock.Now)))
	cookie := testenv.Must(cookiestore.New(cookiestore.WithClock(clock.Now)))
	for _, tc := range cases {
		data := []byte(`{"user":"alice","_session_started":` + tc.started + `}`)
		t.Run("memstore/"+tc.name, func(t *testing.T) {
			key := stores.NewKey()
			if err := mem.Create(context.Background(), key, data, clock.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t, timeoutsEngine(mem, opts...)).holding(key)
			b.wantUser("/whoami", tc.want)
			if got, _ := mem.Load(context.Background(), key); tc.want == "anonymous" && got != nil && string(got) != string(data) {
				t.Fatalf("the record was rewritten with %s", got)
			}
		})
		t.Run("cookiestore/"+tc.name, func(t *testing.T) {
			sealed, err := cookie.Seal(data, [][]byte{[]byte(timeoutSecret)})
			if err != nil {
				t.Fatal(err)
			}
			b := newBrowser(t, timeoutsEngine(cookie, opts...)).holding(sealed)
			b.wantUser("/whoami", tc.want)
			if tc.want == "anonymous" && (b.last == nil || b.last.MaxAge >= 0) {
				t.Fatalf("the cookie of a session with a tampered start was not deleted: %v", b.last)
			}
		})
	}
}
