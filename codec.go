package ginsession

// Codec turns a session's values into the bytes a store keeps, and back.
//
// keys gives the order of the top-level entries (the order they were first
// set, as in a Python dict); Decode returns them in stored order. Encode
// must fail, naming the key, for a value it cannot represent: it never drops
// a value silently. Decode returns an error for data it cannot read; the
// session then starts empty and a warning is logged, as Django does with
// corrupt session data.
type Codec interface {
	Encode(keys []string, values map[string]any) ([]byte, error)
	Decode(data []byte) (keys []string, values map[string]any, err error)
}
