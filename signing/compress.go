package signing

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
)

// compressionLevel costs a byte or so against the default level on
// session-sized JSON, and Django reads either.
const compressionLevel = zlib.BestSpeed

func compress(data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, compressionLevel) // a valid level: no error
	_, _ = zw.Write(data)                                // a bytes.Buffer cannot fail
	_ = zw.Close()
	return buf.Bytes()
}

// inflate decompresses a zlib stream, giving up as soon as the output passes
// limit bytes.
func inflate(compressed []byte, limit int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
	}
	defer zr.Close()
	// Reading one byte past the limit tells "exactly limit" from "more".
	data, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%w: decompresses to more than %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}
