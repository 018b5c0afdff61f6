package ginsession

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
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
	if v.vals != [smallValues]any{} {
		t.Fatalf("the slots still hold values after the move: %v", v.vals)
	}
	if want := []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6"}; !reflect.DeepEqual(v.orderedKeys(), want) {
		t.Fatalf("keys %v, want %v", v.orderedKeys(), want)
	}
}

// TestValueSetDeletesFromItsSlots: deleting any slot keeps the others in
// their order, and leaves nothing reachable from a freed slot.
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
		var want []string
		for i := range smallValues {
			if i != gone {
				want = append(want, fmt.Sprint("k", i))
			}
		}
		if !reflect.DeepEqual(v.orderedKeys(), want) || v.len() != smallValues-1 {
			t.Fatalf("after deleting %q: keys %v, want %v", k, v.orderedKeys(), want)
		}
		if v.vals[smallValues-1] != nil || v.keyBuf[smallValues-1] != "" {
			t.Fatalf("after deleting %q: the freed slot holds %q, %v", k, v.keyBuf[smallValues-1], v.vals[smallValues-1])
		}
		for i, k := range v.orderedKeys() {
			if v.at(i, k) != "v"+k[1:] {
				t.Fatalf("after deleting %q: %s = %v", k, k, v.at(i, k))
			}
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
		if err := decodeJSONInto(data, true, &d.values); err != nil || d.values.len() != 4 {
			panic(fmt.Sprint(d.values.keys, err))
		}
	})
	if allocs != 2 {
		t.Fatalf("decoding a session of 4 entries, 2 of them strings, allocated %v times", allocs)
	}
	if d.values.get("_auth_user_id") != "42" || d.values.get("n") != 7 || d.values.get("ok") != true || d.values.m != nil {
		t.Fatalf("decoded %+v", d.values)
	}
}

// TestDecodingReplacesTheSet: a good record replaces every entry, a
// repeated key keeping its last value and first place; a record that fails
// to decode leaves the set empty.
func TestDecodingReplacesTheSet(t *testing.T) {
	var v valueSet
	v.set("old", 1)
	for _, tc := range []struct {
		data string
		keys []string
		m    map[string]any
	}{
		{`{"a":1,"b":2,"a":3}`, []string{"a", "b"}, map[string]any{"a": 3, "b": 2}},
		{`{"a":1,"b":2,"c":3,"d":4,"e":5,"a":6}`, []string{"a", "b", "c", "d", "e"}, map[string]any{"a": 6, "b": 2, "c": 3, "d": 4, "e": 5}},
		{`{}`, nil, map[string]any{}},
	} {
		if err := decodeJSONInto([]byte(tc.data), false, &v); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(v.orderedKeys(), tc.keys) || !reflect.DeepEqual(v.toMap(), tc.m) {
			t.Fatalf("%s: keys %v, values %v", tc.data, v.orderedKeys(), v.toMap())
		}
		if v.get("old") != nil {
			t.Fatalf("%s: the old entry is still there", tc.data)
		}
	}
	v.set("old", 1)
	if err := decodeJSONInto([]byte(`{"a":1,`), false, &v); err == nil {
		t.Fatal("a broken record decoded")
	}
	if v.len() != 0 || len(v.orderedKeys()) != 0 {
		t.Fatalf("a failed decode left %v", v.toMap())
	}
}

// TestAssignKeepsWhatACodecDecoded: a custom codec's keys and map become
// the set's, in slots when they name each value once, and as they are when
// not.
func TestAssignKeepsWhatACodecDecoded(t *testing.T) {
	for _, tc := range []struct {
		name  string
		keys  []string
		m     map[string]any
		small bool
	}{
		{"consistent and small", []string{"b", "a"}, map[string]any{"a": 1, "b": 2}, true},
		{"a key without a value", []string{"a", "b"}, map[string]any{"a": 1}, false},
		{"a value without a key", []string{"a"}, map[string]any{"a": 1, "b": 2}, false},
		{"a repeated key", []string{"a", "a"}, map[string]any{"a": 1, "b": 2}, false},
		{"large", []string{"a", "b", "c", "d", "e"}, map[string]any{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}, false},
		{"nothing", nil, nil, true},
	} {
		var v valueSet
		want := maps.Clone(tc.m)
		v.assign(slices.Clone(tc.keys), tc.m)
		if (v.m == nil) != tc.small {
			t.Errorf("%s: in slots %v, want %v", tc.name, v.m == nil, tc.small)
		}
		if !slices.Equal(v.orderedKeys(), tc.keys) {
			t.Errorf("%s: keys %v, want %v", tc.name, v.orderedKeys(), tc.keys)
		}
		for k, x := range want {
			if got, ok := v.lookup(k); !ok || got != x {
				t.Errorf("%s: %s = %v, %v", tc.name, k, got, ok)
			}
		}
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
