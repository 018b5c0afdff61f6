package messages

import (
	"slices"

	"github.com/ginsession/ginsession/internal/keymerge"
)

// dropped removes the pending messages from the session, with merge as the
// rule for a concurrent request's changes.
var dropped = keymerge.Change{Delete: true, Merge: merge}

// merge is the rule for SessionKey when a save finds that concurrent
// requests changed it (internal/keymerge): the messages the record holds
// now, less those this request consumed (the ones it loaded, while the
// record still begins with them), then those this request added. So no
// request loses another's messages, and none brings back what another
// consumed. A value that is not Django's messages is not merged: this
// request's wins, as any other key's would.
func merge(from, own, current any, consumed bool) (any, bool) {
	loaded, err1 := decode(from)
	mine, err2 := decode(own)
	now, err3 := decode(current)
	if err1 != nil || err2 != nil || err3 != nil {
		return own, own != nil
	}
	added := mine
	if !consumed && startsWith(mine, loaded) {
		added = mine[len(loaded):]
	} else if startsWith(now, loaded) {
		now = now[len(loaded):]
	}
	if all := append(now, added...); len(all) > 0 {
		return encode(all), true
	}
	return nil, false
}

func startsWith(ms, prefix []Message) bool {
	return len(prefix) <= len(ms) && slices.Equal(ms[:len(prefix)], prefix)
}
