package lincheck

import (
	"fmt"
	"strings"

	"github.com/anishathalye/porcupine"
)

// Format lists a history, one operation a line, by call time.
func Format(h []porcupine.Operation) string {
	var b strings.Builder
	for _, op := range h {
		fmt.Fprintf(&b, "[%d, %d] client %d: %s\n", op.Call, op.Return, op.ClientId, Describe(op.Input.(Input), op.Output.(Output)))
	}
	return b.String()
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
		placed := func(op porcupine.Operation) bool {
			for _, l := range longest {
				if l.Call == op.Call && l.ClientId == op.ClientId && l.Input.(Input).Kind == op.Input.(Input).Kind {
					return true
				}
			}
			return false
		}
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
