package stores_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ginsession/ginsession/stores"
)

func TestCheckIndexUserChecksTheUserAndEveryKey(t *testing.T) {
	key := stores.NewKey()
	for _, tc := range []struct {
		name       string
		user       string
		keys       []string
		ok         bool
		invalidKey bool
	}{
		{"a user and no key", "alice", nil, true, false},
		{"a user and valid keys", "alice", []string{key, key}, true, false},
		{"the longest user id", strings.Repeat("u", stores.MaxIndexUserID), []string{key}, true, false},
		{"an empty user id", "", []string{key}, false, false},
		{"a user id one byte too long", strings.Repeat("u", stores.MaxIndexUserID+1), nil, false, false},
		{"an invalid second key", "alice", []string{key, "NOT-A-KEY"}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := stores.CheckIndexUser(tc.user, tc.keys...)
			if (err == nil) != tc.ok || errors.Is(err, stores.ErrInvalidKey) != tc.invalidKey {
				t.Fatalf("CheckIndexUser = %v, want ok %v, ErrInvalidKey %v", err, tc.ok, tc.invalidKey)
			}
		})
	}
}
