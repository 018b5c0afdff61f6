package signing

import (
	"bytes"
	"math"
	"testing"
)

func TestBase62EncodesLikeDjangosBaseconv(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{9, "9"},
		{10, "A"},
		{36, "a"},
		{61, "z"},
		{62, "10"},
		{1700000000, "1r31eq"},
		{1795634921, "1xWIfZ"},
		{-1, "-1"},
		{-62, "-10"},
		{math.MaxInt64, "AzL8n0Y58m7"},
	}
	for _, tc := range tests {
		if got := base62(tc.n); got != tc.want {
			t.Errorf("base62(%d) = %q, want %q", tc.n, got, tc.want)
		}
		got, err := base62Decode(tc.want)
		if err != nil || got != tc.n {
			t.Errorf("base62Decode(%q) = %d, %v; want %d", tc.want, got, err, tc.n)
		}
	}
}

func TestBase62RoundTripsTheExtremes(t *testing.T) {
	for _, n := range []int64{math.MinInt64, math.MinInt64 + 1, math.MaxInt64, -math.MaxInt64} {
		got, err := base62Decode(base62(n))
		if err != nil || got != n {
			t.Errorf("round trip of %d gave %d, %v", n, got, err)
		}
	}
}

func TestBase62DecodeRejectsWhatIsNotANumber(t *testing.T) {
	for _, s := range []string{"", "-", "1r31e!", "1r 31", "--1", "é", "AzL8n0Y58m8", "-AzL8n0Y58m9", "zzzzzzzzzzzzzzzzzzzz", "+1", "1_0"} {
		if n, err := base62Decode(s); err == nil {
			t.Errorf("base62Decode(%q) = %d, want an error", s, n)
		}
	}
}

func TestB64RoundTripsWithoutPadding(t *testing.T) {
	for _, b := range [][]byte{{}, {0}, {0, 1}, {0xfb, 0xff}, []byte(`{"a":1}`)} {
		s := b64Encode(b)
		if bytes.ContainsAny([]byte(s), "=+/") {
			t.Errorf("b64Encode(%x) = %q: has padding or non-URL-safe characters", b, s)
		}
		got, err := b64Decode(s)
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("b64Decode(%q) = %x, %v; want %x", s, got, err, b)
		}
	}
	if got, err := b64Decode("eyJhIjoxfQ=="); err != nil || string(got) != `{"a":1}` {
		t.Errorf("padded input: got %q, %v", got, err)
	}
	if _, err := b64Decode("eyJhIjoxfQ+"); err == nil {
		t.Error("standard-alphabet '+' accepted")
	}
}
