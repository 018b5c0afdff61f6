package memstore

import (
	"bytes"
	"strings"
	"unsafe"
)

// record is a record's header. It is held by pointer so Update and Touch
// change it in place, which neither re-stores the map key (keeping the
// caller's string alive) nor reallocates the data when the new data fits.
//
// Data of up to 224 bytes lives in the record's own allocation, right after
// the header (record32, record96, record224), and such a record holds no
// pointer: the garbage collector marks it without scanning it, so a store
// of many sessions costs every collection that much less, and a new
// session one allocation (the memory "new" rows of BENCHMARKS.md). Larger
// data is in an array of its own (extRecord).
type record struct {
	expiry int64 // Unix nanoseconds
	n      int32 // bytes of data in the room after the header; -1 in an extRecord
	room   int32 // the room's size
}

// extRecord is a record whose data is an array of its own.
type extRecord struct {
	record
	data []byte
}

// Records with room for their data. The sizes make whole allocation size
// classes (48, 112 and 240 bytes).
type (
	record32 struct {
		record
		buf [32]byte
	}
	record96 struct {
		record
		buf [96]byte
	}
	record224 struct {
		record
		buf [224]byte
	}
)

const headerSize = unsafe.Sizeof(record{})

// newRecord returns a record holding a copy of data.
func newRecord(data []byte, expiry int64) *record {
	var r *record
	switch n := len(data); {
	case n <= 32:
		x := new(record32)
		r, x.room = &x.record, int32(len(x.buf))
	case n <= 96:
		x := new(record96)
		r, x.room = &x.record, int32(len(x.buf))
	case n <= 224:
		x := new(record224)
		r, x.room = &x.record, int32(len(x.buf))
	default:
		x := &extRecord{record: record{expiry: expiry, n: -1}, data: bytes.Clone(data)}
		return &x.record
	}
	r.expiry, r.n = expiry, int32(copy(r.roomBytes(), data))
	return r
}

// roomBytes is the room after a record's header (none in an extRecord).
func (r *record) roomBytes() []byte {
	return unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(r), headerSize)), r.room)
}

// bytes returns the record's data: its own, which a caller copies before
// handing it out, unless it is an array of sharedFrom bytes or more, which
// is never written again (see reuse).
func (r *record) bytes() []byte {
	if r.n < 0 {
		return (*extRecord)(unsafe.Pointer(r)).data
	}
	return r.roomBytes()[:r.n]
}

// store makes a copy of data and expiry the record's, returning the record
// that holds them: r itself when its room or array can, otherwise a new one
// that the caller puts in r's place (shard.replace).
func (r *record) store(data []byte, expiry int64) *record {
	switch {
	case r.n >= 0 && len(data) <= int(r.room):
		r.n, r.expiry = int32(copy(r.roomBytes(), data)), expiry
		return r
	case r.n < 0:
		x := (*extRecord)(unsafe.Pointer(r))
		x.data, x.expiry = reuse(x.data, data), expiry
		return r
	}
	return newRecord(data, expiry)
}

// replace puts now in old's place under key, when they differ. The key is
// copied, since storing under an existing key keeps the new string: the
// caller's might be part of a larger one (a cookie header). The shard is
// locked.
func (sh *shard) replace(key string, old, now *record) {
	if now != old {
		sh.m[strings.Clone(key)] = now
	}
}
