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
// Invalid UTF-8 becomes U+FFFD, as in encoding/json.
func AppendString(buf []byte, s string) []byte {
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
				buf = appendU4(buf, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		buf = appendEscapedRune(buf, r)
		i += size
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}

func appendEscapedRune(buf []byte, r rune) []byte {
	if r > 0xffff {
		r1, r2 := utf16.EncodeRune(r)
		return appendU4(appendU4(buf, r1), r2)
	}
	return appendU4(buf, r)
}

func appendU4(buf []byte, r rune) []byte {
	return append(buf, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// AppendASCII appends JSON text, escaping non-ASCII runes and DEL (which can
// only occur inside strings) as \uXXXX.
func AppendASCII(buf, js []byte) []byte {
	for i := 0; i < len(js); {
		c := js[i]
		if c < 0x7f {
			buf = append(buf, c)
			i++
			continue
		}
		if c == 0x7f {
			buf = appendU4(buf, 0x7f)
			i++
			continue
		}
		r, size := utf8.DecodeRune(js[i:])
		buf = appendEscapedRune(buf, r)
		i += size
	}
	return buf
}
