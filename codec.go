package ginsession

import (
	"fmt"

	"github.com/ginsession/ginsession/internal/pyjson"
)

// Codec turns a session's values into the bytes a store keeps, and back.
//
// keys gives the order of the top-level entries (the order they were first
// set, as in a Python dict); Decode returns them in stored order. Encode
// must fail, naming the key, for a value it cannot represent: it never drops
// a value silently. Decode returns an error for data it cannot read; the
// session then starts empty and a warning is logged, as Django does with
// corrupt session data.
//
// Encode is handed the session's own map and must not keep or change it;
// the map Decode returns becomes the session's.
type Codec interface {
	Encode(keys []string, values map[string]any) ([]byte, error)
	Decode(data []byte) (keys []string, values map[string]any, err error)
}

// JSONCodec is the default codec: compact JSON that Django's JSONSerializer
// reads as it is (top-level keys in insertion order, every non-ASCII
// character escaped as \uXXXX, no HTML escaping).
//
// Whatever Encode accepts, Decode returns with the same meaning: integers
// come back as int (uint64 above math.MaxInt64, and a [json.Number] holding
// the exact digits beyond 64 bits, as Python writes 2**70), so a value set as
// 42 reads back as 42 and not 42.0, and no integer is ever rounded. Floats
// come back as float64, nested objects as map[string]any and arrays as
// []any; [Get] converts them to the caller's type. Encode fails the save
// with an error naming the key, rather than store something that would read
// back different or not at all: values JSON cannot hold (channels,
// functions, NaN, ...), strings or map keys that are not valid UTF-8 (JSON
// would hold U+FFFD instead, and two such keys would merge into one), and
// values nesting more than 200 arrays and objects, which Decode refuses
// too. Values other than the JSON shapes go through encoding/json and are
// checked the same way on its output; as encoding/json writes invalid UTF-8
// as the escape \ufffd, a [json.Marshaler] that writes that escape itself
// is refused (write the character U+FFFD instead).
type JSONCodec struct{}

// Encode implements Codec.
func (JSONCodec) Encode(keys []string, values map[string]any) ([]byte, error) {
	data, err := pyjson.EncodeObject(keys, values)
	if err != nil {
		return nil, fmt.Errorf("ginsession: %w", err)
	}
	return data, nil
}

// Decode implements Codec.
func (JSONCodec) Decode(data []byte) ([]string, map[string]any, error) {
	keys, values, err := pyjson.DecodeObject(data)
	if err != nil {
		return nil, nil, fmt.Errorf("ginsession: %w", err)
	}
	return keys, values, nil
}

// isJSONCodec reports whether c produces plain JSON (what client-side
// stores sign themselves).
func isJSONCodec(c Codec) bool {
	switch c.(type) {
	case JSONCodec, *JSONCodec:
		return true
	}
	return false
}
