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
// reads as it is (keys in insertion order, non-ASCII escaped as \uXXXX, no
// HTML escaping).
//
// What Encode accepts, Decode returns with the same meaning: an integer
// comes back as int (uint64 above math.MaxInt64, a [json.Number] with the
// exact digits beyond 64 bits, as Python writes 2**70), never as 42.0 and
// never rounded; floats as float64, objects as map[string]any, arrays as
// []any ([Get] converts them to the caller's type). Encode fails the save,
// naming the key, rather than store what would read back different or not
// at all: values JSON cannot hold (channels, functions, NaN, ...), strings
// or map keys that are not valid UTF-8, values nesting more than 200 arrays
// and objects (Decode refuses them too), and a [json.Marshaler] that
// writes the escape \ufffd, the mark of invalid UTF-8 (write the character
// U+FFFD instead). Other values go through encoding/json, checked the same
// way on its output.
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
