package lincheck

import (
	"fmt"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Shrink returns a small illegal sub-history of an illegal history, found by
// keeping its first illegal partition and dropping chunks of operations as
// long as what is left stays illegal and self-contained (every key a
// request sent and every value a read saw was made by a request left in):
// the history to keep as a regression test. It returns nil if the history
// is legal.
func Shrink(h []porcupine.Operation) []porcupine.Operation {
	illegal := func(h []porcupine.Operation) bool {
		return closed(h) && porcupine.CheckOperationsTimeout(Model, h, 10*time.Second) == porcupine.Illegal
	}
	var cur []porcupine.Operation
	for _, p := range Model.Partition(h) {
		if illegal(p) {
			cur = p
			break
		}
	}
	if cur == nil {
		return nil
	}
	for chunk := len(cur) / 2; chunk >= 1; chunk /= 2 {
		for i := 0; i < len(cur); {
			try := append(append([]porcupine.Operation(nil), cur[:i]...), cur[min(i+chunk, len(cur)):]...)
			if illegal(try) {
				cur = try
			} else {
				i += chunk
			}
		}
	}
	return cur
}

// Format lists a history, one operation a line, by call time.
func Format(h []porcupine.Operation) string {
	var b strings.Builder
	for _, op := range h {
		fmt.Fprintf(&b, "[%d, %d] client %d: %s\n", op.Call, op.Return, op.ClientId, Describe(op.Input.(Input), op.Output.(Output)))
	}
	return b.String()
}

// closed reports whether every key sent and every value read in h was made
// by an operation of h.
func closed(h []porcupine.Operation) bool {
	keys := map[string]bool{}
	var values [NumKeys]map[string]bool
	for i := range values {
		values[i] = map[string]bool{}
	}
	for _, op := range h {
		in := op.Input.(Input)
		if in.Kind != Write {
			continue
		}
		keys[op.Output.(Output).NewKey] = true
		for i, c := range in.Changes {
			if c != nil && !c.Delete {
				values[i][c.Value] = true
			}
		}
	}
	for _, op := range h {
		in, out := op.Input.(Input), op.Output.(Output)
		if in.Key != "" && !keys[in.Key] {
			return false
		}
		for i, v := range out.Values {
			if v != "" && !values[i][v] {
				return false
			}
		}
	}
	return true
}

// Explain says where an illegal history fails: in the partition that could
// not be linearized, the longest linearization Porcupine found, the state
// it ends in, and the operation with the earliest return among those it
// could not place, which no order of the rest explains.
func Explain(h []porcupine.Operation, info porcupine.LinearizationInfo) string {
	parts := Model.Partition(h)
	var b strings.Builder
	for p, lins := range info.PartialLinearizationsOperations() {
		if p >= len(parts) {
			break
		}
		var longest []porcupine.Operation
		for _, l := range lins {
			if len(l) > len(longest) {
				longest = l
			}
		}
		if len(longest) == len(parts[p]) {
			continue
		}
		s := State{}
		for _, op := range longest {
			_, s = Step(s, op.Input.(Input), op.Output.(Output))
		}
		in := map[porcupine.Operation]bool{}
		placed := func(op porcupine.Operation) bool {
			for _, l := range longest {
				if l.Call == op.Call && l.ClientId == op.ClientId && l.Input.(Input).Kind == op.Input.(Input).Kind {
					return true
				}
			}
			return false
		}
		_ = in
		var stuck *porcupine.Operation
		for i, op := range parts[p] {
			if !placed(op) && (stuck == nil || op.Return < stuck.Return) {
				stuck = &parts[p][i]
			}
		}
		fmt.Fprintf(&b, "partition %d: %d of %d operations linearized; state then: %s\n", p, len(longest), len(parts[p]), Model.DescribeState(s))
		fmt.Fprintf(&b, "last linearized:\n%s", Format(longest[max(0, len(longest)-12):]))
		if stuck != nil {
			fmt.Fprintf(&b, "cannot place: %s", Format([]porcupine.Operation{*stuck}))
			fmt.Fprintf(&b, "operations overlapping it:\n")
			for _, op := range parts[p] {
				if op.Call <= stuck.Return && op.Return >= stuck.Call && op != *stuck {
					b.WriteString(Format([]porcupine.Operation{op}))
				}
			}
		}
	}
	return b.String()
}
