package signing

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"sync"
	"time"
)

// DefaultSalt is the salt Django's signing.dumps and signing.loads use when
// the caller gives none.
const DefaultSalt = "django.core.signing"

// DefaultMaxSize is the default limit on the data Loads returns and Dumps
// accepts: 4 MiB, far beyond any sensible session, small enough that hostile
// input cannot make Loads allocate much.
const DefaultMaxSize = 4 << 20

// Config holds the settings of Dumps and Loads.
type Config struct {
	// Key is the secret that signs, Django's SECRET_KEY. Required.
	Key string
	// Fallbacks are older secrets Loads still accepts, tried in order after
	// Key (Django's SECRET_KEY_FALLBACKS). Optional.
	Fallbacks []string
	// Salt namespaces the signatures. Optional. Default value is DefaultSalt.
	// Django's sessions use "django.contrib.sessions.SessionStore" and its
	// signed-cookie engine "django.contrib.sessions.backends.signed_cookies".
	Salt string
	// Compress makes Dumps zlib-compress the data when that makes it shorter.
	// Loads reads both forms whatever its value. Optional. Default value is
	// false.
	Compress bool
	// MaxAge makes Loads refuse, with ErrSignatureExpired, a value signed
	// longer ago than this. Optional. Default value is 0, which means no limit.
	MaxAge time.Duration
	// MaxSize is the largest data, in bytes, that Dumps accepts and Loads
	// returns. Loads refuses longer input before computing any HMAC, and stops
	// decompressing at this size, so neither a huge value nor a zlib bomb costs
	// more than about MaxSize bytes of memory. Optional. Default value is
	// DefaultMaxSize.
	MaxSize int
	// Now returns the current time; tests set it to freeze the clock.
	// Optional. Default value is time.Now.
	Now func() time.Time
}

func (c Config) maxSize() int {
	if c.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return c.MaxSize
}

// maxInput is the longest signed string that can carry maxSize bytes:
// uncompressed base64 (compression only ever shortens it), the "." flag, the
// timestamp, the signature and two separators, with room to spare.
func (c Config) maxInput() int {
	return base64.RawURLEncoding.EncodedLen(c.maxSize()) + 128
}

func (c Config) signer() TimestampSigner {
	salt := c.Salt
	if salt == "" {
		salt = DefaultSalt
	}
	return TimestampSigner{
		Signer: Signer{Key: c.Key, Fallbacks: c.Fallbacks, Salt: salt},
		MaxAge: c.MaxAge,
		Now:    c.Now,
	}
}

// Dumps signs already-serialized JSON in the format of Django's
// signing.dumps: URL-safe base64 without padding, compressed with a leading
// "." when Compress is set and compression saves at least two bytes, then
// signed with a timestamp.
//
// Compressed output decodes in Django but is not byte-identical to Python's,
// because Go's zlib encoder chooses different (equally valid) encodings.
func Dumps(data []byte, c Config) (string, error) {
	if len(data) > c.maxSize() {
		return "", fmt.Errorf("%w: %d bytes of data, limit %d", ErrTooLarge, len(data), c.maxSize())
	}
	payload := ""
	if c.Compress {
		var buf bytes.Buffer
		buf.Grow(len(data)/2 + 16)
		zw := zlibWriters.Get().(*zlib.Writer)
		zw.Reset(&buf)
		// Writes to a bytes.Buffer cannot fail.
		_, _ = zw.Write(data)
		_ = zw.Close()
		zlibWriters.Put(zw)
		if buf.Len() < len(data)-1 {
			payload = "." + B64Encode(buf.Bytes())
		}
	}
	if payload == "" {
		payload = B64Encode(data)
	}
	return c.signer().Sign(payload)
}

// Loads verifies a string made by Dumps (or by Django's signing.dumps) and
// returns the JSON it carries and the time it was signed. It never parses the
// JSON; that is the caller's codec's job.
//
// It fails with ErrTooLarge for input or data over MaxSize, ErrBadSignature
// for a signature that matches no key, ErrSignatureExpired when MaxAge is set
// and exceeded, and ErrMalformed for a correctly signed payload that cannot be
// decoded.
func Loads(signed string, c Config) ([]byte, time.Time, error) {
	if max := c.maxInput(); len(signed) > max {
		return nil, time.Time{}, fmt.Errorf("%w: %d bytes of input, limit %d", ErrTooLarge, len(signed), max)
	}
	payload, signedAt, err := c.signer().Unsign(signed)
	if err != nil {
		return nil, time.Time{}, err
	}
	compressed := len(payload) > 0 && payload[0] == '.'
	if compressed {
		payload = payload[1:]
	}
	raw, err := B64Decode(payload)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	if !compressed {
		if len(raw) > c.maxSize() {
			return nil, time.Time{}, fmt.Errorf("%w: %d bytes of data, limit %d", ErrTooLarge, len(raw), c.maxSize())
		}
		return raw, signedAt, nil
	}
	data, err := inflate(raw, c.maxSize())
	if err != nil {
		return nil, time.Time{}, err
	}
	return data, signedAt, nil
}

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
