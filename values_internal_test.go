package ginsession

import (
	"fmt"
	"reflect"
	"testing"
)

// TestValueSetMovesToAMapPastItsSlots: a set keeps its first smallValues
// entries in slots, moves every entry to a map at the next new key, and
// answers alike either way.
func TestValueSetMovesToAMapPastItsSlots(t *testing.T) {
	var v valueSet
	want := map[string]any{}
	for i := range smallValues + 3 {
		k := fmt.Sprint("k", i)
		if !v.set(k, i) {
			t.Fatalf("set(%q) on a new key reported it was there", k)
		}
		want[k] = i
		if inMap := v.m != nil; inMap != (i >= smallValues) {
			t.Fatalf("after %d entries: in a map %v", i+1, inMap)
		}
		if v.set(k, i) {
			t.Fatalf("set(%q) again reported a new key", k)
		}
		if v.len() != len(want) || !reflect.DeepEqual(v.toMap(), want) {
			t.Fatalf("after %d entries: len %d, %v", i+1, v.len(), v.toMap())
		}
	}
	if v.n != 0 || v.slot != [smallValues]entry{} {
		t.Fatalf("the slots still hold entries after the move: %d, %v", v.n, v.slot)
	}
}

// TestValueSetDeletesFromItsSlots: deleting any slot keeps the others, and
// leaves nothing reachable from a freed slot.
func TestValueSetDeletesFromItsSlots(t *testing.T) {
	for gone := range smallValues {
		var v valueSet
		for i := range smallValues {
			v.set(fmt.Sprint("k", i), fmt.Sprint("v", i))
		}
		k := fmt.Sprint("k", gone)
		if x, ok := v.del(k); !ok || x != fmt.Sprint("v", gone) {
			t.Fatalf("del(%q) = %v, %v", k, x, ok)
		}
		if _, ok := v.del(k); ok {
			t.Fatalf("del(%q) twice found it again", k)
		}
		for i := range smallValues {
			x, ok := v.lookup(fmt.Sprint("k", i))
			if ok != (i != gone) || (ok && x != fmt.Sprint("v", i)) {
				t.Fatalf("after deleting %q: k%d = %v, %v", k, i, x, ok)
			}
		}
		if v.len() != smallValues-1 || v.slot[smallValues-1] != (entry{}) {
			t.Fatalf("after deleting %q: len %d, last slot %v", k, v.len(), v.slot[smallValues-1])
		}
	}
}

// TestReadingASmallSessionAllocatesOnlyItsStrings: decoding a small
// record into a session's own slots, with its keys in the session's buffer
// and its strings pointing into the record, allocates only the boxes that
// hold its string values as interfaces (a map of two objects more before
// the slots).
func TestReadingASmallSessionAllocatesOnlyItsStrings(t *testing.T) {
	data := []byte(`{"_auth_user_id":"42","_auth_user_backend":"app.Backend","n":7,"ok":true}`)
	var d sessionData
	allocs := testing.AllocsPerRun(100, func() {
		keys, err := decodeJSONInto(data, d.keyBuf[:0], true, &d.values)
		if err != nil || len(keys) != 4 {
			panic(fmt.Sprint(keys, err))
		}
	})
	if allocs != 2 {
		t.Fatalf("decoding a session of 4 entries, 2 of them strings, allocated %v times", allocs)
	}
	if d.values.get("_auth_user_id") != "42" || d.values.get("n") != 7 || d.values.get("ok") != true || d.values.m != nil {
		t.Fatalf("decoded %+v", d.values)
	}
}

// TestDecodingReplacesTheSetOnlyOnSuccess: a record that fails to decode
// leaves the entries as they were; a good one replaces them all, a
// repeated key keeping its last value and first place.
func TestDecodingReplacesTheSetOnlyOnSuccess(t *testing.T) {
	var v valueSet
	v.set("old", 1)
	if _, err := decodeJSONInto([]byte(`{"a":1,`), nil, false, &v); err == nil {
		t.Fatal("a broken record decoded")
	}
	if v.get("old") != 1 || v.len() != 1 {
		t.Fatalf("a failed decode changed the set: %v", v.toMap())
	}
	keys, err := decodeJSONInto([]byte(`{"a":1,"b":2,"a":3}`), nil, false, &v)
	if err != nil || !reflect.DeepEqual(keys, []string{"a", "b"}) || !reflect.DeepEqual(v.toMap(), map[string]any{"a": 3, "b": 2}) {
		t.Fatalf("keys %v, values %v, %v", keys, v.toMap(), err)
	}
	big := []byte(`{"a":1,"b":2,"c":3,"d":4,"e":5,"a":6}`)
	keys, err = decodeJSONInto(big, nil, false, &v)
	if err != nil || len(keys) != 5 || v.m == nil || v.get("a") != 6 || v.len() != 5 {
		t.Fatalf("keys %v, values %v, %v", keys, v.toMap(), err)
	}
}

// TestOnlyThisPackagesCodecsSkipTheMap: a codec that embeds JSONCodec to
// change Encode or Decode inherits the unexported methods of setCodec, and
// must still be called through its own.
func TestOnlyThisPackagesCodecsSkipTheMap(t *testing.T) {
	type wrapped struct{ JSONCodec }
	for _, c := range []Codec{JSONCodec{}, &JSONCodec{}, DjangoCodec("a secret of at least thirty-two bytes")} {
		if setCodecOf(c) == nil {
			t.Errorf("%T is not read directly", c)
		}
	}
	for _, c := range []Codec{wrapped{}, &wrapped{}, (*JSONCodec)(nil)} {
		if setCodecOf(c) != nil {
			t.Errorf("%T would be bypassed", c)
		}
	}
}
