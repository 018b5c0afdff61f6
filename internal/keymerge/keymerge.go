// Package keymerge lets a package of this module give one session key its
// own rule for the changes of concurrent requests, where ginsession's rule
// is that one request's value wins whole. Package messages uses it so that
// the messages concurrent requests add to "_messages" are all kept.
package keymerge

// Change is what the function given to ginsession's Session.Change returns,
// as its value, to change the key with a merge rule: it stores Value, or
// deletes the key when Delete is set, as a plain change would. When the
// save then finds the record changed by a concurrent request, the key
// becomes what Merge makes of it instead of this request's value.
type Change struct {
	Value  any
	Delete bool
	Merge  Func
}

// Func merges one key's concurrent changes: from is the key's value when
// this request loaded (or last saved) the session, own its value in this
// request now, current its value in the record another request saved, and
// dropped reports whether this request deleted the key since from (it may
// have set it again after). An absent value is nil. It returns the key's
// merged value, or keep false to delete the key.
type Func func(from, own, current any, dropped bool) (value any, keep bool)
