package ginsession

// Codec turns a session's values into the bytes a store keeps, and back.
//
// keys gives the order of the top-level entries (the order they were first
// set, as in a Python dict); Decode returns them in stored order. Encode
// must fail, naming the key, for a value it cannot represent: it never drops
// a value silently. Decode returns an error for data it cannot read; the
// session then starts empty and a warning is logged, as Django does with
// corrupt session data.
//
// The codecs of this package, JSONCodec and DjangoCodec's, are given a
// session's values directly. Any other codec, one that embeds JSONCodec
// included, is handed a map: the session's own once it has more than a few
// entries, one made for the call before that. Encode must not keep or
// change it; the map Decode returns becomes the session's.
type Codec interface {
	Encode(keys []string, values map[string]any) ([]byte, error)
	Decode(data []byte) (keys []string, values map[string]any, err error)
}

// setCodec is a Codec of this package, which reads and writes a session's
// valueSet directly: a custom Codec is handed a map, which a small session
// does not otherwise have.
type setCodec interface {
	// encodeSet is Encode of values.
	encodeSet(values *valueSet) ([]byte, error)
	// decodeSet is Decode into dst, whose entries it replaces; on an error
	// dst is left empty. With alias, strings may point into data, which
	// nobody will change.
	decodeSet(data []byte, alias bool, dst *valueSet) error
}

// encodeMap is c's Encode of a caller's keys and map.
func encodeMap(c setCodec, keys []string, values map[string]any) ([]byte, error) {
	vs := valueSet{keys: keys, m: values}
	if values == nil {
		vs.m = noValues
	}
	return c.encodeSet(&vs)
}

// decodeMap is c's Decode into a caller's keys and map.
func decodeMap(c setCodec, data []byte) ([]string, map[string]any, error) {
	vs := new(valueSet)
	if err := c.decodeSet(data, false, vs); err != nil {
		return nil, nil, err
	}
	return vs.orderedKeys(), vs.toMap(), nil
}

// setCodecOf returns c as a setCodec when it is JSONCodec or DjangoCodec's,
// and nil for any other. The type must match exactly: a caller's codec that
// embeds JSONCodec to change Encode or Decode has the promoted methods of
// setCodec too, and must still be called through its own.
func setCodecOf(c Codec) setCodec {
	switch c := c.(type) {
	case JSONCodec:
		return c
	case *JSONCodec:
		if c != nil {
			return JSONCodec{}
		}
	case *djangoCodec:
		return c
	}
	return nil
}
