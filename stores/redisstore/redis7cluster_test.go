package redisstore

import (
	"reflect"
	"testing"

	"github.com/go-redis/redis/v8"
)

func TestParseClusterSlots(t *testing.T) {
	// A Redis 7 reply: four elements per node (the last a map v8 cannot
	// read), a master with a replica, a master serving two ranges, and a
	// node that does not know its IP yet.
	meta := map[any]any{}
	reply := []any{
		[]any{int64(0), int64(5460), []any{"127.0.0.1", int64(7301), "a1", meta}, []any{"127.0.0.1", int64(7304), "r4", meta}},
		[]any{int64(5461), int64(10922), []any{"127.0.0.1", int64(7302), "b2", meta}},
		[]any{int64(16000), int64(16000), []any{"127.0.0.1", int64(7302), "b2", meta}},
		[]any{int64(10923), int64(15999), []any{"", int64(7303), "c3", meta}},
	}
	got, err := parseClusterSlots(reply, "10.0.0.9")
	if err != nil {
		t.Fatal(err)
	}
	a := []redis.ClusterNode{{ID: "a1", Addr: "127.0.0.1:7301"}, {ID: "r4", Addr: "127.0.0.1:7304"}}
	b := []redis.ClusterNode{{ID: "b2", Addr: "127.0.0.1:7302"}}
	c := []redis.ClusterNode{{ID: "c3", Addr: "10.0.0.9:7303"}}
	want := []redis.ClusterSlot{
		{Start: 0, End: 5460, Nodes: a},
		{Start: 5461, End: 10922, Nodes: b},
		{Start: 16000, End: 16000, Nodes: b},
		{Start: 10923, End: 15999, Nodes: c},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseClusterSlots =\n%v\nwant\n%v", got, want)
	}
	if _, err := parseClusterSlots(nil, ""); err == nil {
		t.Error("an empty reply gave a slot map")
	}
	for name, bad := range map[string][]any{
		"a range without nodes":    {[]any{int64(0), int64(1)}},
		"a range that is text":     {[]any{"0", int64(1), []any{"127.0.0.1", int64(7301), "a1"}}},
		"a node without an ID":     {[]any{int64(0), int64(1), []any{"127.0.0.1", int64(7301)}}},
		"a port that is text":      {[]any{int64(0), int64(1), []any{"127.0.0.1", "7301", "a1"}}},
		"a range that is no array": {"garbage"},
	} {
		if _, err := parseClusterSlots(bad, ""); err == nil {
			t.Errorf("%s was accepted", name)
		}
	}
}

func TestCommandInfos(t *testing.T) {
	// Redis 7's shape: ten fields; v8 needs the first six and the ACL flags.
	raw := []any{
		[]any{"get", int64(2), []any{"readonly", "fast"}, int64(1), int64(1), int64(1), []any{"@read", "@string"}, []any{}, []any{}, []any{}},
		[]any{"ping", int64(-1), []any{"fast"}, int64(0), int64(0), int64(0)},
		"garbage",
	}
	got := commandInfos(raw)
	if g := got["get"]; g == nil || g.FirstKeyPos != 1 || !g.ReadOnly || g.Arity != 2 || len(g.ACLFlags) != 2 {
		t.Errorf("get = %+v", g)
	}
	if p := got["ping"]; p == nil || p.FirstKeyPos != 0 || p.ReadOnly {
		t.Errorf("ping = %+v", p)
	}
	if len(got) != 2 {
		t.Errorf("%d entries, want 2", len(got))
	}
}
