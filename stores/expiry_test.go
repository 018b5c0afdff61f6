package stores_test

import (
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

func TestClampExpirySaturatesAtBothEnds(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name         string
		expiry, want time.Time
	}{
		{"an hour ahead is kept", now.Add(time.Hour), now.Add(time.Hour)},
		{"the year 3000 is MaxExpiry", time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), stores.MaxExpiry()},
		{"the last second Time holds is MaxExpiry, not 1970", time.Unix(1<<63-1, 0), stores.MaxExpiry()},
		{"the zero Time is MinExpiry", time.Time{}, stores.MinExpiry()},
		{"the year 1700 is MinExpiry", time.Date(1700, 1, 1, 0, 0, 0, 0, time.UTC), stores.MinExpiry()},
		{"a second before 1970 is MinExpiry", time.Unix(-1, 0), stores.MinExpiry()},
		{"1970 itself is kept", time.Unix(0, 5), time.Unix(0, 5)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := stores.ClampExpiry(tc.expiry); !got.Equal(tc.want) {
				t.Fatalf("ClampExpiry(%v) = %v, want %v", tc.expiry, got, tc.want)
			}
		})
	}
}
