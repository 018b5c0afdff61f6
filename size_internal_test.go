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

// TestSessionDataStaysSmall: every request that uses the session allocates
// its sessionData, holding a small session's values too (values.go); the
// next size class up is 352 bytes.
func TestSessionDataStaysSmall(t *testing.T) {
	if n := unsafe.Sizeof(sessionData{}); n > 320 {
		t.Fatalf("sessionData is %d bytes, over the 320-byte size class", n)
	}
}
