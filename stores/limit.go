package stores

import (
	"cmp"
	"errors"
	"slices"
	"strings"
)

// ErrSessionLimit reports that a user already has as many live sessions as
// the index allows (ginsession.UserIndex.MaxSessions), so a new login was
// refused. A login handler can test for it with errors.Is and tell the user
// to sign out elsewhere first.
var ErrSessionLimit = errors.New("stores: the user has the most sessions allowed: sign out of another device first")

// OverLimit decides a capped add for stores that hold the user's live
// entries in hand: with live the user's live entries (newKey's own, if
// any, is not counted), it returns the keys to evict, least recently
// active first, or ErrSessionLimit when evict is false and there is no
// room.
func OverLimit(live []IndexEntry, newKey string, max int, evict bool) ([]string, error) {
	others := make([]IndexEntry, 0, len(live))
	for _, e := range live {
		if e.Key != newKey {
			others = append(others, e)
		}
	}
	over := len(others) - (max - 1)
	if over <= 0 {
		return nil, nil
	}
	if !evict {
		return nil, ErrSessionLimit
	}
	slices.SortFunc(others, func(a, b IndexEntry) int {
		return cmp.Or(a.LastActive.Compare(b.LastActive), a.Created.Compare(b.Created), strings.Compare(a.Key, b.Key))
	})
	keys := make([]string, over)
	for i := range keys {
		keys[i] = others[i].Key
	}
	return keys, nil
}
