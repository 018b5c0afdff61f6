// Package pyjson writes JSON text the way Python's json.dumps does by
// default (ensure_ascii): every character outside printable ASCII escaped as
// \uXXXX. Django writes session data and messages that way, so text written
// here is byte for byte what Django writes for the same values.
package pyjson

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// AppendString appends s quoted the way Python's json.dumps does by default:
// short escapes for the usual control characters, \u00XX for the others,
// and \uXXXX (surrogate pairs above U+FFFF) for everything outside ASCII.
// It reports false for invalid UTF-8, which JSON cannot hold (encoding/json
// would silently write U+FFFD, merging different strings into one).
func AppendString(buf []byte, s string) ([]byte, bool) {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		if i = plainRun(s, i); i == len(s) {
			break
		}
		c := s[i]
		buf = append(buf, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			default:
				buf = AppendU4(buf, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return buf, false
		}
		buf = AppendEscapedRune(buf, r)
		i += size
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"'), true
}

// AppendEscapedRune appends r as \uXXXX, a surrogate pair above U+FFFF.
func AppendEscapedRune(buf []byte, r rune) []byte {
	if r > 0xffff {
		r1, r2 := utf16.EncodeRune(r)
		return AppendU4(AppendU4(buf, r1), r2)
	}
	return AppendU4(buf, r)
}

// AppendU4 appends the escape \uXXXX of r, which is at most U+FFFF.
func AppendU4(buf []byte, r rune) []byte {
	return append(buf, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// plainRun returns the index of the first byte of s from i on that
// AppendString must escape (a quote, a backslash, a control character,
// DEL or a non-ASCII byte), len(s) if none. A byte-by-byte loop was most
// of the cost of saving a session of long strings (the "Growth" rows of
// BENCHMARKS.md), so it looks for the quote and the backslash with
// strings.IndexByte and for the others eight bytes at a time, a window at a
// time, so that the work stays proportional to the string however thick
// the escapes come.
func plainRun(s string, i int) int {
	const window = 256
	for i < len(s) {
		end := min(i+window, len(s))
		stop := end
		if q := strings.IndexByte(s[i:end], '"'); q >= 0 {
			stop = i + q
		}
		if e := strings.IndexByte(s[i:stop], '\\'); e >= 0 {
			stop = i + e
		}
		if j := controlOrHigh(s, i, stop); j < stop || stop < end {
			return j
		}
		i = end
	}
	return i
}

// controlOrHigh returns the index of the first byte of s[i:stop] under
// 0x20 or over 0x7e, stop if none.
func controlOrHigh(s string, i, stop int) int {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	// A byte's high bit is set when it is over 0x7f, DEL (plus one), or
	// under 0x20 (minus 0x20, a borrow); a carry or borrow can set a later
	// byte's too, but only after one that matched, and the bytes are then
	// looked at one by one. Four words a turn, or-ed before one branch.
	special := func(i int) uint64 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		return (x-0x20*ones)&^x | (x + ones) | x
	}
	for ; i+32 <= stop; i += 32 {
		if (special(i)|special(i+8)|special(i+16)|special(i+24))&high != 0 {
			break
		}
	}
	for ; i+8 <= stop; i += 8 {
		if special(i)&high != 0 {
			break
		}
	}
	for ; i < stop; i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return i
		}
	}
	return stop
}
