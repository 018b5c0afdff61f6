package lincheck

import (
	"testing"

	"github.com/anishathalye/porcupine"
)

// op builds one operation of browser 0 over [call, ret].
func op(client int, call, ret int64, in Input, out Output) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Call: call, Return: ret, Input: in, Output: out}
}

func set(k string, v string) [NumKeys]*Change {
	var ch [NumKeys]*Change
	for i, kk := range Keys {
		if kk == k {
			ch[i] = &Change{Value: v}
		}
	}
	return ch
}

func vals(k, v string) Values {
	var out Values
	for i, kk := range Keys {
		if kk == k {
			out[i] = v
		}
	}
	return out
}

const k1, k2 = "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk1", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk2"

// create is a request without a cookie that stores n=3 under k1.
var create = []porcupine.Operation{
	op(0, 0, 10, Input{Kind: Read}, Output{}),
	op(0, 0, 10, Input{Kind: Write, Changes: set("n", "3")}, Output{NewKey: k1}),
}

func TestModel(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    []porcupine.Operation
		want porcupine.CheckResult
	}{
		{"a session read back after it was made", append(create[:2:2],
			op(1, 11, 20, Input{Kind: Read, Key: k1}, Output{Found: true, Values: vals("n", "3")})),
			porcupine.Ok},
		// The history the Redis stores made when go-redis sent a key
		// cycle's compare-and-delete twice: the cycle answered 400 (a
		// logout, it thought) and deleted the new copy, and nobody had
		// logged out: the next read found nothing.
		{"a cycle answered 400 with no logout, the session then gone", append(create[:2:2],
			op(1, 11, 20, Input{Kind: Read, Key: k1}, Output{Found: true, Values: vals("n", "3")}),
			op(1, 11, 20, Input{Kind: Write, Key: k1, Loaded: true, Op: Cycle}, Output{Interrupted: true}),
			op(2, 21, 30, Input{Kind: Read, Key: k1}, Output{})),
			porcupine.Illegal},
		// The history cachedstore made when a read came between a logout's
		// database delete and its tombstone: a save was refused for the
		// logout, and then a read got the cached copy.
		{"a read finds a session after a save was refused for its logout", append(create[:2:2],
			op(1, 11, 40, Input{Kind: Write, Key: k1, Loaded: true, Op: Flush, Empty: true}, Output{}),
			op(2, 12, 20, Input{Kind: Write, Key: k1, Loaded: true, Changes: set("a", "v1")}, Output{Interrupted: true}),
			op(3, 21, 30, Input{Kind: Read, Key: k1}, Output{Found: true, Values: vals("n", "3")})),
			porcupine.Illegal},
		{"a 5xx save may land after its response", append(create[:2:2],
			op(1, 11, 100, Input{Kind: Write, Key: k1, Loaded: true, Changes: set("a", "v1")}, Output{Unknown: true}),
			op(2, 21, 30, Input{Kind: Read, Key: k1}, Output{Found: true, Values: vals("n", "3")}),
			op(2, 31, 40, Input{Kind: Read, Key: k1}, Output{Found: true, Values: Values{"v1", "", "3", ""}})),
			porcupine.Ok},
		{"a 2xx save is seen by every later read", append(create[:2:2],
			op(1, 11, 20, Input{Kind: Write, Key: k1, Loaded: true, Changes: set("a", "v1")}, Output{NewKey: k1}),
			op(2, 21, 30, Input{Kind: Read, Key: k1}, Output{Found: true, Values: vals("n", "3")})),
			porcupine.Illegal},
		{"a cycle keeps the data under the new key only", append(create[:2:2],
			op(1, 11, 20, Input{Kind: Write, Key: k1, Loaded: true, Op: Cycle, Changes: set("a", "v1")}, Output{NewKey: k2}),
			op(2, 21, 30, Input{Kind: Read, Key: k2}, Output{Found: true, Values: Values{"v1", "", "3", ""}}),
			op(2, 31, 40, Input{Kind: Read, Key: k1}, Output{Found: true, Values: vals("n", "3")})),
			porcupine.Illegal},
		{"three Changes of a request add three", append(create[:2:2],
			op(1, 11, 20, Input{Kind: Write, Key: k1, Loaded: true, Adds: 3, Seen: vals("n", "3"), Changes: set("n", "5")}, Output{NewKey: k1})),
			porcupine.Illegal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := porcupine.CheckOperations(Model, tc.h); (got && tc.want != porcupine.Ok) || (!got && tc.want == porcupine.Ok) {
				t.Errorf("linearizable = %v, want %s", got, tc.want)
			}
		})
	}
}
