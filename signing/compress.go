package signing

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"sync"
)

// compressionLevel is the zlib level Dumps compresses with: on
// session-sized JSON it costs a byte or so against the default level, and
// Django reads either.
const compressionLevel = zlib.BestSpeed

// zlibWriters keeps zlib writers for reuse: a new one allocates about
// 1.2 MB of compressor state, which every Dumps of a Django session or a
// signed cookie would otherwise cost.
var zlibWriters = sync.Pool{New: func() any { w, _ := zlib.NewWriterLevel(nil, compressionLevel); return w }}

// compress returns data zlib-compressed at compressionLevel.
func compress(data []byte) []byte {
	var buf bytes.Buffer
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(&buf)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = zw.Write(data)
	_ = zw.Close()
	zlibWriters.Put(zw)
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
