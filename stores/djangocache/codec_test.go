package djangocache_test

import (
	"bytes"
	"compress/zlib"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores/djangocache"
)

// Both codecs are ginsession codecs.
var (
	_ ginsession.Codec  = djangocache.PickleCodec{}
	_ ginsession.Codec  = djangocache.Zlib(djangocache.PickleCodec{})
	_ djangocache.Codec = ginsession.JSONCodec{}
)

func TestPickleCodecRoundTripsASession(t *testing.T) {
	keys := []string{"_auth_user_id", "cart", "pair", "big", "_session_expiry"}
	values := map[string]any{
		"_auth_user_id":   "42",
		"cart":            []any{map[string]any{"sku": "Crème", "qty": 2}},
		"pair":            djangocache.Tuple{1, "a"},
		"big":             uint64(1) << 63,
		"_session_expiry": "2026-12-07T18:00:00.123456+00:00",
	}
	c := djangocache.PickleCodec{}
	data, err := c.Encode(keys, values)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("cdatetime\ndatetime\n")) {
		t.Errorf("the expiry was not written as a datetime: %q", data)
	}
	if values["_session_expiry"] != "2026-12-07T18:00:00.123456+00:00" {
		t.Errorf("Encode changed the caller's map: %v", values["_session_expiry"])
	}
	gotKeys, got, err := c.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gotKeys, keys) || !reflect.DeepEqual(got, values) {
		t.Fatalf("Decode = %q %#v\nwant %q %#v", gotKeys, got, keys, values)
	}
}

// Only Python's isoformat under _session_expiry becomes a datetime; any
// other string stays one.
func TestOnlyAnISOExpiryIsWrittenAsADatetime(t *testing.T) {
	for _, tc := range []struct{ key, value string }{
		{"_session_expiry", "2026-12-07T18:00:00Z"},
		{"_session_expiry", "tomorrow"},
		{"when", "2026-12-07T18:00:00+00:00"},
	} {
		data, err := djangocache.PickleCodec{}.Encode([]string{tc.key}, map[string]any{tc.key: tc.value})
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("datetime")) {
			t.Errorf("%s=%q was written as a datetime", tc.key, tc.value)
		}
		if _, got, err := (djangocache.PickleCodec{}).Decode(data); err != nil || got[tc.key] != tc.value {
			t.Errorf("%s=%q read back as %#v, %v", tc.key, tc.value, got[tc.key], err)
		}
	}
}

func TestPickleCodecRefusesWhatIsNotPlainData(t *testing.T) {
	tests := map[string]string{
		"empty":              "",
		"a raw integer":      "12345",
		"JSON":               `{"a": 1}`,
		"os.system":          "\x80\x04\x95\x1e\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.",
		"a datetime as data": "\x80\x03}X\x01\x00\x00\x00acdatetime\ndatetime\nC\n\x07\xea\x01\x01\x00\x00\x00\x00\x00\x00\x85Rs.",
		"truncated":          "\x80\x04}\x94(\x8c\x01a",
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			keys, values, err := djangocache.PickleCodec{}.Decode([]byte(data))
			if !errors.Is(err, djangocache.ErrCorrupt) {
				t.Fatalf("Decode = %q %v %v, want ErrCorrupt", keys, values, err)
			}
		})
	}
}

func TestZlibCompressesAsDjangoRedisDoes(t *testing.T) {
	c := djangocache.Zlib(djangocache.PickleCodec{})
	small, err := c.Encode(nil, map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := (djangocache.PickleCodec{}).Encode(nil, map[string]any{}); !bytes.Equal(small, want) {
		t.Errorf("%d bytes were compressed: %q (django-redis leaves 15 bytes or fewer as they are)", len(want), small)
	}
	values := map[string]any{"text": strings.Repeat("é", 1000)}
	big, err := c.Encode([]string{"text"}, values)
	if err != nil {
		t.Fatal(err)
	}
	if len(big) > 200 || big[0] != 0x78 {
		t.Fatalf("2000 repetitive bytes compressed to %d bytes %.10q, want a short zlib stream", len(big), big)
	}
	for _, data := range [][]byte{small, big} {
		if _, got, err := c.Decode(data); err != nil || len(got) != len(values) && len(got) != 0 {
			t.Errorf("Decode = %v, %v", got, err)
		}
	}
	// Uncompressed data of any length reads too, as with django-redis.
	plain, _ := djangocache.PickleCodec{}.Encode([]string{"text"}, values)
	if _, got, err := c.Decode(plain); err != nil || !reflect.DeepEqual(got, values) {
		t.Errorf("uncompressed data: %v, %v", got, err)
	}
}

// A codec's short output that is itself a zlib stream would inflate on
// the way back; Zlib compresses it, so it reads back as written.
func TestZlibKeepsShortDataThatLooksCompressed(t *testing.T) {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Close() // an empty stream: 8 bytes
	inner := fixedCodec{data: z.Bytes()}
	c := djangocache.Zlib(&inner)
	data, err := c.Encode(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Decode(data); err != nil || !bytes.Equal(inner.got, z.Bytes()) {
		t.Fatalf("the inner codec got %q, %v; want %q", inner.got, err, z.Bytes())
	}
}

// fixedCodec encodes to data, and remembers what it was asked to decode.
type fixedCodec struct{ data, got []byte }

func (f *fixedCodec) Encode([]string, map[string]any) ([]byte, error) { return f.data, nil }
func (f *fixedCodec) Decode(data []byte) ([]string, map[string]any, error) {
	f.got = append([]byte(nil), data...)
	return nil, map[string]any{}, nil
}

func TestZlibRefusesAnInflationBomb(t *testing.T) {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	zeros := make([]byte, 1<<20)
	for range 65 { // 65 MiB of zeros: about 65 KB compressed
		w.Write(zeros)
	}
	w.Close()
	_, _, err := djangocache.Zlib(djangocache.PickleCodec{}).Decode(z.Bytes())
	if !errors.Is(err, djangocache.ErrCorrupt) {
		t.Fatalf("Decode of %d bytes inflating to 65 MiB: %v, want ErrCorrupt", z.Len(), err)
	}
}
