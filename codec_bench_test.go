package ginsession

import (
	"testing"
	"time"
)

// benchCartItem is a struct value, which takes the encoding/json path.
type benchCartItem struct {
	SKU   string   `json:"sku"`
	Qty   int      `json:"qty"`
	Price float64  `json:"price"`
	Tags  []string `json:"tags"`
}

// BenchmarkCodec measures Encode and Decode of a logged-in Django session
// (the hot path: strings, ints, a small list) and of one with a struct value
// (the encoding/json path), for JSONCodec and DjangoCodec.
func BenchmarkCodec(b *testing.B) {
	structKeys := append(append([]string(nil), djangoBigKeys...), "item")
	structValues := map[string]any{"item": benchCartItem{"A-1", 2, 9.5, []string{"new", "sale"}}}
	for k, v := range djangoBigValues {
		structValues[k] = v
	}
	codecs := []struct {
		name  string
		codec Codec
	}{
		{"JSON", JSONCodec{}},
		{"Django", frozenDjangoCodec(time.Unix(1700000000, 0), djangoVectorSecret)},
	}
	sessions := []struct {
		name   string
		keys   []string
		values map[string]any
	}{
		{"auth", djangoBigKeys, djangoBigValues},
		{"struct", structKeys, structValues},
	}
	for _, c := range codecs {
		for _, s := range sessions {
			data, err := c.codec.Encode(s.keys, s.values)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(c.name+"/"+s.name+"/Encode", func(b *testing.B) {
				b.ReportAllocs()
				for range b.N {
					if _, err := c.codec.Encode(s.keys, s.values); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(c.name+"/"+s.name+"/Decode", func(b *testing.B) {
				b.ReportAllocs()
				for range b.N {
					if _, _, err := c.codec.Decode(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
