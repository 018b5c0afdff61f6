package redisstore

import (
	"reflect"
	"testing"

	"github.com/go-redis/redis/v8"
)

func TestParseClusterNodes(t *testing.T) {
	// A Redis 7 reply: hostnames after a comma, a replica, a failed master,
	// a node that does not know its IP yet, a slot being migrated.
	text := `a1 127.0.0.1:7301@17301,host-a myself,master - 0 0 1 connected 0-5460 [5461->-b2]
b2 127.0.0.1:7302@17302 master - 0 1 2 connected 5461-10922 16000
c3 :7303@17303 master - 0 1 3 connected 10923-15999 16001-16383
r4 127.0.0.1:7304@17304 slave a1 0 1 1 connected
f5 127.0.0.1:7305@17305 master,fail - 0 1 5 disconnected 16000
`
	got, err := parseClusterNodes(text, "10.0.0.9")
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
		{Start: 16001, End: 16383, Nodes: c},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parseClusterNodes =\n%v\nwant\n%v", got, want)
	}
	if _, err := parseClusterNodes("", ""); err == nil {
		t.Error("an empty reply gave a slot map")
	}
	if _, err := parseClusterNodes("x 1.2.3.4:1@2 master - 0 0 1 connected 1-x\n", ""); err == nil {
		t.Error("a malformed slot range was accepted")
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
