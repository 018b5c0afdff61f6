package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/go-redis/redis/v8"
)

// Redis7ClusterOptions returns a copy of o with which a go-redis v8
// ClusterClient works against Redis 7 and later.
//
// go-redis v8 cannot read two replies that Redis 7 extended: CLUSTER SLOTS
// (a fourth, metadata element per node: "got 4 elements in cluster info
// address, expected 2 or 3", go-redis issue #2085) and COMMAND (ten fields
// per command instead of six or seven). Without the first the client cannot
// learn the slot map at all; without the second it cannot compute a key's
// slot, and it asks for COMMAND again before every command, fails to parse
// the reply and drops the connection.
//
// The copy learns the slot map from CLUSTER NODES (a text reply unchanged
// since Redis 3) unless o.ClusterSlots is already set, and gives each node
// client a hook that answers the client's COMMAND request by sending COMMAND
// as a generic command and reading the fields v8 needs. Both work with Redis
// 6 as well, so the options need not depend on the server's version.
func Redis7ClusterOptions(o *redis.ClusterOptions) *redis.ClusterOptions {
	c := *o
	if c.ClusterSlots == nil {
		seeds := append([]string(nil), o.Addrs...)
		c.ClusterSlots = func(ctx context.Context) ([]redis.ClusterSlot, error) {
			return slotsFromClusterNodes(ctx, &c, seeds)
		}
	}
	newClient := o.NewClient
	if newClient == nil {
		newClient = redis.NewClient
	}
	c.NewClient = func(opt *redis.Options) *redis.Client {
		cl := newClient(opt)
		cl.AddHook(commandInfoHook{cl})
		return cl
	}
	return &c
}

// slotsFromClusterNodes asks the seeds, in turn, for CLUSTER NODES.
func slotsFromClusterNodes(ctx context.Context, o *redis.ClusterOptions, seeds []string) ([]redis.ClusterSlot, error) {
	var errs []error
	for _, addr := range seeds {
		cl := redis.NewClient(&redis.Options{
			Addr: addr, Dialer: o.Dialer, Username: o.Username, Password: o.Password,
			TLSConfig: o.TLSConfig, DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout,
			WriteTimeout: o.WriteTimeout, MaxRetries: -1, PoolSize: 1,
		})
		text, err := cl.ClusterNodes(ctx).Result()
		cl.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
			continue
		}
		host, _, _ := net.SplitHostPort(addr)
		slots, err := parseClusterNodes(text, host)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", addr, err))
			continue
		}
		return slots, nil
	}
	return nil, fmt.Errorf("redisstore: CLUSTER NODES: %w", errors.Join(errs...))
}

// parseClusterNodes turns a CLUSTER NODES reply into the slot map: each
// slot range of a healthy master, with the master first and its replicas
// after it. seedHost fills in the address of a node that does not know its
// own IP yet (":port").
func parseClusterNodes(text, seedHost string) ([]redis.ClusterSlot, error) {
	type master struct {
		node   redis.ClusterNode
		ranges [][2]int
	}
	var masters []*master
	replicas := map[string][]redis.ClusterNode{}
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		addr, _, _ := strings.Cut(f[1], "@")
		addr, _, _ = strings.Cut(addr, ",")
		if strings.HasPrefix(addr, ":") {
			addr = seedHost + addr
		}
		flags := "," + f[2] + ","
		if strings.Contains(flags, ",fail,") || strings.Contains(flags, ",noaddr,") || strings.Contains(flags, ",handshake,") {
			continue
		}
		node := redis.ClusterNode{ID: f[0], Addr: addr}
		if !strings.Contains(flags, ",master,") {
			replicas[f[3]] = append(replicas[f[3]], node)
			continue
		}
		m := &master{node: node}
		for _, s := range f[8:] {
			if strings.HasPrefix(s, "[") { // a slot being migrated or imported
				continue
			}
			a, b, isRange := strings.Cut(s, "-")
			lo, err := strconv.Atoi(a)
			if err != nil {
				return nil, fmt.Errorf("bad slot %q", s)
			}
			hi := lo
			if isRange {
				if hi, err = strconv.Atoi(b); err != nil {
					return nil, fmt.Errorf("bad slot %q", s)
				}
			}
			m.ranges = append(m.ranges, [2]int{lo, hi})
		}
		masters = append(masters, m)
	}
	var slots []redis.ClusterSlot
	for _, m := range masters {
		nodes := append([]redis.ClusterNode{m.node}, replicas[m.node.ID]...)
		for _, r := range m.ranges {
			slots = append(slots, redis.ClusterSlot{Start: r[0], End: r[1], Nodes: nodes})
		}
	}
	if len(slots) == 0 {
		return nil, errors.New("no master serves any slot")
	}
	return slots, nil
}

// errHandled stops v8's own COMMAND request before it reaches the wire;
// AfterProcess then fills in the reply.
var errHandled = errors.New("redisstore: COMMAND answered by hook")

// commandInfoHook answers a node client's COMMAND request (a
// *redis.CommandsInfoCmd, whose parser Redis 7's reply breaks) by sending
// COMMAND as a generic command and keeping the fields v8 uses.
type commandInfoHook struct{ client *redis.Client }

func (h commandInfoHook) BeforeProcess(ctx context.Context, cmd redis.Cmder) (context.Context, error) {
	if _, ok := cmd.(*redis.CommandsInfoCmd); ok {
		return ctx, errHandled
	}
	return ctx, nil
}

func (h commandInfoHook) AfterProcess(ctx context.Context, cmd redis.Cmder) error {
	ci, ok := cmd.(*redis.CommandsInfoCmd)
	if !ok || !errors.Is(ci.Err(), errHandled) {
		return nil
	}
	raw, err := h.client.Do(ctx, "command").Slice()
	if err != nil {
		ci.SetErr(err)
		return nil
	}
	ci.SetVal(commandInfos(raw))
	ci.SetErr(nil)
	return nil
}

func (h commandInfoHook) BeforeProcessPipeline(ctx context.Context, _ []redis.Cmder) (context.Context, error) {
	return ctx, nil
}

func (h commandInfoHook) AfterProcessPipeline(context.Context, []redis.Cmder) error { return nil }

// commandInfos reads the first six fields (and the ACL categories, when
// present) of each COMMAND entry, which every Redis since 2.8 sends in this
// order.
func commandInfos(raw []any) map[string]*redis.CommandInfo {
	out := make(map[string]*redis.CommandInfo, len(raw))
	for _, e := range raw {
		f, ok := e.([]any)
		if !ok || len(f) < 6 {
			continue
		}
		name, _ := f[0].(string)
		info := &redis.CommandInfo{Name: strings.ToLower(name)}
		arity, _ := f[1].(int64)
		first, _ := f[3].(int64)
		last, _ := f[4].(int64)
		step, _ := f[5].(int64)
		info.Arity, info.FirstKeyPos, info.LastKeyPos, info.StepCount = int8(arity), int8(first), int8(last), int8(step)
		info.Flags = strs(f[2])
		for _, fl := range info.Flags {
			if fl == "readonly" {
				info.ReadOnly = true
			}
		}
		if len(f) > 6 {
			info.ACLFlags = strs(f[6])
		}
		out[info.Name] = info
	}
	return out
}

func strs(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
