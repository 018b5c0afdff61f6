package ginsession

import (
	"testing"
	"unsafe"
)

// TestSessionStaysSmall: every request allocates a Session, used or not, so
// its size is part of the cost of an untouched request (the "untouched"
// rows of BENCHMARKS.md); what only a used session needs belongs in
// sessionData.
func TestSessionStaysSmall(t *testing.T) {
	if n := unsafe.Sizeof(Session{}); n > 96 {
		t.Fatalf("Session is %d bytes, over the 96-byte size class; move what an untouched request does not need into sessionData", n)
	}
}
