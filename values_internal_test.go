package ginsession

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestDictKeepsPythonsOrder runs random sets and deletes, of keys new,
// present and deleted, on dicts small and large against a model (an ordered
// list, as a Python dict orders its keys): a key set again keeps its place,
// one deleted and set again goes last.
func TestDictKeepsPythonsOrder(t *testing.T) {
	for _, size := range []int{3, 40, 300} {
		rng := rand.New(rand.NewPCG(uint64(size), 1))
		var d dict
		var model []string
		for op := range 30 * size {
			k := "k" + strconv.Itoa(rng.IntN(2*size))
			if rng.IntN(3) == 0 {
				_, ok := d.del(k)
				if ok != slices.Contains(model, k) {
					t.Fatalf("size %d, op %d: del(%s) = %v", size, op, k, ok)
				}
				model = slices.DeleteFunc(model, func(m string) bool { return m == k })
			} else {
				d.set(k, op)
				if !slices.Contains(model, k) {
					model = append(model, k)
				}
			}
			if op%7 == 0 && !slices.Equal(d.keys(), model) {
				t.Fatalf("size %d, op %d: keys %v, want %v", size, op, d.keys(), model)
			}
			if d.len() != len(model) {
				t.Fatalf("size %d, op %d: len %d, want %d", size, op, d.len(), len(model))
			}
		}
	}
}

// TestDeletingEveryKeyOfALargeDictIsLinear: a delete costs the same
// whatever the dict's size (it walks nothing and allocates nothing), and no
// trace of a deleted key stays behind, so deleting all n keys is linear.
func TestDeletingEveryKeyOfALargeDictIsLinear(t *testing.T) {
	const n = 100_000
	var d dict
	keys := make([]string, n)
	for i := range keys {
		keys[i] = strconv.Itoa(i)
		d.set(keys[i], i)
	}
	i := 0
	allocs := testing.AllocsPerRun(n-1, func() { // n calls: one warm-up, n-1 runs
		if _, ok := d.del(keys[i]); !ok {
			t.Fatalf("key %d missing", i)
		}
		if len(d.place) != d.len() {
			t.Fatalf("after %d deletes, %d places for %d keys", i+1, len(d.place), d.len())
		}
		i++
	})
	if allocs != 0 {
		t.Errorf("a delete allocated %v times", allocs)
	}
	if i != n || len(d.keys()) != 0 || d.len() != 0 {
		t.Fatalf("%d deletes, %d keys left", i, d.len())
	}
}

// TestAssignPutsRightWhatACodecDecoded: a codec's keys and map become the
// dict's; keys that do not name each value once are put right, so that no
// value is hidden from Keys or left out of the next save.
func TestAssignPutsRightWhatACodecDecoded(t *testing.T) {
	for _, tc := range []struct {
		name string
		keys []string
		m    map[string]any
		want []string
	}{
		{"consistent", []string{"b", "a"}, map[string]any{"a": 1, "b": 2}, []string{"b", "a"}},
		{"a key without a value", []string{"a", "b"}, map[string]any{"a": 1}, []string{"a"}},
		{"values without a key go last, sorted", []string{"b"}, map[string]any{"a": 1, "b": 2, "c": 3}, []string{"b", "a", "c"}},
		{"a repeated key keeps its first place", []string{"b", "a", "b"}, map[string]any{"a": 1, "b": 2}, []string{"b", "a"}},
		{"nothing", nil, nil, nil},
	} {
		var d dict
		want := maps.Clone(tc.m)
		d.assign(slices.Clone(tc.keys), tc.m)
		if got := d.keys(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: keys %v, want %v", tc.name, got, tc.want)
		}
		for k, x := range want {
			if got, ok := d.lookup(k); !ok || got != x {
				t.Errorf("%s: %s = %v, %v", tc.name, k, got, ok)
			}
		}
	}
}
