package messages

import (
	"reflect"
	"testing"
)

// TestMergeKeepsEveryAddAndBringsNoConsumedMessageBack checks the rule a
// conflicting save applies to "_messages" (merge.go), case by case.
func TestMergeKeepsEveryAddAndBringsNoConsumedMessageBack(t *testing.T) {
	list := func(texts ...string) any {
		if texts == nil {
			return nil
		}
		ms := make([]Message, len(texts))
		for i, text := range texts {
			ms[i] = Message{Level: LevelInfo, Text: text}
		}
		return encode(ms)
	}
	cases := []struct {
		name               string
		from, own, current any
		consumed           bool
		want               any
	}{
		{"an add goes after the other's add", list("x"), list("x", "y"), list("x", "z"), false, list("x", "z", "y")},
		{"an add onto a record the other consumed", list("x"), list("x", "y"), nil, false, list("y")},
		{"a consume leaves the other's add", list("x"), nil, list("x", "z"), true, list("z")},
		{"a consume after the other consumed and added", list("x"), nil, list("z"), true, list("z")},
		{"a consume and a re-add of the same text keep it once", list("x"), list("x"), nil, true, list("x")},
		{"a value set in place of the loaded ones replaces them", list("x"), list("y"), list("x", "z"), false, list("z", "y")},
		{"nothing left deletes the key", list("x"), nil, list("x"), true, nil},
		{"an unreadable record value: this request's wins", list("x"), list("x", "y"), "{not json", false, list("x", "y")},
		{"an unreadable value of this request's wins", list("x"), 42, list("x", "z"), false, 42},
		{"Django's empty values are no messages", "[]", list("y"), false, false, list("y")},
	}
	for _, tc := range cases {
		got, keep := merge(tc.from, tc.own, tc.current, tc.consumed)
		if keep != (tc.want != nil) || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: merged to %v (keep %v), want %v", tc.name, got, keep, tc.want)
		}
	}
}
