// Package lincheck states what the README promises about concurrent
// requests on one session as a Porcupine model, so that tests can check
// recorded histories of real requests against it. Only tests use it.
//
// A request that loads a session is a [Read] at one instant (its load) and,
// if it changed the session, a [Write] at a later one (its save): two
// operations over the same interval, because the README's guarantee is
// exactly that (a request's changes are replayed on what is stored when it
// saves, not on what it read). The state is every live record: session key
// to the values of the observed keys. A key that died never lives again.
package lincheck

import (
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/anishathalye/porcupine"
)

// Keys are the session keys the model observes; the others (the hash of
// auth.Login, its timestamps, the CSRF secret) are not compared.
var Keys = [NumKeys]string{"a", "b", "n", "_auth_user_id"}

// NumKeys is the number of observed keys.
const NumKeys = 4

// Values holds the observed keys' values, in the order of Keys; "" is
// absent (the tests never store an empty string).
type Values [NumKeys]string

func (v Values) String() string {
	var parts []string
	for i, k := range Keys {
		if v[i] != "" {
			parts = append(parts, k+"="+v[i])
		}
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// Kind tells a Read from a Write.
type Kind int

const (
	// Read is what a request's load saw.
	Read Kind = iota
	// Write is what its save did.
	Write
)

// Op says what a request's Write did to the session it loaded, before its
// own changes.
type Op int

const (
	// Update saves the changes over the record (conditional, replayed).
	Update Op = iota
	// Flush deletes the record first (Flush, auth.Logout, auth.Login of
	// another user); changes then go to a new record.
	Flush
	// Cycle moves the record to a new key with the changes (CycleKey,
	// auth.Login of an anonymous session).
	Cycle
)

// Change is one key's change: Set (the value) or delete (Delete true).
type Change struct {
	Value  string
	Delete bool
}

// Input is a request as sent, and for a Write what its handler did.
type Input struct {
	Group int    // the browser (cookie jar) the request came from: the partition
	Kind  Kind   // Read or Write
	Key   string // the session key the cookie carried, "" for none
	// For a Write:
	Loaded  bool // the load found a record under Key
	Op      Op   // Update, Flush or Cycle
	Changes [NumKeys]*Change
	// Empty: the handler left the session empty, so nothing is saved (as
	// Django, the cookie is deleted and the record left alone).
	Empty bool
	// Adds, when not 0: the request added Adds to n with Session.Change
	// from goroutines of its own, so it writes what it loaded (Seen) plus
	// Adds: Change is atomic within a request.
	Adds int
	Seen Values
}

// Output is what the response said.
type Output struct {
	// Unknown: a 5xx or no response: the write may or may not have
	// happened (the operation's return time is the end of the history).
	Unknown bool
	// Interrupted: 400, ErrSessionInterrupted: the record vanished, nothing
	// changed.
	Interrupted bool
	// For a Read: whether the load found a record, and its values.
	Found  bool
	Values Values
	// For a Write: the key of the Set-Cookie, "" if it deleted the cookie or
	// sent none.
	NewKey string
}

// State is the live records: session key to the values of the observed
// keys. It is never changed in place.
type State map[string]Values

func (s State) with(key string, v Values) State {
	n := maps.Clone(s)
	if n == nil {
		n = State{}
	}
	n[key] = v
	return n
}

func (s State) without(key string) State {
	if _, ok := s[key]; !ok {
		return s
	}
	n := maps.Clone(s)
	delete(n, key)
	return n
}

func apply(v Values, ch [NumKeys]*Change) Values {
	for i, c := range ch {
		switch {
		case c == nil:
		case c.Delete:
			v[i] = ""
		default:
			v[i] = c.Value
		}
	}
	return v
}

// Step is the sequential specification.
func Step(s State, in Input, out Output) (bool, State) {
	if in.Kind == Read {
		v, live := s[in.Key]
		if in.Key == "" {
			live = false
		}
		if out.Found != live {
			return false, s
		}
		return !live || v == out.Values, s
	}
	if in.Adds != 0 && !addsUp(in) {
		return false, s
	}
	old, live := s[in.Key]
	live = live && in.Key != ""
	fresh := func(k string) bool { _, taken := s[k]; return k != "" && !taken }
	switch {
	case out.Unknown:
		// Happened (here) or not (placed last, where nothing sees it). A new
		// key it made is unknown to every client.
		switch {
		case in.Op != Update:
			return true, s.without(in.Key)
		case in.Loaded && live && !in.Empty:
			return true, s.with(in.Key, apply(old, in.Changes))
		}
		return true, s
	case out.Interrupted:
		// Only a save of a record that a concurrent request ended.
		return in.Loaded && in.Op != Flush && !live, s
	}
	switch in.Op {
	case Flush:
		s = s.without(in.Key)
		if in.Empty {
			return out.NewKey == "", s
		}
		return fresh(out.NewKey), s.with(out.NewKey, apply(Values{}, in.Changes))
	case Cycle:
		if in.Loaded {
			if !live || !fresh(out.NewKey) {
				return false, s
			}
			return true, s.without(in.Key).with(out.NewKey, apply(old, in.Changes))
		}
		if in.Empty {
			return out.NewKey == "", s
		}
		return fresh(out.NewKey), s.with(out.NewKey, apply(Values{}, in.Changes))
	}
	switch {
	case in.Empty:
		return out.NewKey == "", s
	case in.Loaded:
		if !live || out.NewKey != in.Key {
			return false, s
		}
		return true, s.with(in.Key, apply(old, in.Changes))
	}
	return fresh(out.NewKey), s.with(out.NewKey, apply(Values{}, in.Changes))
}

// addsUp reports whether a Change request wrote what it loaded plus Adds.
func addsUp(in Input) bool {
	n := slices.Index(Keys[:], "n")
	from, _ := strconv.Atoi(in.Seen[n])
	ch := in.Changes[n]
	return ch != nil && !ch.Delete && ch.Value == strconv.Itoa(from+in.Adds)
}

var hashSeed = maphash.MakeSeed()

// Model is the Porcupine model: Step, partitioned by browser.
var Model = porcupine.Model{
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		groups := map[int][]porcupine.Operation{}
		for _, op := range h {
			g := op.Input.(Input).Group
			groups[g] = append(groups[g], op)
		}
		var out [][]porcupine.Operation
		for _, g := range slices.Sorted(maps.Keys(groups)) {
			out = append(out, groups[g])
		}
		return out
	},
	Init: func() any { return State{} },
	Step: func(s, in, out any) (bool, any) {
		return Step(s.(State), in.(Input), out.(Output))
	},
	Equal: func(a, b any) bool { return maps.Equal(a.(State), b.(State)) },
	Hash: func(s any) uint64 {
		var h uint64
		for k, v := range s.(State) {
			h ^= maphash.String(hashSeed, k+v.String())
		}
		return h
	},
	DescribeOperation: func(in, out any) string { return Describe(in.(Input), out.(Output)) },
	DescribeState: func(s any) string {
		st := s.(State)
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(st)) {
			parts = append(parts, short(k)+st[k].String())
		}
		return strings.Join(parts, " ")
	},
}

// Describe is an operation as the visualization shows it.
func Describe(in Input, out Output) string {
	var b strings.Builder
	if in.Kind == Read {
		fmt.Fprintf(&b, "read %s", short(in.Key))
		if out.Found {
			fmt.Fprintf(&b, " -> %s", out.Values)
		} else {
			b.WriteString(" -> none")
		}
		return b.String()
	}
	fmt.Fprintf(&b, "%s %s", [...]string{"update", "flush", "cycle"}[in.Op], short(in.Key))
	if !in.Loaded {
		b.WriteString(" (new)")
	}
	for i, c := range in.Changes {
		switch {
		case c == nil:
		case c.Delete:
			fmt.Fprintf(&b, " del %s", Keys[i])
		default:
			fmt.Fprintf(&b, " %s=%s", Keys[i], c.Value)
		}
	}
	if in.Empty {
		b.WriteString(" (empty)")
	}
	switch {
	case out.Unknown:
		b.WriteString(" -> 5xx")
	case out.Interrupted:
		b.WriteString(" -> 400")
	default:
		fmt.Fprintf(&b, " -> %s", short(out.NewKey))
	}
	return b.String()
}

func short(key string) string {
	if len(key) > 6 {
		return key[:6]
	}
	if key == "" {
		return "-"
	}
	return key
}
