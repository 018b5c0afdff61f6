// Package pyjson writes JSON text the way Python's json.dumps does by
// default (ensure_ascii): every character outside printable ASCII escaped as
// \uXXXX. Django writes session data and messages that way, so text written
// here is byte for byte what Django writes for the same values.
package pyjson

import (
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
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
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
