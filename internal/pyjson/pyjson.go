// Package pyjson reads and writes session data as JSON the way Python's json
// module does for Django: an object whose keys keep their order, integers
// that stay integers of any size, floats that stay floats, and, on output,
// every character outside printable ASCII escaped as \uXXXX (json.dumps's
// default ensure_ascii), so that what is written here is byte for byte what
// Django writes for the same values.
//
// Whatever EncodeObject accepts, DecodeObject returns with the same meaning;
// a value that would not come back equal is refused with an error naming its
// key (values JSON cannot hold, invalid UTF-8, too deep a nesting, a number
// that could not be read back).
package pyjson

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is the most arrays and objects a session value may nest: []
// nests 1, [[1],{}] nests 2, a scalar 0. EncodeObject and DecodeObject apply
// this one rule, so whatever saves also loads; on decode it also keeps
// hostile input from exhausting the stack.
const MaxDepth = 200

// Errors of EncodeObject, wrapped with the key of the value that caused them.
var (
	ErrTooDeep    = fmt.Errorf("value nests more than %d arrays and objects, which could not be loaded again", MaxDepth)
	ErrNotUTF8    = errors.New("string is not valid UTF-8 (JSON would hold U+FFFD instead)")
	ErrKeyNotUTF8 = errors.New("key is not valid UTF-8 (JSON would hold U+FFFD instead, and could merge it with another key)")
	ErrBadNumber  = errors.New("not a JSON number that could be loaded again")
)

const hexDigits = "0123456789abcdef"

// AppendString appends s quoted the way Python's json.dumps does by default:
// short escapes for the usual control characters, \u00XX for the others and
// DEL, and \uXXXX (surrogate pairs above U+FFFF) for everything outside
// ASCII. It reports false for invalid UTF-8, which JSON cannot hold
// (encoding/json would silently write U+FFFD, merging different strings).
func AppendString(buf []byte, s string) ([]byte, bool) {
	buf = append(buf, '"')
	start := 0 // s[start:i] is waiting to be copied as it is
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		buf = append(buf, s[start:i]...)
		switch e := strings.IndexByte("\"\\\n\r\t\b\f", c); {
		case e >= 0: // a short escape: \" \\ \n \r \t \b \f
			buf = append(buf, '\\', `"\nrtbf`[e])
		case c <= 0x7f:
			buf = appendU4(buf, rune(c))
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return buf, false
			}
			if r > 0xffff {
				r1, r2 := utf16.EncodeRune(r)
				buf = appendU4(buf, r1)
				r = r2
			}
			buf = appendU4(buf, r)
			i += size - 1
		}
		i++
		start = i
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"'), true
}

// appendU4 appends the escape \uXXXX of r, which is at most U+FFFF.
func appendU4(buf []byte, r rune) []byte {
	return append(buf, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}
