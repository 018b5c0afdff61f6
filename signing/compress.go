package signing

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"math"
	"sync"
)

// CompressionLevel is the zlib level Dumps compresses with.
const CompressionLevel = zlib.BestSpeed

// zlib's state is large (about 800 KB to compress, 40 KB to inflate), so
// writers and readers are reused rather than made per call. Writers use
// BestSpeed: on session-sized JSON it costs a byte or so against the default
// level, whose Reset alone clears a 512 KB table. Django reads either.
var (
	zlibWriters = sync.Pool{New: func() any { w, _ := zlib.NewWriterLevel(nil, CompressionLevel); return w }}
	zlibReaders sync.Pool
)

// inflate decompresses a zlib stream, giving up as soon as the output passes
// limit bytes.
func inflate(compressed []byte, limit int) ([]byte, error) {
	src := bytes.NewReader(compressed)
	var zr io.ReadCloser
	if v := zlibReaders.Get(); v != nil {
		zr = v.(io.ReadCloser)
		if err := zr.(zlib.Resetter).Reset(src, nil); err != nil {
			zlibReaders.Put(zr)
			return nil, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
		}
	} else {
		var err error
		if zr, err = zlib.NewReader(src); err != nil {
			return nil, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
		}
	}
	defer func() {
		_ = zr.Close()
		zlibReaders.Put(zr)
	}()
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

// compress zlib-compresses data into buf (reset first) at CompressionLevel.
func compress(buf *bytes.Buffer, data []byte) {
	buf.Reset()
	zw := zlibWriters.Get().(*zlib.Writer)
	zw.Reset(buf)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = zw.Write(data)
	_ = zw.Close()
	zlibWriters.Put(zw)
}

// cannotShrink reports whether compressing data at CompressionLevel is sure
// to miss Dumps' bar (at least two bytes saved), so the compressor need not
// run: on the few dozen bytes of a typical new session, building Huffman
// tables only to throw them away was over a third of sealing a cookie (the
// "Cookie/new" row of BENCHMARKS.md).
//
// It relies on how compress/flate's BestSpeed encodes a stream of under
// 128 bytes: a stored block up to 16 bytes, else one block of literals with
// no back-references, stored or Huffman-coded, then an empty final stored
// block. A stored block is longer than its data. A Huffman block has a
// header of at least 29 bits (block type, three counts, four code-length
// codes), an end-of-block code of at least one bit, and literals that no
// prefix code writes in fewer than n·H bits, H being the entropy of data's
// byte frequencies (Shannon's bound). The final block takes 3 bits and 4
// bytes, the zlib header and checksum 6 bytes: at least 10 + (n·H + 33)/8
// bytes in all. TestCannotShrinkNeverSkipsACompressionThatPays checks the
// reasoning against the compressor itself.
func cannotShrink(data []byte) bool {
	n := len(data)
	switch {
	case n <= 16:
		return true
	case n >= 128:
		return false
	}
	return smallZlibLen(data) >= float64(n-1)
}

// smallZlibLen is the bound cannotShrink explains on the length of the zlib
// stream BestSpeed makes of 17 to 127 bytes of data.
func smallZlibLen(data []byte) float64 {
	var counts [256]uint8
	for _, b := range data {
		counts[b]++
	}
	// n·H = n·log2(n) - Σ c·log2(c) over the byte counts c.
	bits := xlog2x[len(data)]
	for _, c := range counts {
		bits -= xlog2x[c]
	}
	return 10 + (bits+33)/8
}

// xlog2x[c] is c·log2(c), 0 for c < 2.
var xlog2x = func() (t [256]float64) {
	for c := 2; c < len(t); c++ {
		t[c] = float64(c) * math.Log2(float64(c))
	}
	return t
}()
