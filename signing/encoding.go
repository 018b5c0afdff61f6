package signing

import (
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
)

// base62 writes n as Django's baseconv.base62 does: digits 0-9A-Za-z, most
// significant first, with a leading "-" for negative numbers. big.Int's
// base 62 has the digits 0-9a-zA-Z, so swapping the case of the letters
// turns one into the other.
func base62(n int64) string {
	return swapCase(big.NewInt(n).Text(62))
}

// base62Decode reads a number written by base62. It rejects an empty
// string, a "+", characters outside the alphabet and values that do not fit
// an int64.
func base62Decode(s string) (int64, error) {
	n, ok := new(big.Int).SetString(swapCase(s), 62)
	if !ok || strings.HasPrefix(s, "+") || !n.IsInt64() {
		return 0, fmt.Errorf("base62 %q: not a number that fits an int64", s)
	}
	return n.Int64(), nil
}

func swapCase(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z':
			return r - 'a' + 'A'
		case 'A' <= r && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, s)
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
