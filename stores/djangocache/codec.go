package djangocache

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"maps"

	"github.com/ginsession/ginsession/internal/pickle"
)

// Codec is ginsession.Codec, restated here so that this package, like
// every store, does not import ginsession: any ginsession.Codec is one,
// and the codecs of this package are ginsession.Codecs.
type Codec interface {
	Encode(keys []string, values map[string]any) ([]byte, error)
	Decode(data []byte) (keys []string, values map[string]any, err error)
}

// ErrCorrupt reports session data PickleCodec or Zlib cannot read: not a
// pickle, a truncated one, or one holding something other than plain
// values. ginsession then starts the session empty and logs a warning.
var ErrCorrupt = pickle.ErrCorrupt

// Tuple is a Python tuple, as PickleCodec reads one: set a Tuple to store a
// tuple. (A []any is a list.)
type Tuple = pickle.Tuple

// expiryKey is where Django keeps a custom expiry (set_expiry).
const expiryKey = "_session_expiry"

// PickleCodec writes a session as the Python pickle of its dict, as
// django-redis's default serializer and Django's RedisCache store it, and
// reads what they write (protocols 2 to 5).
//
// It reads and writes only plain values: a dict with str keys whose values
// are str, int (of any size), float, bool, None, list, tuple and dict (in
// Go: the shapes of ginsession.JSONCodec, with [Tuple] for a tuple). Any
// other Go value is written as what encoding/json makes of it, as
// JSONCodec stores it. A pickle holding anything else (an instance of a
// class, a set, bytes, a reduce of any function) is refused with
// [ErrCorrupt] and never run.
//
// The one exception is Django's own: set_expiry(datetime or timedelta)
// puts a datetime under _session_expiry (Django 3.2 to 4.x). PickleCodec
// reads it as the ISO 8601 string ginsession's SetExpiryAt stores, and
// writes such a string (Python's isoformat, exactly) under _session_expiry
// as a datetime, with a datetime.timezone offset, which every Django reads.
// A datetime anywhere else is refused as corrupt.
type PickleCodec struct{}

// DjangoOption answers [stores.SharedWithDjango].
func (PickleCodec) DjangoOption() string { return "djangocache.PickleCodec" }

// Encode implements Codec.
func (PickleCodec) Encode(keys []string, values map[string]any) ([]byte, error) {
	if s, ok := values[expiryKey].(string); ok {
		if d, ok := pickle.ParseISO(s); ok {
			values = maps.Clone(values) // the caller's map is not ours to change
			values[expiryKey] = d
		}
	}
	data, err := pickle.EncodeDict(keys, values)
	if err != nil {
		return nil, fmt.Errorf("djangocache: %w", err)
	}
	return data, nil
}

// Decode implements Codec.
func (PickleCodec) Decode(data []byte) ([]string, map[string]any, error) {
	keys, values, err := pickle.DecodeDict(data)
	if err != nil {
		return nil, nil, fmt.Errorf("djangocache: %w", err)
	}
	for k, v := range values {
		if d, ok := v.(pickle.DateTime); ok {
			if k != expiryKey {
				return nil, nil, fmt.Errorf("djangocache: %w: a datetime under %q (only %s holds one)", pickle.ErrRefused, k, expiryKey)
			}
			values[k] = d.ISO()
		}
	}
	return keys, values, nil
}

// zlibMinLength is django-redis's ZlibCompressor.min_length: it compresses
// only data longer than this.
const zlibMinLength = 15

// maxInflated bounds what Zlib inflates, so that a small record cannot
// expand into gigabytes (Redis itself holds at most 512 MB a value).
const maxInflated = 64 << 20

// Zlib returns c with django-redis's ZlibCompressor around it: data longer
// than 15 bytes is compressed with zlib, level 6, and data that does not
// inflate is read as it is, as django-redis reads it. Data that happens to
// inflate (a short one c wrote, in a format such as zlib's) is compressed
// too, so that it reads back unchanged.
func Zlib(c Codec) Codec { return zlibCodec{c} }

type zlibCodec struct{ inner Codec }

func (z zlibCodec) Encode(keys []string, values map[string]any) ([]byte, error) {
	raw, err := z.inner.Encode(keys, values)
	if err != nil {
		return nil, err
	}
	if len(raw) <= zlibMinLength {
		if _, err := inflate(raw); err != nil {
			return raw, nil
		}
	}
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevel(&buf, 6) // a valid level
	_, _ = w.Write(raw)                  // writes to a bytes.Buffer cannot fail
	_ = w.Close()
	return buf.Bytes(), nil
}

// DjangoOption answers [stores.SharedWithDjango].
func (zlibCodec) DjangoOption() string { return "djangocache.Zlib" }

func (z zlibCodec) Decode(data []byte) ([]string, map[string]any, error) {
	raw, err := inflate(data)
	if err == errTooLarge {
		return nil, nil, fmt.Errorf("djangocache: %w: inflates beyond %d bytes", ErrCorrupt, maxInflated)
	}
	if err != nil {
		raw = data // django-redis leaves short data uncompressed
	}
	return z.inner.Decode(raw)
}

var errTooLarge = errors.New("too large")

// inflate returns the zlib stream data inflated, or an error when it is
// not one (a truncated one included).
func inflate(data []byte) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(r, maxInflated+1))
	if err != nil {
		return nil, err
	}
	if len(out) > maxInflated {
		return nil, errTooLarge
	}
	return out, r.Close()
}
