// Package pickle reads and writes the small, safe part of Python's pickle
// format that Django's cache session engine needs: a dict with string keys
// whose values are str, int (of any size), float, bool, None, list, tuple
// and dict, and a datetime as a top-level value (Django 3.2 to 4.x put one
// under _session_expiry).
//
// It is not a general unpickler. It interprets the opcodes Python writes for
// those types at protocols 2 to 5 and refuses everything else with an error
// wrapping [ErrRefused]: a class, a global other than the handful a
// datetime is made of, a reduce of anything but those, BUILD, INST, OBJ,
// NEWOBJ, persistent ids, extensions, sets, bytes, buffers, protocol 0 and
// 1 text opcodes. Nothing is ever instantiated or called: even a datetime
// is read by checking the exact shape Python gives it and reading its
// fields. Truncated or malformed input is an error wrapping [ErrCorrupt],
// never a panic.
//
// Written pickles are protocol 4 without frames, which every Python 3 reads
// (framing is optional for readers).
//
// Decoded values have the Go shapes of ginsession's JSON codec: int (uint64
// above math.MaxInt64, a [json.Number] of the exact digits beyond 64 bits),
// float64, string, bool, nil, []any for a list, [Tuple] for a tuple,
// map[string]any for a dict, [DateTime] for a datetime.
package pickle

import (
	"errors"
)

// ErrCorrupt reports data that is not a complete, well-formed pickle.
var ErrCorrupt = errors.New("pickle: corrupt data")

// ErrRefused reports a well-formed pickle holding something outside the
// allowed set (a class, a reduce, bytes, a set, ...). It wraps ErrCorrupt:
// to the caller both are data it cannot use.
var ErrRefused = &refusedError{}

type refusedError struct{}

func (*refusedError) Error() string        { return "pickle: refused: not a plain session value" }
func (*refusedError) Is(target error) bool { return target == ErrCorrupt }

// Tuple is a Python tuple. It reads back as a tuple, where a []any is a
// list, so a tuple Django stored is still one when Go writes it back.
type Tuple []any

// MaxDepth is how deeply lists, tuples and dicts may nest, counted as
// ginsession's JSON codec counts (a scalar 0, [] 1, [[1]] 2): the same
// limit, so a session that loads here also saves as JSON.
const MaxDepth = 200

// maxNodes bounds the values a decode produces beyond one per input byte:
// a pickle may refer to one list many times over (memo), and a few
// hundred bytes of such references would otherwise expand to billions of
// values.
const maxNodes = 1 << 20

// Opcodes used here, named as in Python's pickletools.
const (
	opMark            = '('
	opStop            = '.'
	opPop             = '0'
	opPopMark         = '1'
	opBinInt          = 'J'
	opBinInt1         = 'K'
	opBinInt2         = 'M'
	opNone            = 'N'
	opBinUnicode      = 'X'
	opAppend          = 'a'
	opAppends         = 'e'
	opBinGet          = 'h'
	opLongBinGet      = 'j'
	opBinPut          = 'q'
	opLongBinPut      = 'r'
	opEmptyList       = ']'
	opEmptyDict       = '}'
	opEmptyTuple      = ')'
	opSetItem         = 's'
	opSetItems        = 'u'
	opTuple           = 't'
	opBinFloat        = 'G'
	opGlobal          = 'c'
	opReduce          = 'R'
	opBinBytes        = 'B'
	opShortBinBytes   = 'C'
	opProto           = 0x80
	opTuple1          = 0x85
	opTuple2          = 0x86
	opTuple3          = 0x87
	opNewTrue         = 0x88
	opNewFalse        = 0x89
	opLong1           = 0x8a
	opLong4           = 0x8b
	opShortBinUnicode = 0x8c
	opBinUnicode8     = 0x8d
	opBinBytes8       = 0x8e
	opStackGlobal     = 0x93
	opMemoize         = 0x94
	opFrame           = 0x95
)
