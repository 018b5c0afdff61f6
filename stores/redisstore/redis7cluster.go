package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/go-redis/redis/v8"
)

// Redis7ClusterOptions returns a copy of o with which a go-redis v8
// ClusterClient works against Redis 7 and later.
//
// go-redis v8 cannot read two replies that Redis 7 extended: CLUSTER SLOTS
// (a fourth element per node: "got 4 elements in cluster info address,
// expected 2 or 3", go-redis issue #2085), so it cannot learn the slot map,
// and COMMAND (ten fields per command instead of six or seven), so it cannot
// compute a key's slot and asks for COMMAND again before every command.
//
// The copy sends both as generic commands and reads the fields v8 needs:
// CLUSTER SLOTS for the slot map, unless o.ClusterSlots is already set, and
// COMMAND through a hook on each node client that answers the client's own
// COMMAND request. Both work with Redis 6 as well.
func Redis7ClusterOptions(o *redis.ClusterOptions) *redis.ClusterOptions {
	c := *o
	if c.ClusterSlots == nil {
		seeds := append([]string(nil), o.Addrs...)
		c.ClusterSlots = func(ctx context.Context) ([]redis.ClusterSlot, error) {
			return clusterSlots(ctx, &c, seeds)
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

// clusterSlots asks the seeds, in turn, for CLUSTER SLOTS.
func clusterSlots(ctx context.Context, o *redis.ClusterOptions, seeds []string) ([]redis.ClusterSlot, error) {
	var errs []error
	for _, addr := range seeds {
		cl := redis.NewClient(&redis.Options{
			Addr: addr, Dialer: o.Dialer, Username: o.Username, Password: o.Password,
			TLSConfig: o.TLSConfig, DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout,
			WriteTimeout: o.WriteTimeout, MaxRetries: -1, PoolSize: 1,
		})
		reply, err := cl.Do(ctx, "cluster", "slots").Slice()
		cl.Close()
		var slots []redis.ClusterSlot
		if err == nil {
			host, _, _ := net.SplitHostPort(addr)
			slots, err = parseClusterSlots(reply, host)
		}
		if err == nil {
			return slots, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", addr, err))
	}
	return nil, fmt.Errorf("redisstore: CLUSTER SLOTS: %w", errors.Join(errs...))
}

// parseClusterSlots reads a CLUSTER SLOTS reply: for each slot range its
// first and last slot, then its nodes, master first, each as IP, port, ID
// and (Redis 7) more. seedHost fills in the IP of a node that does not know
// its own yet ("").
func parseClusterSlots(reply []any, seedHost string) ([]redis.ClusterSlot, error) {
	var slots []redis.ClusterSlot
	for _, r := range reply {
		f, _ := r.([]any)
		if len(f) < 3 {
			return nil, fmt.Errorf("bad slot range %v", r)
		}
		start, ok1 := f[0].(int64)
		end, ok2 := f[1].(int64)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("bad slot range %v", r)
		}
		slot := redis.ClusterSlot{Start: int(start), End: int(end)}
		for _, n := range f[2:] {
			node, _ := n.([]any)
			if len(node) < 3 {
				return nil, fmt.Errorf("bad node %v", n)
			}
			ip, _ := node[0].(string)
			port, ok1 := node[1].(int64)
			id, ok2 := node[2].(string)
			if !ok1 || !ok2 {
				return nil, fmt.Errorf("bad node %v", n)
			}
			if ip == "" {
				ip = seedHost
			}
			slot.Nodes = append(slot.Nodes, redis.ClusterNode{ID: id, Addr: net.JoinHostPort(ip, strconv.FormatInt(port, 10))})
		}
		slots = append(slots, slot)
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
		info.ReadOnly = slices.Contains(info.Flags, "readonly")
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
