package signing

import (
	"encoding/base64"
	"fmt"
	"math"
	"strings"
)

// base62Alphabet is Django's baseconv.base62 (its order matters).
const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// base62 writes n in base62, most significant digit first, with a leading
// "-" for negative numbers, as timestamps are written.
func base62(n int64) string {
	if n == 0 {
		return "0"
	}
	var buf [12]byte // 62^11 > 2^63, plus a sign
	i := len(buf)
	// Work on the magnitude as uint64 so math.MinInt64 does not overflow.
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	for u > 0 {
		i--
		buf[i] = base62Alphabet[u%62]
		u /= 62
	}
	if n < 0 {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

// base62Decode reads a number written by base62. It rejects an empty
// string, characters outside the alphabet and values that do not fit an
// int64.
func base62Decode(s string) (int64, error) {
	digits, neg := strings.CutPrefix(s, "-")
	if digits == "" {
		return 0, fmt.Errorf("base62 %q: no digits", s)
	}
	var u uint64
	for i := 0; i < len(digits); i++ {
		d := strings.IndexByte(base62Alphabet, digits[i])
		if d < 0 {
			return 0, fmt.Errorf("base62 %q: invalid digit %q", s, digits[i])
		}
		if u > (math.MaxUint64-uint64(d))/62 {
			return 0, fmt.Errorf("base62 %q: out of range", s)
		}
		u = u*62 + uint64(d)
	}
	switch {
	case neg && u <= 1<<63:
		return -int64(u-1) - 1, nil
	case !neg && u <= math.MaxInt64:
		return int64(u), nil
	}
	return 0, fmt.Errorf("base62 %q: out of range", s)
}

// b64Encode returns the URL-safe base64 of b without "=" padding.
func b64Encode(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// b64Decode reverses b64Encode. Padding is accepted but not required, as in
// Django, which re-adds it before decoding.
func b64Decode(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
